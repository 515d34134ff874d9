// The loss chart: train (grey) and test (dark) loss per epoch on a canvas, log-free and
// rescaled to the largest value seen, like the playground's little line chart.

export function paintLossChart(canvas, train, test) {
  const dpr = globalThis.devicePixelRatio || 1;
  const w = canvas.clientWidth || 200;
  const h = canvas.clientHeight || 60;
  if (canvas.width !== Math.round(w * dpr)) canvas.width = Math.round(w * dpr);
  if (canvas.height !== Math.round(h * dpr)) canvas.height = Math.round(h * dpr);
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  const n = Math.max(train.length, test.length);
  if (n < 1) return;
  let max = 1e-9;
  for (const v of train) if (Number.isFinite(v)) max = Math.max(max, v);
  for (const v of test) if (Number.isFinite(v)) max = Math.max(max, v);
  // Reading computed style forces a style pass; the theme colours are read once per canvas.
  if (!canvas.lineColors) {
    const styles = getComputedStyle(canvas);
    canvas.lineColors = [styles.getPropertyValue('--train-line').trim() || '#999', styles.getPropertyValue('--test-line').trim() || '#222'];
  }
  const line = (series, color, width) => {
    if (!series.length) return;
    ctx.beginPath();
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    series.forEach((v, i) => {
      const x = n === 1 ? w : (i / (n - 1)) * (w - 2) + 1;
      const y = h - 2 - (Math.min(Math.max(v, 0), max) / max) * (h - 4);
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    });
    ctx.stroke();
  };
  line(train, canvas.lineColors[0], 1.5);
  line(test, canvas.lineColors[1], 1.5);
}
