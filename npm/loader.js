// The package's wasm loader for browsers and bundlers: fetches the engine's .wasm from the
// URL its entry module computed (next to it, through `import.meta.url`) and, when that file
// is missing, fails with a message naming it instead of WebAssembly's bare "not ok".

/**
 * Wraps a wasm-bindgen `init` so that a call without arguments loads `url` once, and a
 * failed load can be retried (after the file has been put in place).
 * @param {Function} wasmInit  the bindings' default export
 * @param {URL} url            where the .wasm lies, resolved from the entry module
 */
export function wrapInit(wasmInit, url) {
  let ready = null;
  return function init(input) {
    // An explicit source (bytes, a Response, a URL) is the caller's choice: pass it through.
    if (input !== undefined) return wasmInit(input);
    ready ??= load(wasmInit, url).catch((e) => {
      ready = null;
      throw e;
    });
    return ready;
  };
}

async function load(wasmInit, url) {
  const file = url.pathname.split('/').pop();
  let response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new Error(`nn-playground: cannot fetch the engine's ${file} from ${url}: ${e.message}`);
  }
  if (!response.ok) {
    throw new Error(
      `nn-playground: the engine's ${file} is missing: ${url} answered HTTP ${response.status}. ` +
        `Serve the package's ${file} next to its JavaScript (bundlers copy it when they see ` +
        "new URL(…, import.meta.url); a CDN or a copied folder must keep it beside the .js files).",
    );
  }
  return wasmInit({ module_or_path: response });
}
