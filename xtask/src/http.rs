//! The pure half of the dev server: request target → file path, MIME types and headers.
//!
//! Kept free of sockets so that the rules that keep files outside the repository private
//! (no `..`, no hidden files, careful %-decoding) are unit-tested directly.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether responses carry the cross-origin-isolation headers; `serve --no-isolation`
/// clears it, to see the page as a host without them serves it (no `SharedArrayBuffer`,
/// so the single-thread build).
pub static ISOLATION: AtomicBool = AtomicBool::new(true);

/// The page's Content-Security-Policy, sent with every HTML response. `index.html` repeats
/// it in a `<meta>` tag so the page stays strict when served by something else.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
worker-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; \
object-src 'none'; base-uri 'none'; frame-ancestors 'self'";

/// Why a request target was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reject {
    /// Malformed: not origin-form, a bad %-escape, invalid UTF-8, NUL, `\` or a `..` segment.
    BadRequest,
    /// Well-formed but not served (hidden files such as `.git`).
    NotFound,
}

/// Maps an origin-form request target (`/www/app.js?v=2`) to a path relative to the served
/// root. `/` and any target ending in `/` name that directory's `index.html`.
///
/// Traversal is refused, not normalised: a `..` segment (even %-encoded) is a bad request.
pub fn resolve_target(target: &str) -> Result<PathBuf, Reject> {
    let path = target.split(['?', '#']).next().unwrap_or_default();
    if !path.starts_with('/') {
        return Err(Reject::BadRequest);
    }
    let decoded = percent_decode(path).ok_or(Reject::BadRequest)?;
    if decoded.contains('\0') || decoded.contains('\\') {
        return Err(Reject::BadRequest);
    }
    let mut rel = PathBuf::new();
    for segment in decoded.split('/').filter(|s| !s.is_empty()) {
        if segment == ".." {
            return Err(Reject::BadRequest);
        }
        if segment.starts_with('.') {
            return Err(Reject::NotFound);
        }
        rel.push(segment);
    }
    if decoded.ends_with('/') {
        rel.push("index.html");
    }
    Ok(rel)
}

/// Decodes `%XX` escapes; `None` for a truncated or non-hex escape or a result that is not
/// UTF-8. `+` stays `+`: it only means space in query strings.
pub fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The `Content-Type` for a file, by extension (case-insensitive).
pub fn mime_for(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "csv" => "text/csv; charset=utf-8",
        "txt" | "md" | "ts" | "wgsl" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Headers for every response: cross-origin isolation (so `SharedArrayBuffer` and precise
/// timers are available to later benchmark pages), no MIME sniffing, no caching (a rebuilt
/// `pkg/` must never meet a stale page), and the CSP on HTML.
pub fn standard_headers(content_type: &str) -> Vec<(&'static str, String)> {
    let mut h = vec![("Content-Type", content_type.to_string())];
    if ISOLATION.load(Ordering::Relaxed) {
        h.extend([
            ("Cross-Origin-Opener-Policy", "same-origin".into()),
            ("Cross-Origin-Embedder-Policy", "require-corp".into()),
            ("Cross-Origin-Resource-Policy", "same-origin".into()),
        ]);
    }
    h.extend([
        ("X-Content-Type-Options", "nosniff".into()),
        ("Cache-Control", "no-cache".into()),
    ]);
    if content_type.starts_with("text/html") {
        h.push(("Content-Security-Policy", CSP.into()));
    }
    h
}

/// The marker by which a page asks for workers and scripts from `blob:` URLs. Only the
/// threads benchmark carries it: TF.js's threaded wasm backend starts its Emscripten
/// pthreads from `blob:` workers that `importScripts` a `blob:` copy of its factory, which
/// `worker-src 'self'` refuses. The page itself says so; the app's pages never carry it.
pub const BLOB_WORKERS_MARKER: &[u8] = b"<meta name=\"csp-relax\" content=\"blob-workers\">";

/// The CSP for one HTML file: [`CSP`], with each inline `<script type="importmap">` of the
/// file allowed by its SHA-256 hash. An import map cannot be an external file, so this is
/// how a page that maps bare specifiers (a package's static demo) stays under the strict
/// policy without `'unsafe-inline'`; a page without one gets [`CSP`] unchanged. A page
/// carrying [`BLOB_WORKERS_MARKER`] also gets `blob:` in `worker-src` and `script-src`.
pub fn csp_for_html(body: &[u8]) -> String {
    let csp = csp_with_import_maps(body);
    if find(body, BLOB_WORKERS_MARKER).is_none() {
        return csp;
    }
    csp.replacen("worker-src 'self'", "worker-src 'self' blob:", 1)
        .replacen("'wasm-unsafe-eval'", "'wasm-unsafe-eval' blob:", 1)
}

fn csp_with_import_maps(body: &[u8]) -> String {
    const OPEN: &[u8] = b"<script type=\"importmap\">";
    const CLOSE: &[u8] = b"</script>";
    let mut hashes = String::new();
    let mut rest = body;
    while let Some(start) = find(rest, OPEN) {
        let after = &rest[start + OPEN.len()..];
        let Some(end) = find(after, CLOSE) else { break };
        let digest = crate::sha256::sha256(&after[..end]);
        hashes.push_str(&format!(" 'sha256-{}'", crate::sha256::base64(&digest)));
        rest = &after[end..];
    }
    if hashes.is_empty() {
        return CSP.into();
    }
    CSP.replacen(
        "script-src 'self' 'wasm-unsafe-eval'",
        &format!("script-src 'self' 'wasm-unsafe-eval'{hashes}"),
        1,
    )
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A full response head (status line, headers, blank line). Bodies are always sized, and
/// connections always close after one response: simple, and enough for a dev server.
pub fn response_head(status: u16, headers: &[(&str, String)], content_length: u64) -> String {
    let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {content_length}\r\nConnection: close\r\n\r\n"
    ));
    head
}

pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        _ => "Internal Server Error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(target: &str) -> String {
        resolve_target(target)
            .unwrap_or_else(|e| panic!("{target}: {e:?}"))
            .to_string_lossy()
            .into_owned()
    }

    #[test]
    fn root_and_directories_map_to_index_html() {
        assert_eq!(ok("/"), "index.html");
        assert_eq!(ok("/www/"), "www/index.html");
        assert_eq!(ok("/index.html"), "index.html");
    }

    #[test]
    fn query_fragment_and_escapes_are_handled() {
        assert_eq!(ok("/pkg/nn_playground.js?v=3"), "pkg/nn_playground.js");
        assert_eq!(ok("/a.html#x"), "a.html");
        assert_eq!(ok("/my%20data.csv"), "my data.csv");
        assert_eq!(ok("/caf%C3%A9.txt"), "café.txt");
        assert_eq!(ok("//www//app.js"), "www/app.js");
        assert_eq!(ok("/a+b.js"), "a+b.js");
    }

    #[test]
    fn traversal_is_rejected_even_when_encoded() {
        for t in [
            "/../Cargo.toml",
            "/www/../../etc/passwd",
            "/%2e%2e/secret",
            "/%2E%2E%2Fsecret",
            "/www/..",
            "/..%5c..%5cwin.ini",
            "/a\\..\\b",
        ] {
            assert_eq!(resolve_target(t), Err(Reject::BadRequest), "{t}");
        }
    }

    #[test]
    fn malformed_targets_are_bad_requests() {
        for t in [
            "",
            "index.html",
            "http://x/",
            "*",
            "/%",
            "/%4",
            "/%zz",
            "/%00",
            "/%ff",
        ] {
            assert_eq!(resolve_target(t), Err(Reject::BadRequest), "{t:?}");
        }
    }

    #[test]
    fn hidden_files_are_not_served() {
        assert_eq!(resolve_target("/.git/config"), Err(Reject::NotFound));
        assert_eq!(resolve_target("/www/.env"), Err(Reject::NotFound));
        assert_eq!(resolve_target("/%2egit/HEAD"), Err(Reject::NotFound));
        assert_eq!(resolve_target("/./index.html"), Err(Reject::NotFound));
    }

    #[test]
    fn mime_types() {
        let m = |p: &str| mime_for(Path::new(p));
        assert_eq!(m("pkg/nn_playground_bg.wasm"), "application/wasm");
        assert_eq!(m("www/app.js"), "text/javascript; charset=utf-8");
        assert_eq!(m("tests/e2e/harness.mjs"), "text/javascript; charset=utf-8");
        assert_eq!(m("index.HTML"), "text/html; charset=utf-8");
        assert_eq!(m("www/style.css"), "text/css; charset=utf-8");
        assert_eq!(m("bench/results.json"), "application/json");
        assert_eq!(m("bench/chart.svg"), "image/svg+xml");
        assert_eq!(m("docs/screenshot.png"), "image/png");
        assert_eq!(m("data/points.csv"), "text/csv; charset=utf-8");
        assert_eq!(m("Makefile"), "application/octet-stream");
    }

    #[test]
    fn isolation_headers_everywhere_and_csp_on_html_only() {
        let has = |h: &[(&str, String)], k: &str, v: &str| h.iter().any(|(n, x)| *n == k && x == v);
        for ct in ["application/wasm", "text/html; charset=utf-8"] {
            let h = standard_headers(ct);
            assert!(has(&h, "Content-Type", ct));
            assert!(has(&h, "Cross-Origin-Opener-Policy", "same-origin"));
            assert!(has(&h, "Cross-Origin-Embedder-Policy", "require-corp"));
            assert!(has(&h, "Cross-Origin-Resource-Policy", "same-origin"));
            assert!(has(&h, "X-Content-Type-Options", "nosniff"));
        }
        assert!(has(
            &standard_headers("text/html; charset=utf-8"),
            "Content-Security-Policy",
            CSP
        ));
        assert!(!standard_headers("application/wasm")
            .iter()
            .any(|(n, _)| *n == "Content-Security-Policy"));
        assert!(CSP.contains("script-src 'self' 'wasm-unsafe-eval';"));
        assert!(!CSP.contains("unsafe-inline"));
    }

    #[test]
    fn inline_import_maps_are_allowed_by_hash_and_nothing_else() {
        assert_eq!(csp_for_html(b"<script src=a.js></script>"), CSP);
        let map = br#"{"imports":{"a":"./a.js"}}"#;
        let page = [
            &b"<script type=\"importmap\">"[..],
            map,
            b"</script><script>alert(1)</script>",
        ]
        .concat();
        let csp = csp_for_html(&page);
        let hash = crate::sha256::base64(&crate::sha256::sha256(map));
        assert!(
            csp.contains(&format!(
                "script-src 'self' 'wasm-unsafe-eval' 'sha256-{hash}';"
            )),
            "{csp}"
        );
        assert_eq!(csp.matches("sha256-").count(), 1, "{csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
    }

    #[test]
    fn only_a_page_that_asks_gets_blob_workers() {
        let plain = csp_for_html(b"<p>blob-workers</p>");
        assert!(!plain.contains("worker-src 'self' blob:"), "{plain}");
        assert!(!plain.contains("'wasm-unsafe-eval' blob:"), "{plain}");
        let csp = csp_for_html(&[BLOB_WORKERS_MARKER, b"<p>x</p>"].concat());
        assert!(csp.contains("worker-src 'self' blob:;"), "{csp}");
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval' blob:;"),
            "{csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{csp}");
    }

    #[test]
    fn response_head_is_well_formed() {
        let head = response_head(404, &standard_headers("text/plain; charset=utf-8"), 9);
        assert!(head.starts_with("HTTP/1.1 404 Not Found\r\n"));
        assert!(head.contains("\r\nContent-Length: 9\r\n"));
        assert!(head.contains("\r\nConnection: close\r\n"));
        assert!(head.ends_with("\r\n\r\n"));
        assert_eq!(head.matches("\r\n\r\n").count(), 1);
    }
}
