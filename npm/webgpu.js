// The package's GPU entry, kept for code written when the gpu bindings had a build of their
// own: the main entry's build (`pkg/`) now carries them, so this is the main entry itself
// (one wasm instance, whichever entry a program imports).

export * from './index.js';
export { default } from './index.js';
