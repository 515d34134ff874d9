// Soak benchmark: trains the playground's 2-8-8-1 problem (circle, features x and y, two
// hidden layers of 8) through the wasm `Session` for at least 10⁶ optimiser steps, doing
// what the page's worker does between slices (decision grid, metrics, network, loss history,
// now and then a model export), and samples the size of the wasm linear memory every 10⁵
// steps. Memory that keeps growing after the first sample is a leak: the script then exits
// with status 1.
//
// Run: cargo xtask soak   (or: cargo xtask bench, which runs it after the kernel benchmark)
// By hand after `cargo xtask build`: node bench/soak.mjs [--steps 1000000] [--every 100000]
//   [--pkg pkg] [--json]

import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

function parseArgs(argv) {
  const opts = { steps: 1_000_000, every: 100_000, pkg: 'pkg', json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--steps') opts.steps = Number(next());
    else if (a === '--every') opts.every = Number(next());
    else if (a === '--pkg') opts.pkg = next();
    else if (a === '--json') opts.json = true;
    else throw new Error(`unknown option ${a}`);
  }
  if (!(opts.steps >= opts.every && opts.every >= 1)) throw new Error('need --steps ≥ --every ≥ 1');
  return opts;
}

const MiB = 1024 * 1024;

export async function soak({ steps, every, pkg }) {
  const dir = path.resolve(pkg);
  const wasm = await import(pathToFileURL(path.join(dir, 'nn_playground.js')).href);
  const exports = wasm.initSync({ module: fs.readFileSync(path.join(dir, 'nn_playground_bg.wasm')) });
  const memory = exports.memory;
  const cfg = wasm.configFromHash('dataset=circle&features=x1,x2&networkShape=8,8&batchSize=10&learningRate=0.03&seed=1').config;
  const session = new wasm.Session(cfg);
  const samples = [];
  let done = 0;
  let sent = 0;
  let nextSample = every;
  let views = 0;
  const t0 = performance.now();
  while (done < steps) {
    // One "slice" of the worker: a few epochs, then the frame's views.
    done += session.trainEpochs(4);
    session.decisionGrid(50);
    const hist = session.lossHistoryFrom(sent);
    sent += hist.length / 3; // [train, test, validation] per entry
    if (++views % 25 === 0) {
      session.metrics();
      session.network();
      session.neuronGrids(20);
      session.exportModel();
    }
    if (done >= nextSample) {
      samples.push({ steps: done, bytes: memory.buffer.byteLength, seconds: (performance.now() - t0) / 1000, trainLoss: session.trainLoss() });
      nextSample += every;
    }
  }
  const first = samples[0].bytes;
  const last = samples[samples.length - 1].bytes;
  return { steps: done, epochs: session.epoch(), samples, firstBytes: first, lastBytes: last, flat: last === first, seconds: (performance.now() - t0) / 1000 };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const opts = parseArgs(process.argv.slice(2));
  const r = await soak(opts);
  if (opts.json) {
    console.log(JSON.stringify(r));
  } else {
    console.log(`soak: ${r.steps.toLocaleString('en')} steps (${r.epochs.toLocaleString('en')} epochs) of the 2-8-8-1 circle problem in ${r.seconds.toFixed(1)} s`);
    console.log('| steps | wasm memory (MiB) | train loss | elapsed (s) |');
    console.log('| ---: | ---: | ---: | ---: |');
    for (const s of r.samples) console.log(`| ${s.steps.toLocaleString('en')} | ${(s.bytes / MiB).toFixed(2)} | ${s.trainLoss.toPrecision(3)} | ${s.seconds.toFixed(1)} |`);
    console.log(r.flat
      ? `wasm memory stayed flat at ${(r.lastBytes / MiB).toFixed(2)} MiB from the first sample to the last`
      : `wasm memory grew from ${(r.firstBytes / MiB).toFixed(2)} to ${(r.lastBytes / MiB).toFixed(2)} MiB after the first sample`);
  }
  if (!r.flat) process.exit(1);
}
