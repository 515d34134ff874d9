// Colour scales shared by every view: TF Playground's orange (−1) ↔ grey (0) ↔ blue (+1),
// and a categorical palette for multi-class outputs.

const NEG = [245, 147, 34]; // #f59322
const MID = [232, 234, 235]; // #e8eaeb
const POS = [8, 119, 189]; // #0877bd

/**
 * Twenty class colours, so up to 20 classes never share one (the engine caps a table's
 * classes higher; past 20 they repeat). Class 0/1 are the playground's orange/blue; the first
 * eight follow Okabe and Ito's colour-blind-safe set, the rest were picked to stay at least
 * 21 CIELAB units from every other and far from the map's grey midpoint.
 */
export const CLASS_COLORS = [
  [245, 147, 34], [8, 119, 189], [0, 158, 115], [204, 121, 167], [86, 180, 233], [213, 94, 0],
  [240, 228, 66], [68, 68, 68], [0, 0, 200], [240, 50, 230], [128, 0, 32], [110, 40, 150],
  [128, 128, 0], [70, 240, 240], [100, 60, 0], [170, 255, 195], [31, 45, 110], [60, 180, 75],
  [220, 190, 255], [27, 94, 32],
];

/** Fills `out` (length ≥ 3) with the RGB of `v` clamped to [−1, 1]. */
export function diverging(v, out) {
  let t = v > 1 ? 1 : v < -1 ? -1 : v;
  if (Number.isNaN(t)) t = 0;
  const a = t < 0 ? NEG : POS;
  const s = t < 0 ? -t : t;
  out[0] = MID[0] + (a[0] - MID[0]) * s;
  out[1] = MID[1] + (a[1] - MID[1]) * s;
  out[2] = MID[2] + (a[2] - MID[2]) * s;
  return out;
}

/** CSS colour string for a value in [−1, 1]. */
export function divergingCss(v) {
  const c = diverging(v, [0, 0, 0]);
  return `rgb(${c[0] | 0},${c[1] | 0},${c[2] | 0})`;
}

/** CSS colour for a class index (binary: 0 = orange / "−1", 1 = blue / "+1"). */
export function classCss(k) {
  const c = CLASS_COLORS[k % CLASS_COLORS.length];
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/** CSS colour for a point label given the task ("binary" | "regression" | "multiclass"). */
export function labelCss(label, task) {
  if (task === 'regression') return divergingCss(label);
  return classCss(Math.round(label));
}
