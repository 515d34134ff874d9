// Numbers for people: every loss and metric the page shows goes through `formatNumber`, so a
// run whose loss reaches 5e35 reads "5.24e+35" in the same few characters as "0.1234".

/** Below this magnitude a value is noise in f32 arithmetic, and reads as such. */
const NOISE_FLOOR = 1e-8;
/** Magnitudes shown in plain digits; outside, exponent form. */
const PLAIN_MIN = 1e-3;
const PLAIN_MAX = 1e4;

/**
 * `v` in at most `digits` significant digits: plain for 0.001 ≤ |v| < 10 000 ("0.1234",
 * "12.35", "1235"), exponent form outside ("5.24e+35", "-1.50e-7"), "0" for zero and "—"
 * for NaN, ±∞ and non-numbers. A value closer to 0 than 1e-8 (f32 noise, not a figure) reads
 * "< 1e-8" (or "> -1e-8"), the same in every view and language. The result is never longer
 * than `digits + 6` characters.
 */
export function formatNumber(v, digits = 4) {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '—';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < NOISE_FLOOR) return v > 0 ? '< 1e-8' : '> -1e-8';
  if (a >= PLAIN_MIN && a < PLAIN_MAX) {
    // toPrecision switches to exponent form only at 10^digits and above, past PLAIN_MAX.
    return v.toPrecision(digits);
  }
  return v.toExponential(Math.max(0, digits - 2));
}
