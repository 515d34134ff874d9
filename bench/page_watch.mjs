// What the benchmarks inject into the playground page before its own scripts (Playwright's
// `addInitScript`, which sends the function's source): it presses play as soon as the page
// says it is ready and notes when the first epoch is reported, both in milliseconds from
// navigation start, in `window.__firstEpoch = {ready, epoch}`.

export function watchFirstEpoch() {
  window.__firstEpoch = {};
  const check = () => {
    const host = document.querySelector('[data-ready]');
    if (!host) return;
    const w = window.__firstEpoch;
    if (w.ready === undefined && host.dataset.ready === 'true') {
      w.ready = performance.now();
      const play = host.querySelector('button.play');
      if (host.dataset.running !== 'true' && play) play.click();
    }
    if (w.epoch === undefined && Number(host.dataset.epoch) >= 1) w.epoch = performance.now();
  };
  new MutationObserver(check).observe(document, { subtree: true, attributes: true, childList: true });
}
