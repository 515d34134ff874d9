//! `cargo xtask serve`: a small static file server for the repository root (std only).
//!
//! One thread per connection, one response per connection (`Connection: close`). It is a
//! development server: loopback by default, GET and HEAD only, whole files read at once.

use crate::http::{
    csp_for_html, mime_for, resolve_target, response_head, standard_headers, Reject,
};
use crate::util::Result;
use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Request heads larger than this are refused; ours are a few hundred bytes.
const MAX_HEAD: usize = 16 * 1024;
/// A client that stalls mid-request loses its thread after this long.
const IO_TIMEOUT: Duration = Duration::from_secs(15);

/// Parses `--host`: an IP address or `localhost`.
pub fn parse_host(s: &str) -> Result<IpAddr> {
    if s.eq_ignore_ascii_case("localhost") {
        return Ok(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    s.parse()
        .map_err(|_| format!("--host {s:?} is not an IP address (try 127.0.0.1)"))
}

/// Binds the listener; `port == 0` lets the OS pick a free port.
pub fn bind(host: IpAddr, port: u16) -> Result<TcpListener> {
    TcpListener::bind(SocketAddr::new(host, port)).map_err(|e| {
        format!("cannot listen on {host}:{port}: {e} (is another server running? try --port 0)")
    })
}

/// The URL a browser should open for a bound listener.
pub fn url_of(addr: SocketAddr) -> String {
    format!("http://{addr}/")
}

/// Serves `root` on `listener` until the process ends; `log` prints one stderr line a request.
pub fn serve_forever(listener: TcpListener, root: PathBuf, log: bool) -> Result<()> {
    let root = root
        .canonicalize()
        .map_err(|e| format!("cannot serve {}: {e}", root.display()))?;
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let root = root.clone();
        std::thread::spawn(move || {
            // A client that hangs up early is its own problem, not the server's.
            let _ = handle(stream, &root, log);
        });
    }
    Ok(())
}

fn handle(mut stream: TcpStream, root: &Path, log: bool) -> io::Result<()> {
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    let head = match read_head(&mut stream)? {
        Some(h) => h,
        None => return send_text(&mut stream, 431, "request head too large\n", false),
    };
    let mut parts = head.lines().next().unwrap_or_default().split(' ');
    let (method, target) = (parts.next().unwrap_or_default(), parts.next());
    let Some(target) = target else {
        return send_text(&mut stream, 400, "bad request\n", false);
    };
    let head_only = method == "HEAD";
    if method != "GET" && !head_only {
        let mut h = standard_headers("text/plain; charset=utf-8");
        h.push(("Allow", "GET, HEAD".into()));
        let body = "only GET and HEAD are served\n";
        stream.write_all(response_head(405, &h, body.len() as u64).as_bytes())?;
        return stream.write_all(body.as_bytes());
    }
    let status = respond(&mut stream, root, target, head_only)?;
    if log {
        eprintln!("{method} {target} {status}");
    }
    Ok(())
}

/// Reads up to the blank line that ends the request head; `None` if it exceeds `MAX_HEAD`.
fn read_head(stream: &mut TcpStream) -> io::Result<Option<String>> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        if buf.len() > MAX_HEAD {
            return Ok(None);
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok(Some(String::from_utf8_lossy(&buf).into_owned()))
}

/// Sends the file for `target` (or an error page) and returns the status sent.
fn respond(stream: &mut TcpStream, root: &Path, target: &str, head_only: bool) -> io::Result<u16> {
    let rel = match resolve_target(target) {
        Ok(rel) => rel,
        Err(Reject::BadRequest) => {
            return send_text(stream, 400, "bad request\n", head_only).map(|_| 400)
        }
        Err(Reject::NotFound) => {
            return send_text(stream, 404, "not found\n", head_only).map(|_| 404)
        }
    };
    let path = root.join(&rel);
    if path.is_dir() {
        // Relative URLs in the directory's index.html only resolve below a trailing slash.
        let path_part = target.split(['?', '#']).next().unwrap_or("/");
        let mut h = standard_headers("text/plain; charset=utf-8");
        // One leading slash only: `//host/` would be a redirect to another origin.
        h.push((
            "Location",
            format!("/{}/", path_part.trim_start_matches('/')),
        ));
        stream.write_all(response_head(301, &h, 0).as_bytes())?;
        return Ok(301);
    }
    // canonicalize() follows symlinks, so a link pointing outside the root is caught here.
    let inside = path
        .canonicalize()
        .map(|p| p.starts_with(root) && p.is_file())
        .unwrap_or(false);
    let body = if inside {
        std::fs::read(&path).ok()
    } else {
        None
    };
    let Some(body) = body else {
        send_text(stream, 404, "not found\n", head_only)?;
        return Ok(404);
    };
    let mut h = standard_headers(mime_for(&path));
    for (name, value) in h.iter_mut() {
        if *name == "Content-Security-Policy" {
            *value = csp_for_html(&body);
        }
    }
    stream.write_all(response_head(200, &h, body.len() as u64).as_bytes())?;
    if !head_only {
        stream.write_all(&body)?;
    }
    Ok(200)
}

fn send_text(stream: &mut TcpStream, status: u16, body: &str, head_only: bool) -> io::Result<()> {
    let h = standard_headers("text/plain; charset=utf-8");
    stream.write_all(response_head(status, &h, body.len() as u64).as_bytes())?;
    if !head_only {
        stream.write_all(body.as_bytes())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Serves a scratch directory on a free loopback port and returns its address.
    fn scratch_server(name: &str) -> (SocketAddr, PathBuf) {
        let dir = std::env::temp_dir().join(format!("xtask-serve-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("site/www")).unwrap();
        std::fs::write(
            dir.join("site/index.html"),
            "<!doctype html><title>t</title>",
        )
        .unwrap();
        std::fs::write(dir.join("site/www/m.wasm"), b"\0asm\x01\0\0\0").unwrap();
        std::fs::write(dir.join("secret.txt"), "outside").unwrap();
        let listener = bind(IpAddr::V4(Ipv4Addr::LOCALHOST), 0).unwrap();
        let addr = listener.local_addr().unwrap();
        let root = dir.join("site");
        std::thread::spawn(move || serve_forever(listener, root, false));
        (addr, dir)
    }

    fn get(addr: SocketAddr, raw_request: &str) -> (String, Vec<u8>) {
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(raw_request.as_bytes()).unwrap();
        let mut out = Vec::new();
        s.read_to_end(&mut out).unwrap();
        let split = out
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a head")
            + 4;
        let head = String::from_utf8_lossy(&out[..split]).into_owned();
        (head, out[split..].to_vec())
    }

    #[test]
    fn serves_files_with_types_and_isolation_headers() {
        let (addr, dir) = scratch_server("files");
        let (head, body) = get(addr, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        assert!(head.starts_with("HTTP/1.1 200 OK"), "{head}");
        assert!(head.contains("Content-Type: text/html; charset=utf-8"));
        assert!(head.contains("Content-Security-Policy: default-src 'self';"));
        assert_eq!(body, b"<!doctype html><title>t</title>");

        let (head, body) = get(addr, "GET /www/m.wasm HTTP/1.1\r\n\r\n");
        assert!(head.contains("Content-Type: application/wasm"), "{head}");
        assert!(head.contains("Cross-Origin-Embedder-Policy: require-corp"));
        assert!(head.contains("Cross-Origin-Opener-Policy: same-origin"));
        assert!(head.contains("Content-Length: 8"));
        assert_eq!(&body[..4], b"\0asm");

        let (head, body) = get(addr, "HEAD /www/m.wasm HTTP/1.1\r\n\r\n");
        assert!(head.contains("Content-Length: 8"));
        assert!(body.is_empty());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn refuses_traversal_missing_files_and_other_methods() {
        let (addr, dir) = scratch_server("refuse");
        let status = |req: &str| {
            get(addr, req)
                .0
                .lines()
                .next()
                .unwrap_or_default()
                .to_string()
        };
        assert_eq!(
            status("GET /../secret.txt HTTP/1.1\r\n\r\n"),
            "HTTP/1.1 400 Bad Request"
        );
        assert_eq!(
            status("GET /%2e%2e/secret.txt HTTP/1.1\r\n\r\n"),
            "HTTP/1.1 400 Bad Request"
        );
        assert_eq!(
            status("GET /nope.js HTTP/1.1\r\n\r\n"),
            "HTTP/1.1 404 Not Found"
        );
        assert_eq!(
            status("POST / HTTP/1.1\r\n\r\n"),
            "HTTP/1.1 405 Method Not Allowed"
        );
        let (head, _) = get(addr, "GET /www?x=1 HTTP/1.1\r\n\r\n");
        assert!(head.starts_with("HTTP/1.1 301"), "{head}");
        assert!(head.contains("Location: /www/\r\n"), "{head}");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.join("secret.txt"), dir.join("site/link.txt")).unwrap();
            assert_eq!(
                status("GET /link.txt HTTP/1.1\r\n\r\n"),
                "HTTP/1.1 404 Not Found"
            );
        }
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn host_parsing() {
        assert_eq!(
            parse_host("localhost").unwrap(),
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        );
        assert!(parse_host("::1").unwrap().is_loopback());
        assert!(!parse_host("0.0.0.0").unwrap().is_loopback());
        assert!(parse_host("example.com").is_err());
        let addr: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        assert_eq!(url_of(addr), "http://127.0.0.1:8080/");
    }
}
