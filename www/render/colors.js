// Colour scales shared by every view: TF Playground's orange (−1) ↔ grey (0) ↔ blue (+1),
// and a categorical palette for multi-class outputs.

const NEG = [245, 147, 34]; // #f59322
const MID = [232, 234, 235]; // #e8eaeb
const POS = [8, 119, 189]; // #0877bd

/** Class colours; class 0/1 of a binary set are orange/blue like the playground. */
export const CLASS_COLORS = [
  [245, 147, 34], [8, 119, 189], [46, 160, 67], [200, 60, 160], [120, 90, 200], [220, 60, 60],
  [40, 170, 170], [150, 150, 40],
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
