// What the page keeps in the tab's session storage over a reload: each mode's last snapshot
// (the session's bytes, as base64 text) under its own key, for the link it was taken at.

/** Session storage holds ~5 MB per origin (UTF-16); a larger snapshot is not kept. */
export const MAX_SAVED_CHARS = 2_000_000;

/** `bytes` as base64 text (in chunks: one call with millions of arguments would throw). */
function toBase64(bytes) {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/** The bytes of base64 `text`; throws on text that is not base64. */
function fromBase64(text) {
  const raw = atob(text);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

/**
 * Keeps `bytes` under `key` for a reload of the link `hash`. Bytes too large for the tab's
 * storage keep `tooLarge` instead (what the reload can still use), or nothing when it is
 * null. Storage that is full or turned off keeps nothing: the reload starts from the link.
 */
export function keepSnapshot(key, hash, bytes, tooLarge = null) {
  try {
    const fits = Math.ceil(bytes.length / 3) * 4 <= MAX_SAVED_CHARS;
    const snapshot = fits ? { bytes64: toBase64(bytes) } : tooLarge;
    const text = snapshot && JSON.stringify({ hash, snapshot });
    if (!text || text.length > MAX_SAVED_CHARS) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, text);
  } catch {
    // Storage full or turned off.
  }
}

/** What `keepSnapshot` kept under `key` for the link `hash` (its bytes as `bytes`), if any. */
export function keptSnapshot(key, hash) {
  try {
    const saved = JSON.parse(sessionStorage.getItem(key) || 'null');
    if (!saved || saved.hash !== hash) return undefined;
    const { bytes64, ...rest } = saved.snapshot;
    return bytes64 ? { ...rest, bytes: fromBase64(bytes64) } : rest;
  } catch {
    return undefined;
  }
}
