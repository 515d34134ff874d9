// What the page keeps in the tab's session storage over a reload (app.js writes it): its
// size cap, and the session's snapshot bytes as base64 text.

/** Session storage holds ~5 MB per origin (UTF-16); a larger snapshot is not kept. */
export const MAX_SAVED_CHARS = 2_000_000;

/** `bytes` as base64 text (in chunks: one call with millions of arguments would throw). */
export function toBase64(bytes) {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/** The bytes of base64 `text`; throws on text that is not base64. */
export function fromBase64(text) {
  const raw = atob(text);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}
