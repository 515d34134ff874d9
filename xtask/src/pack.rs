//! `cargo xtask pack`: the npm package `nn-playground`, assembled from the release builds
//! into `pkg-npm/nn-playground/` and packed by `npm pack` into `pkg-npm/nn-playground-V.tgz`.
//!
//! The package keeps the repository's layout (`www/` beside `pkg/`, `pkg-core/` and
//! `pkg-threads/`), because every module finds its neighbours relative to itself (`import.meta.url`, relative
//! imports): the worker, the wasm and the GPU build then load wherever a bundler or a CDN
//! puts the files, and the page's own modules need no second copy made for the package.

use crate::build::{build_page, BuildOptions};
use crate::util::{cmd, note, repo_root, run, which, Result};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The folder the package is assembled in and the tarball written to (ignored by git).
pub const OUT_DIR: &str = "pkg-npm";
pub const NAME: &str = "nn-playground";

/// The hand-written entries and types in `npm/`, copied to the package's top level.
const ENTRY_FILES: [&str; 13] = [
    "index.js",
    "index.d.ts",
    "loader.js",
    "disposed.js",
    "node.js",
    "node_loader.js",
    "webgpu.js",
    "webgpu.d.ts",
    "sequences.js",
    "sequences_node.js",
    "sequences.d.ts",
    "element.d.ts",
    "README.md",
];

/// The files of each wasm-bindgen output folder the package carries.
const BINDGEN_FILES: [&str; 4] = [
    "nn_playground.js",
    "nn_playground.d.ts",
    "nn_playground_bg.wasm",
    "nn_playground_bg.wasm.d.ts",
];

/// Builds `pkg/`, `pkg-core/` and `pkg-threads/` (release), assembles the package, runs `npm pack`;
/// returns the tarball's path.
pub fn pack(install: bool) -> Result<PathBuf> {
    build_page(&BuildOptions {
        features: None,
        install,
    })?;
    pack_built()
}

/// The same from the existing builds (the test command's stages build once).
pub fn pack_built() -> Result<PathBuf> {
    let start = Instant::now();
    let root = repo_root();
    let manifest = read(&root.join("Cargo.toml"))?;
    let field = |name: &str| {
        package_field(&manifest, name).ok_or_else(|| format!("Cargo.toml has no package {name}"))
    };
    let (version, license, description) =
        (field("version")?, field("license")?, field("description")?);
    if !read(&root.join("CHANGELOG.md"))?.contains(&format!("## {version}")) {
        return Err(format!(
            "CHANGELOG.md has no `## {version}` section: say what this version changes"
        ));
    }

    let out = root.join(OUT_DIR);
    let dir = out.join(NAME);
    if dir.exists() {
        std::fs::remove_dir_all(&dir)
            .map_err(|e| format!("cannot clear {}: {e}", dir.display()))?;
    }
    for f in ENTRY_FILES {
        copy(&root.join("npm").join(f), &dir.join(f))?;
    }
    for f in ["CHANGELOG.md", "LICENSE-MIT", "LICENSE-APACHE"] {
        copy(&root.join(f), &dir.join(f))?;
    }
    for bindgen in ["pkg", "pkg-core", "pkg-threads"] {
        for f in BINDGEN_FILES {
            copy(&root.join(bindgen).join(f), &dir.join(bindgen).join(f))?;
        }
    }
    // The threads build's pool helper (wasm-bindgen-rayon's worker script) lives in its
    // snippets; the pool's workers load it by URL next to the bindings.
    copy_tree(
        &root.join("pkg-threads/snippets"),
        &dir.join("pkg-threads/snippets"),
    )?;
    // Only the page modules the element reaches, found by following its imports.
    for rel in module_graph(&root, "www/element.js")? {
        if !rel.starts_with("pkg") {
            copy(&root.join(&rel), &dir.join(&rel))?;
        }
    }
    std::fs::write(
        dir.join("package.json"),
        package_json(&version, &license, &description),
    )
    .map_err(|e| format!("cannot write package.json: {e}"))?;

    if which("npm").is_none() {
        return Err("npm is not on PATH; install Node.js 20 and npm".into());
    }
    let tarball = out.join(format!("{NAME}-{version}.tgz"));
    let _ = std::fs::remove_file(&tarball);
    let dest = out.to_string_lossy().into_owned();
    let mut c = cmd("npm", &["pack", "--pack-destination", &dest, "--silent"]);
    c.current_dir(&dir)
        .stdout(std::process::Stdio::from(std::io::stderr()));
    run(&mut c)?;
    if !tarball.is_file() {
        return Err(format!("npm pack wrote no {}", tarball.display()));
    }
    let size = std::fs::metadata(&tarball).map(|m| m.len()).unwrap_or(0);
    note(&format!(
        "{OUT_DIR}/{NAME}-{version}.tgz packed in {:.1} s ({} KiB)",
        start.elapsed().as_secs_f64(),
        size.div_ceil(1024)
    ));
    Ok(tarball)
}

fn package_json(version: &str, license: &str, description: &str) -> String {
    let q = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
    // `node` before `default`: Node gets the entry that reads the wasm from disk; bundlers
    // and browsers (no `node` condition) get the one that fetches it beside the module.
    format!(
        r#"{{
  "name": "{NAME}",
  "version": "{version}",
  "description": "{}",
  "license": "({license})",
  "type": "module",
  "main": "./index.js",
  "types": "./index.d.ts",
  "exports": {{
    ".": {{
      "types": "./index.d.ts",
      "node": "./node.js",
      "default": "./index.js"
    }},
    "./webgpu": {{
      "types": "./webgpu.d.ts",
      "default": "./webgpu.js"
    }},
    "./sequences": {{
      "types": "./sequences.d.ts",
      "node": "./sequences_node.js",
      "default": "./sequences.js"
    }},
    "./element": {{
      "types": "./element.d.ts",
      "default": "./www/element.js"
    }},
    "./node": {{
      "types": "./index.d.ts",
      "default": "./node.js"
    }},
    "./style.css": "./www/style.css",
    "./package.json": "./package.json"
  }},
  "files": [
    "*.js",
    "*.d.ts",
    "www/",
    "pkg/",
    "pkg-core/",
    "pkg-threads/",
    "CHANGELOG.md",
    "LICENSE-MIT",
    "LICENSE-APACHE"
  ],
  "engines": {{
    "node": ">=20"
  }},
  "keywords": ["neural-network", "machine-learning", "webassembly", "wasm", "webgpu", "playground", "web-component"]
}}
"#,
        q(description)
    )
}

/// `name = "…"` of `[package]` in a Cargo.toml text.
fn package_field(manifest: &str, name: &str) -> Option<String> {
    let mut in_package = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_package = line == "[package]";
            continue;
        }
        if !in_package {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        if key.trim() == name {
            let v = value.trim();
            return v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .map(str::to_string);
        }
    }
    None
}

/// Every file reachable from `entry` (relative to `root`) through relative module
/// specifiers: `from '…'`, `import('…')` and `new URL('…', import.meta.url)`. A referenced
/// file that does not exist is an error, so the package cannot ship a dangling import.
fn module_graph(root: &Path, entry: &str) -> Result<BTreeSet<String>> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![entry.to_string()];
    while let Some(rel) = todo.pop() {
        // The wasm-bindgen folders are copied whole (BINDGEN_FILES), built or not yet.
        if !seen.insert(rel.clone()) || rel.starts_with("pkg") {
            continue;
        }
        let path = root.join(&rel);
        if !path.is_file() {
            return Err(format!("{rel} is imported but does not exist"));
        }
        if !rel.ends_with(".js") {
            continue;
        }
        let text = read(&path)?;
        let base = Path::new(&rel).parent().unwrap_or(Path::new(""));
        for spec in relative_specifiers(&text) {
            todo.push(normalise(&base.join(spec))?);
        }
    }
    Ok(seen)
}

/// Relative specifiers in a module's text. Comments are not told apart: a specifier quoted
/// in one adds a file that must exist too, or the pack fails naming it.
fn relative_specifiers(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for opener in ["from '", "import('", "new URL('"] {
        let mut rest = text;
        while let Some(i) = rest.find(opener) {
            rest = &rest[i + opener.len()..];
            let Some(end) = rest.find('\'') else { break };
            let spec = &rest[..end];
            if spec.starts_with("./") || spec.starts_with("../") {
                out.push(spec);
            }
            rest = &rest[end..];
        }
    }
    out
}

/// `www/render/../format.js` → `www/format.js`; refuses to climb out of the root.
fn normalise(p: &Path) -> Result<String> {
    let mut parts: Vec<String> = Vec::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                parts
                    .pop()
                    .ok_or_else(|| format!("{} leaves the repository", p.display()))?;
            }
            other => parts.push(other.as_os_str().to_string_lossy().into_owned()),
        }
    }
    Ok(parts.join("/"))
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// Copies every file under `from` to the same place under `to`.
fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    let entries =
        std::fs::read_dir(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read {}: {e}", from.display()))?;
        let path = entry.path();
        let dest = to.join(entry.file_name());
        if path.is_dir() {
            copy_tree(&path, &dest)?;
        } else {
            copy(&path, &dest)?;
        }
    }
    Ok(())
}

fn copy(from: &Path, to: &Path) -> Result<()> {
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| format!("cannot copy {} (is it built?): {e}", from.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_package_fields_only() {
        let toml =
            "[package]\nname = \"a\"\nversion = \"1.2.3\"\n[dependencies]\nversion = \"9\"\n";
        assert_eq!(package_field(toml, "version").as_deref(), Some("1.2.3"));
        assert_eq!(package_field(toml, "license"), None);
    }

    #[test]
    fn finds_relative_specifiers_of_every_kind() {
        let js = "import { a } from './a.js';\nimport x from 'bare';\nconst m = await import('../pkg/x.js');\nnew URL('./w.js', import.meta.url);";
        let mut s = relative_specifiers(js);
        s.sort();
        assert_eq!(s, ["../pkg/x.js", "./a.js", "./w.js"]);
        assert_eq!(
            normalise(Path::new("www/render/../format.js")).unwrap(),
            "www/format.js"
        );
        assert!(normalise(Path::new("../x.js")).is_err());
    }

    #[test]
    fn the_element_reaches_its_worker_style_and_every_build() {
        let graph = module_graph(&repo_root(), "www/element.js").expect("the graph resolves");
        for f in [
            "www/worker.js",
            "www/style.css",
            "pkg/nn_playground.js",
            "pkg-core/nn_playground.js",
        ] {
            assert!(graph.contains(f), "{f} not in {graph:?}");
        }
        assert!(
            !graph.contains("www/app.js"),
            "the page's own entry is not the element's"
        );
    }
}
