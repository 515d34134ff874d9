//! What this build of the engine can do, from the same `cfg`s that cut the build: the page's
//! worker asks, and moves its session (by snapshot) into a build that has what a call needs.

/// Every capability a build may have, in the order [`capabilities`] lists them.
pub const ALL_CAPABILITIES: [&str; 5] = ["full", "restore", "sequences", "webgpu", "threads"];

/// The capabilities of this build:
/// - `full`: tables, the explain, health and importance views, ONNX, model files and links
///   with weights, the Keras-style API (the feature `full`; the page's core build lacks it);
/// - `restore`: reading a snapshot back (`fromSnapshot`; its readers weigh 61 kB gzip, so
///   the core build writes snapshots but leaves reading them to a full build);
/// - `sequences`: the Sequences mode's session;
/// - `webgpu`: the GPU backend;
/// - `threads`: a pool of threads for the large products.
pub fn capabilities() -> Vec<&'static str> {
    let mut out = Vec::new();
    if cfg!(feature = "full") {
        out.extend(["full", "restore"]);
    }
    if cfg!(feature = "sequences") {
        out.push("sequences");
    }
    if cfg!(feature = "webgpu") {
        out.push("webgpu");
    }
    if cfg!(feature = "threads") {
        out.push("threads");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_capability_is_named_in_the_list() {
        let caps = capabilities();
        assert!(caps.iter().all(|c| ALL_CAPABILITIES.contains(c)));
        // The native tests build the default features: the full engine.
        assert!(caps.contains(&"full") && caps.contains(&"restore"));
    }
}
