// Types of the package's `<nn-playground>` element (www/element.js): its attributes, the
// class, and the tag in `HTMLElementTagNameMap` so `document.querySelector('nn-playground')`
// is typed.

/**
 * The element's attributes. Each becomes a setting of the playground's link hash; changing
 * one after the element has started rebuilds it with the new settings (`lang` excepted: it
 * switches the language and keeps the run).
 */
export interface NnPlaygroundAttributes {
  /** One of the page's dataset names, e.g. `circle`, `xor`, `gauss`, `spiral`. */
  dataset?: string;
  /** Hidden layer widths, comma-separated: `"8,8"`; `""` for no hidden layer. */
  layers?: string;
  /** `tanh`, `relu`, `sigmoid`, `linear`, … */
  activation?: string;
  'learning-rate'?: string;
  noise?: string;
  seed?: string;
  /** Input features, comma-separated: `"x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2"`. */
  features?: string;
  'batch-size'?: string;
  regularization?: string;
  optimizer?: string;
  /** Epochs per second (`"60"`) or `"max"`. */
  speed?: string;
  /**
   * The language: `en` or `zh` (`zh-CN`, `zh-Hans`, `en-GB`, … read as those); without it
   * the browser's. One per document: every element on a page shows the one set last.
   */
  lang?: string;
  /**
   * `auto` (default: one thread per core in a cross-origin isolated page, else 1), a number
   * to cap it, or `1`. More than one needs the page served with COOP/COEP headers.
   */
  threads?: string;
  /** Control keys to hide, comma-separated: `"regularization,noise,upload,model,share"`. */
  hide?: string;
  /** Present: start training as soon as the element is ready. */
  autoplay?: '' | boolean;
  /** A full link hash (`"dataset=xor&networkShape=4"`); the other attributes override it. */
  config?: string;
  /**
   * `"sequence"`: the Sequences mode instead of the 2-D playground, an attention demo. It
   * reads `task`, `length`, `vocab`, `offset`, `modulus`, `blocks`, `heads`, `width`,
   * `ff-units`, `dropout`, `causal`, `optimizer`, `learning-rate`, `warmup`, `batch-size`,
   * `seed`, `speed` (steps per second or `"max"`), `lang`, `autoplay` and `config` (a
   * Sequences-mode hash).
   */
  mode?: 'sequence' | 'playground';
  /** Sequences mode: `reverse`, `sort`, `copy_offset`, `most_frequent`, `balanced_brackets`, `addition`, `modular_addition`. */
  task?: string;
  /** Sequences mode: tokens per sequence. */
  length?: string;
  /** Sequences mode: how many distinct tokens. */
  vocab?: string;
  /** Sequences mode, `copy_offset`: how many places back the answer is. */
  offset?: string;
  /** Sequences mode, `modular_addition`: `p`. */
  modulus?: string;
  /** Sequences mode: transformer blocks (1–4). */
  blocks?: string;
  /** Sequences mode: attention heads (1–4); they must divide `width`. */
  heads?: string;
  /** Sequences mode: model width. */
  width?: string;
  'ff-units'?: string;
  dropout?: string;
  /** Sequences mode: `"true"` for causal attention. */
  causal?: string;
  warmup?: string;
}

/** The UI an element mounts (www/playground.js, or www/sequence/page.js in the Sequences
 *  mode); not a stable API beyond this. */
export interface NnPlaygroundInstance {
  /** Resolves when the training worker has built its session. */
  readonly ready: Promise<void>;
  togglePlay(): void;
  destroy(): void;
}

/**
 * `<nn-playground>`: a complete playground in a shadow root, with its own training worker
 * (www/worker.js, found beside the module). It dispatches no events of its own; its state
 * is readable from the `data-*` attributes of the `.nnp` element inside its shadow root
 * (`data-ready`, `data-running`, `data-epoch`, `data-test-loss`, `data-train-loss`; in the
 * Sequences mode `.nnp.seq` with `data-ready`, `data-running`, `data-step`).
 */
export declare class NnPlayground extends HTMLElement {
  static readonly observedAttributes: string[];
  /** The mounted playground, or null while disconnected. */
  playground: NnPlaygroundInstance | null;
  /** The link hash the attributes describe. */
  hash(): string;
  /** Rebuilds the playground from the attributes. */
  start(): void;
  connectedCallback(): void;
  disconnectedCallback(): void;
  attributeChangedCallback(name: string, before: string | null, after: string | null): void;
}

declare global {
  interface HTMLElementTagNameMap {
    'nn-playground': NnPlayground;
  }
}
