// Types of the package's Sequences entry: the main entry's (its build `pkg/` carries the
// Sequences mode's bindings, `SequenceSession` and the rest).

export * from './index.js';
export { default } from './index.js';
