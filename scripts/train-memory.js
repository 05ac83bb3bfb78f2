#!/usr/bin/env node
// Checks trainMemoryBytes (lib/train/memory.ts) against the process: the peak RSS growth of a
// 2-step training run, per shape, in a fresh process each (docs/reliability.md).
//   node scripts/train-memory.js            (after npm run build)
'use strict';
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const dist = path.join(__dirname, '..', 'dist');
const shapes = [[128, 64, 50, 1], [512, 512, 50, 2], [1024, 64, 50, 1]];
const child = (H, B, T, threads) => `
const d = require(${JSON.stringify(dist)});
const corpus = d.Corpus.fromBytes(Buffer.alloc(1 << 20, 97));
const before = process.resourceUsage().maxRSS;
d.train({ corpus, hidden: ${H}, batch: ${B}, window: ${T}, threads: ${threads}, steps: 2, evalEvery: 1e6 }).then(() => {
  const grown = (process.resourceUsage().maxRSS - before) * 1024;
  const est = d.trainMemoryBytes({ hidden: ${H}, batch: ${B}, window: ${T}, threads: ${threads}, adam: true, trackBest: false });
  console.log(JSON.stringify({ hidden: ${H}, batch: ${B}, window: ${T}, threads: ${threads}, estimateMiB: +(est / 2 ** 20).toFixed(1), peakRssGrowthMiB: +(grown / 2 ** 20).toFixed(1) }));
});`;
for (const s of shapes) process.stdout.write(execFileSync(process.execPath, ['-e', child(...s)], { encoding: 'utf8' }));
