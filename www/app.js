// The full-page playground: builds the UI into #app, keeps the URL hash in step with the
// settings (seed included) once they change, so a link reproduces the setup, and reacts to
// edited hashes. The worker's last snapshot (settings, weights, custom points) is kept in
// this tab's session storage, so a plain reload of the same address comes back with the
// trained model. The page's static texts follow the language the playground shows. A switch
// at the top picks the mode: the 2-D playground or Sequences; each mode keeps its own UI,
// worker and state while the other is shown, and the address holds the shown mode's link.

import { Playground } from './playground.js';
import { keepSnapshot, keptSnapshot } from './storage.js';
import { t, htmlLang, onLangChange } from './i18n/index.js';
import { ModeSwitch, isSequenceLink } from './sequence/mode.js';

/** The page's own static texts (`data-i18n` keys in index.html) in the page's language. */
function sayPage() {
  document.documentElement.lang = htmlLang();
  for (const e of document.querySelectorAll('[data-i18n]')) e.textContent = t(e.dataset.i18n);
}
sayPage();
onLangChange(sayPage);

const app = document.getElementById('app');
const modes = new ModeSwitch(app, (mode) => showMode(mode));
const host = modes.hosts.playground;
let playground = null;
let writing = '';

const SAVED = 'nn-playground:before-reload';

/** The snapshot saved for this very address, if any (see `saveSnapshot`). */
function savedSnapshot() {
  return keptSnapshot(SAVED, location.hash.slice(1));
}

/**
 * Keeps the worker's last snapshot (the session's bytes) for a reload of this address. One
 * too large for the tab's storage keeps only the settings, and says how many rows of
 * uploaded data the reload must ask for again.
 */
function saveSnapshot(p, snapshot) {
  if (p !== playground || !snapshot) return;
  const settings = { config: snapshot.config };
  if (snapshot.config.dataset === 'custom') settings.dataLost = { rows: snapshot.rows };
  keepSnapshot(SAVED, location.hash.slice(1), snapshot.bytes, settings);
}

function start(restore, hash = location.hash.slice(1)) {
  playground?.destroy();
  const p = new Playground(host, { hash, onChange: syncHash, restore, onSnapshot: saveSnapshot });
  playground = p;
  // A handle for scripted checks and the browser console; it exposes no more than the UI does.
  globalThis.playground = p;
  // The settings as the link gave them: until the person changes one, the address stays as
  // pasted (with a refused key or the weights in it), so Back and a copy still have it.
  p.ready.then(() => p.shareHash(false)).then((hash) => { p.linkHash = hash; }, () => { p.linkHash = null; });
}

let pendingSync = null;
function syncHash(p) {
  if (p !== playground) return;
  clearTimeout(pendingSync);
  pendingSync = setTimeout(async () => {
    try {
      const hash = await p.shareHash(false);
      if (p.linkHash === undefined) return;
      if (!p.changedSinceLink && hash === p.linkHash) return;
      p.changedSinceLink = true;
      if (hash !== location.hash.slice(1)) {
        writing = hash;
        history.replaceState(null, '', `#${hash}`);
        // The last snapshot belongs to the new address now.
        saveSnapshot(p, p.lastGood);
      }
    } catch {
      // The worker reports its own errors in the page.
    }
  }, 100);
}

/** Shows `mode`, starting it the first time, and puts its link in the address. */
async function showMode(mode) {
  modes.show(mode);
  if (mode === 'sequence') {
    if (playground?.root?.dataset.running === 'true') playground.togglePlay();
    const seq = modes.sequence || modes.startSequence('mode=sequence', writeHash);
    await seq.ready;
    writeHash(await seq.shareHash());
  } else {
    modes.pauseSequence();
    // Started from a Sequences link, the playground begins at its defaults.
    if (!playground) start(undefined, '');
    await playground.ready;
    writeHash(await playground.shareHash(false));
  }
}

function writeHash(hash) {
  if (hash === location.hash.slice(1)) return;
  writing = hash;
  history.replaceState(null, '', `#${hash}`);
}

function route(restore) {
  const hash = location.hash.slice(1);
  if (isSequenceLink(hash)) {
    modes.show('sequence');
    modes.startSequence(hash, writeHash);
  } else {
    modes.show('playground');
    start(restore);
  }
}

window.addEventListener('hashchange', async () => {
  // Our own replaceState does not fire this; a pasted link does.
  const hash = location.hash.slice(1);
  if (hash === writing) return;
  // The same run with another thread count, pace or language goes on where it is.
  if (!isSequenceLink(hash) && playground && document.documentElement.dataset.mode !== 'sequence' && (await playground.keepRunFor(hash))) return;
  route();
});

route(savedSnapshot());
