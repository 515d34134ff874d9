// Canvas sizing shared by the drawings: a canvas backed by device pixels, drawn in CSS pixels.

/**
 * Sizes `canvas`'s backing store to its CSS box times the device pixel ratio, clears it and
 * returns its 2-D context with a transform to CSS pixels, and the CSS width and height.
 */
export function fitCanvas(canvas) {
  const dpr = globalThis.devicePixelRatio || 1;
  const w = canvas.clientWidth || canvas.width;
  const h = canvas.clientHeight || canvas.height;
  if (canvas.width !== Math.round(w * dpr)) canvas.width = Math.round(w * dpr);
  if (canvas.height !== Math.round(h * dpr)) canvas.height = Math.round(h * dpr);
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  return { ctx, w, h };
}
