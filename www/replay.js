// The replay under the decision map: a scrubber over the engine's snapshots of the map
// (kept in the worker's session at geometrically spaced epochs), play/pause of the replay,
// and a WebM clip of the map through the browser's own MediaRecorder. Mixed into
// `Playground.prototype`; `this` is the playground.

import { h, say } from './dom.js';
import { formatNumber } from './format.js';
import { tr } from './i18n/index.js';

// Snapshots shown per second while the replay plays: 200 of them in about 13 s.
const REPLAY_FPS = 15;

export const replayMethods = {
  buildReplay() {
    const c = this.controls;
    c.replayPlay = h('button', { type: 'button', className: 'small replay-play', 'aria-label': tr('replay.play'), title: tr('replay.title'), textContent: '▶', onclick: () => this.toggleReplay() });
    c.replayScrub = h('input', { type: 'range', min: '0', max: '0', step: '1', value: '0', className: 'replay-scrub', dataset: { control: 'replay' }, 'aria-label': tr('replay.scrub') });
    c.replayScrub.addEventListener('input', () => this.showReplay(Number(c.replayScrub.value), { stop: true }));
    c.replayReadout = h('output', { className: 'replay-readout', textContent: tr('replay.live') });
    c.record = h('button', { type: 'button', className: 'text', textContent: tr('record'), title: tr('record.title'), onclick: () => this.recordClip() });
    c.record.hidden = typeof MediaRecorder === 'undefined' || !HTMLCanvasElement.prototype.captureStream;
    this.replay = { length: 0, index: null, frame: null, timer: null, request: 0 };
    return h('div', { className: 'replay', dataset: { key: 'replay' } }, c.replayPlay, c.replayScrub, c.record, c.replayReadout);
  },

  /** A frame said how many snapshots the engine holds; the scrubber's right end is live. */
  updateReplayLength(n) {
    const r = this.replay;
    const c = this.controls;
    const live = r.index === null;
    // Most frames bring no new snapshot: no DOM writes then.
    if (n === r.length && (!live || c.replayScrub.value === String(n))) return;
    r.length = n;
    c.replayScrub.max = String(n);
    // Fewer than before: the run started over, and what was shown is gone.
    if (!live && r.index >= n) this.showReplay(n, { stop: true });
    else if (live) c.replayScrub.value = String(n);
    this.root.dataset.replayFrames = String(n);
  },

  /** Shows snapshot `i` (fetched from the worker), or the live map for `i ≥ length`. */
  async showReplay(i, { stop = false } = {}) {
    const r = this.replay;
    const c = this.controls;
    if (stop) this.stopReplay();
    if (i >= r.length) {
      r.index = null;
      r.frame = null;
      c.replayScrub.value = String(r.length);
      say(c.replayReadout, 'textContent', tr('replay.live'));
      delete this.root.dataset.replayEpoch;
      this.schedule(false);
      return;
    }
    r.index = i;
    c.replayScrub.value = String(i);
    const ticket = ++r.request;
    let frame;
    try {
      frame = await this.call('replayFrame', i);
    } catch (err) {
      this.showError(err);
      return;
    }
    // A later move of the scrubber wins over a slow answer.
    if (ticket !== r.request || r.index !== i || !frame) return;
    r.frame = frame;
    say(c.replayReadout, 'textContent', tr('replay.readout', { epoch: frame.epoch.toLocaleString('en'), train: formatNumber(frame.train), test: Number.isFinite(frame.test) ? formatNumber(frame.test) : '—' }));
    this.root.dataset.replayEpoch = String(frame.epoch);
    this.schedule(false);
  },

  /** The replay's snapshot to draw instead of the live map, or null. */
  replayGrid() {
    return this.replay.index === null ? null : this.replay.frame;
  },

  toggleReplay() {
    if (this.replay.timer !== null) this.stopReplay();
    else this.playReplay();
  },

  /**
   * Steps through the snapshots from the one shown (the first when live) to live; with
   * `onEnd`, stops at the last snapshot and calls it instead (a clip keeps one map size).
   */
  playReplay(onEnd) {
    const r = this.replay;
    if (r.length === 0) return;
    this.stopReplay();
    let i = r.index === null ? 0 : r.index;
    const c = this.controls;
    c.replayPlay.textContent = '❚❚';
    say(c.replayPlay, 'aria-label', tr('replay.pause'));
    const step = () => {
      if (onEnd && i >= r.length) {
        this.stopReplay();
        onEnd();
        return;
      }
      this.showReplay(i);
      i += 1;
      if (i > r.length) {
        this.stopReplay();
        return;
      }
      r.timer = setTimeout(step, 1000 / REPLAY_FPS);
    };
    r.timer = setTimeout(step, 0);
  },

  stopReplay() {
    const r = this.replay;
    if (r.timer !== null) clearTimeout(r.timer);
    r.timer = null;
    const c = this.controls;
    c.replayPlay.textContent = '▶';
    say(c.replayPlay, 'aria-label', tr('replay.play'));
  },

  /** Records the map while the replay plays from the start, then offers the WebM file. */
  async recordClip() {
    const c = this.controls;
    if (this.replay.length === 0 || this.recorder) return;
    c.record.disabled = true;
    // The first snapshot drawn before recording starts, so the clip opens on it.
    await this.showReplay(0, { stop: true });
    await new Promise((resolve) => requestAnimationFrame(() => resolve()));
    const stream = c.heat.captureStream(REPLAY_FPS);
    const type = ['video/webm;codecs=vp9', 'video/webm'].find((t) => MediaRecorder.isTypeSupported?.(t)) || '';
    const rec = new MediaRecorder(stream, type ? { mimeType: type } : undefined);
    const chunks = [];
    rec.ondataavailable = (e) => { if (e.data.size) chunks.push(e.data); };
    rec.onstop = () => {
      this.recorder = null;
      c.record.disabled = false;
      this.showReplay(this.replay.length);
      const url = URL.createObjectURL(new Blob(chunks, { type: 'video/webm' }));
      const a = h('a', { href: url, download: 'nn-playground-replay.webm' });
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      this.showStatus({ key: 'recorded' });
    };
    this.recorder = rec;
    rec.start();
    this.playReplay(() => setTimeout(() => rec.stop(), 200));
  },
};
