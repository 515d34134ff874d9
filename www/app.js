// The full-page playground: builds the UI into #app, keeps the URL hash in step with the
// settings (seed included) so a link reproduces the setup, and reacts to edited hashes.

import { Playground } from './playground.js';

const host = document.getElementById('app');
let playground = null;
let writing = '';

function start() {
  playground?.destroy();
  playground = new Playground(host, { hash: location.hash.slice(1), onChange: syncHash });
  // A handle for scripted checks and the browser console; it exposes no more than the UI does.
  globalThis.playground = playground;
}

let pendingSync = null;
function syncHash(p) {
  if (p !== playground) return;
  clearTimeout(pendingSync);
  pendingSync = setTimeout(async () => {
    try {
      const hash = await p.shareHash(false);
      if (hash !== location.hash.slice(1)) {
        writing = hash;
        history.replaceState(null, '', `#${hash}`);
      }
    } catch {
      // The worker reports its own errors in the page.
    }
  }, 100);
}

window.addEventListener('hashchange', () => {
  // Our own replaceState does not fire this; a pasted link does.
  if (location.hash.slice(1) !== writing) start();
});

start();
