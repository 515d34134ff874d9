// The package's Sequences entry for Node: the main Node entry itself, whose build (`pkg/`)
// carries the Sequences mode's bindings (one wasm instance, whichever entry is imported).

export * from './node.js';
export { default } from './node.js';
