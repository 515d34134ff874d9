// Disposed handles: after `free()` (or a `using` block's end) a model or session answers
// every call with an error saying it was disposed, where wasm-bindgen's own check says only
// "null pointer passed to rust". wasm-bindgen zeroes a handle's pointer before Rust sees the
// call, so the check lives here, in front of each method of the engine's classes.

/**
 * Puts the check in front of every method and getter of each class in `api` that has
 * `free()` (the wasm-bindgen classes: `Sequential`, `SequenceSession`, …), once.
 * @param {Record<string, unknown>} api  the bindings' exports
 */
export function guardDisposed(api) {
  for (const [name, cls] of Object.entries(api)) {
    const proto = typeof cls === 'function' ? cls.prototype : null;
    if (!proto || typeof proto.free !== 'function' || proto[GUARDED]) continue;
    Object.defineProperty(proto, GUARDED, { value: true });
    for (const key of Object.getOwnPropertyNames(proto)) {
      // `free` itself, and wasm-bindgen's own helpers (`__destroy_into_raw`, which a call
      // taking a handle by value makes), stay as they are.
      if (key === 'constructor' || key === 'free' || key.startsWith('__')) continue;
      const d = Object.getOwnPropertyDescriptor(proto, key);
      const check = (self) => {
        if (self && self.__wbg_ptr === 0) throw disposedError(name);
      };
      if (typeof d.value === 'function') {
        const method = d.value;
        d.value = function (...args) {
          check(this);
          return method.apply(this, args);
        };
      } else if (d.get) {
        const get = d.get;
        d.get = function () {
          check(this);
          return get.call(this);
        };
      } else {
        continue;
      }
      Object.defineProperty(proto, key, d);
    }
  }
}

const GUARDED = Symbol('nn-playground: disposed check');

function disposedError(name) {
  const e = new Error(`this ${name} was disposed (free() was called); make a new one`);
  e.code = 'disposed';
  return e;
}
