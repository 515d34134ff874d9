//! `cargo xtask build | pack | serve | test | fuzz | bench`: build, package, serve, test and
//! benchmark the project.
//!
//! Standard library only, so that the one command works on a fresh machine before anything
//! else is installed; each task installs the tools it needs and says so.

mod bench;
mod build;
mod fuzz;
mod http;
mod install;
mod onnx;
mod pack;
mod serve;
mod sha256;
mod size;
mod suite;
mod threads;
mod util;
mod variants;

use std::io::Write;
use util::Result;

const USAGE: &str = "\
usage: cargo xtask <task> [options]

tasks:
  build   release wasm (SIMD128) + wasm-bindgen into pkg/, the page's first build pkg-core/
          (without the feature `full`; pkg/ has features webgpu and sequences too) and the
          multi-threaded build pkg-threads/ (a pinned nightly, installed when missing),
          then the benchmark builds pkg-bench/ and pkg-threads-bench/ (feature `bench`)
            --features <list>   engine features, e.g. webgpu
            (function names are stripped; NN_PLAYGROUND_KEEP_NAMES=1 keeps them for profiles)
  pack    build, then the npm package nn-playground into pkg-npm/nn-playground/ and
          `npm pack` it into pkg-npm/nn-playground-<version>.tgz (the path is printed)
  serve   build, then serve the repository root over HTTP
            --port <n>          default 8080; 0 picks a free port
            --host <ip>         default 127.0.0.1 (loopback); anything else must be explicit
            --no-build          serve the existing pkg/
            --features <list>   engine features for the build
            --quiet             no per-request log on stderr
            --root <dir>        serve this folder instead of the repository root
            --no-isolation      leave out the cross-origin-isolation headers (COOP/COEP):
                                the page then runs its single-thread build
  test    every suite: fmt, clippy, native, onnx, fuzz, wasm, gpu (Node + headless Chromium), e2e,
          package (the npm tarball in Vite, a static page and Node), firefox (headless Firefox)
            --only <stage>      run only this stage (repeatable or comma-separated):
                                fmt, clippy, native, onnx, fuzz, wasm, gpu, e2e, package, firefox
            --keep-going        run the remaining stages after a failure
  fuzz    bounded cargo-fuzz runs of every fuzz target from the committed seeds
            --seconds <n>       per target, default 60
  bench   build, then run bench/kernels.mjs, bench/soak.mjs and bench/browser.mjs when present
            --no-build          benchmark the existing pkg/
  size    what weighs in a wasm build: code by crate and module, the largest functions
          (needs the function names: NN_PLAYGROUND_KEEP_NAMES=1 cargo xtask build first)
            [file.wasm]         default pkg/nn_playground_bg.wasm
            --top <n>           rows per table, default 30
  soak    build, then only bench/soak.mjs: 10^6 training steps in the wasm build, wasm
          memory sampled every 10^5 steps; fails if it grows
            --no-build          use the existing pkg/

  build, pack, serve, test and bench install what is missing (wasm target, wasm-bindgen CLI,
  Chromium + ChromeDriver, Firefox ESR + geckodriver, npm packages) and say so;
  --skip-install makes that an error.";

fn main() {
    util::ensure_cargo_bin_on_path();
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Err(e) = dispatch(&args) {
        eprintln!("xtask: error: {e}");
        std::process::exit(1);
    }
}

fn dispatch(args: &[String]) -> Result<()> {
    let Some((task, rest)) = args.split_first() else {
        eprintln!("{USAGE}");
        std::process::exit(2);
    };
    let mut flags = Flags::new(rest);
    match task.as_str() {
        "build" => {
            let opts = build::BuildOptions {
                features: flags.value("--features")?,
                install: !flags.switch("--skip-install"),
            };
            flags.finish()?;
            build::build_all(&opts)
        }
        "serve" => serve_task(&mut flags),
        "pack" => {
            let install = !flags.switch("--skip-install");
            flags.finish()?;
            pack::pack(install).map(|tarball| println!("{}", tarball.display()))
        }
        "test" => {
            let mut opts = suite::TestOptions {
                skip_install: flags.switch("--skip-install"),
                keep_going: flags.switch("--keep-going"),
                only: Vec::new(),
            };
            while let Some(list) = flags.value("--only")? {
                for name in list.split(',').filter(|s| !s.is_empty()) {
                    opts.only.push(suite::Stage::parse(name)?);
                }
            }
            flags.finish()?;
            suite::run_tests(&opts)
        }
        "bench" => {
            let opts = bench::BenchOptions {
                no_build: flags.switch("--no-build"),
                skip_install: flags.switch("--skip-install"),
            };
            flags.finish()?;
            bench::run_bench(&opts)
        }
        "soak" => {
            let opts = bench::BenchOptions {
                no_build: flags.switch("--no-build"),
                skip_install: flags.switch("--skip-install"),
            };
            flags.finish()?;
            bench::run_soak(&opts)
        }
        "size" => {
            let top = match flags.value("--top")? {
                Some(v) => v
                    .parse::<usize>()
                    .map_err(|_| format!("--top {v:?} is not a whole number"))?,
                None => 30,
            };
            let path = flags.positional();
            flags.finish()?;
            size::run_size(path, top)
        }
        "fuzz" => {
            let seconds = match flags.value("--seconds")? {
                Some(v) => v
                    .parse::<u32>()
                    .map_err(|_| format!("--seconds {v:?} is not a whole number"))?,
                None => 60,
            };
            let install = !flags.switch("--skip-install");
            flags.finish()?;
            fuzz::ensure_cargo_fuzz(install)?;
            fuzz::run_fuzz(seconds)
        }
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown task {other:?}\n\n{USAGE}")),
    }
}

fn serve_task(flags: &mut Flags) -> Result<()> {
    let port = match flags.value("--port")? {
        Some(p) => p
            .parse::<u16>()
            .map_err(|_| format!("--port {p:?} is not a port number (0–65535)"))?,
        None => 8080,
    };
    let host = match flags.value("--host")? {
        Some(h) => serve::parse_host(&h)?,
        None => std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
    };
    let build_opts = build::BuildOptions {
        features: flags.value("--features")?,
        install: !flags.switch("--skip-install"),
    };
    let no_build = flags.switch("--no-build");
    let quiet = flags.switch("--quiet");
    if flags.switch("--no-isolation") {
        http::ISOLATION.store(false, std::sync::atomic::Ordering::Relaxed);
    }
    // Another folder to serve with the same headers (the package tests' temporary projects).
    let root = match flags.value("--root")? {
        Some(dir) => std::path::PathBuf::from(dir),
        None => util::repo_root(),
    };
    flags.finish()?;

    if !no_build {
        build::build_page(&build_opts)?;
    }
    if !host.is_loopback() {
        util::note(&format!(
            "warning: listening on {host}, not loopback: other machines can read every file \
             in the repository"
        ));
    }
    let listener = serve::bind(host, port)?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("no local address: {e}"))?;
    // Scripts read this first stdout line to learn the port; flush it before serving.
    println!("serving {}", serve::url_of(addr));
    let _ = std::io::stdout().flush();
    serve::serve_forever(listener, root, !quiet)
}

/// A tiny flag parser: `--name value`, `--name=value` and bare switches, each consumed once.
struct Flags {
    args: Vec<String>,
}

impl Flags {
    fn new(args: &[String]) -> Self {
        Self {
            args: args.to_vec(),
        }
    }

    fn switch(&mut self, name: &str) -> bool {
        let before = self.args.len();
        self.args.retain(|a| a != name);
        self.args.len() != before
    }

    /// Takes the first argument that is not a flag (call after taking the flags).
    fn positional(&mut self) -> Option<String> {
        let i = self.args.iter().position(|a| !a.starts_with("--"))?;
        Some(self.args.remove(i))
    }

    /// Takes the first occurrence of `name`; call again for repeated flags.
    fn value(&mut self, name: &str) -> Result<Option<String>> {
        let prefix = format!("{name}=");
        for i in 0..self.args.len() {
            if let Some(v) = self.args[i].strip_prefix(&prefix) {
                let v = v.to_string();
                self.args.remove(i);
                return Ok(Some(v));
            }
            if self.args[i] == name {
                if i + 1 >= self.args.len() {
                    return Err(format!("{name} needs a value"));
                }
                let v = self.args.remove(i + 1);
                self.args.remove(i);
                return Ok(Some(v));
            }
        }
        Ok(None)
    }

    fn finish(&self) -> Result<()> {
        match self.args.first() {
            None => Ok(()),
            Some(a) => Err(format!(
                "unexpected argument {a:?} (see `cargo xtask help`)"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(a: &[&str]) -> Flags {
        Flags::new(&a.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn flags_take_values_switches_and_refuse_leftovers() {
        let mut f = flags(&["--port", "0", "--no-build", "--only=fmt", "--only", "e2e"]);
        assert_eq!(f.value("--port").unwrap().as_deref(), Some("0"));
        assert!(f.switch("--no-build"));
        assert!(!f.switch("--no-build"));
        assert_eq!(f.value("--only").unwrap().as_deref(), Some("fmt"));
        assert_eq!(f.value("--only").unwrap().as_deref(), Some("e2e"));
        assert_eq!(f.value("--only").unwrap(), None);
        assert!(f.finish().is_ok());

        let mut f = flags(&["--port"]);
        assert!(f.value("--port").is_err());
        assert!(flags(&["--prot", "1"]).finish().is_err());
    }
}
