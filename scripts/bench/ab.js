'use strict';
// usage: node scripts/bench/ab.js BASE_CHECKOUT [--reps N] [--only 'eval batch 1,…'] [--json]
// A/B of this checkout (new) against another built one (base; e.g. `git worktree add --detach
// /tmp/ab-base <commit>`, node_modules copied, `npm run build && node scripts/build-addon.js`
// there): both addons are loaded in this one process and every configuration runs new, base,
// base, new, … so both see the same load. Configurations (bench:eval's and bench:train's):
// eval batch 1 and 64 (2 MiB), eval batch 1 with the scalar kernels (256 KiB), scale training
// batch 1, 16, 64 (3 s each), all on one thread. Prints, per configuration, the median bytes
// per CPU-second of this process (robust on a shared machine) and per wall second, and the
// ratio new/base. --reps 1 is a smoke run (about a minute); pin it (`taskset -c 1`) and take
// 5+ reps for figures.
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { api, corpusPath } = require('./common');

async function evalRate(lib, batch, bytes, isa) {
  const corpus = lib.Corpus.open(corpusPath('enwiki-2016-sample.xml'));
  const model = new lib.Model(128);
  let s = 1;
  for (let i = 0; i < model.params.length; i++) { s = (s * 1103515245 + 12345) >>> 0; model.params[i] = (s / 2 ** 32 - 0.5) / 8; }
  const ranges = batch === 1 ? [[0, bytes]] : lib.splitRange([0, bytes], batch);
  await lib.evaluate(model, corpus, { ranges: [[0, 65536]], threads: 1, isa });  // warm-up
  return timed(async () => (await lib.evaluate(model, corpus, { ranges, threads: 1, isa })).positions);
}

async function trainRate(lib, batch) {
  const corpus = lib.Corpus.open(corpusPath('enwiki-2016-sample.xml'));
  // A 4 KB test split: train() now spends part of --seconds on a final evaluation of the whole
  // split (the base at 1ef74c0 did not), which must not count against its training rate.
  const opts = { corpus, recipe: 'scale', hidden: 128, batch, threads: 1, evalEvery: 1e9, testBytes: 4096, testFraction: 0.001 };
  await lib.train({ ...opts, steps: 3 });  // warm-up
  return timed(async () => (await lib.train({ ...opts, seconds: 3 })).steps * batch * 50);
}

async function timed(run) {
  const c0 = process.cpuUsage(), t0 = process.hrtime.bigint();
  const bytes = await run();
  const c = process.cpuUsage(c0), wall = Number(process.hrtime.bigint() - t0) / 1e9;
  return { cpu: bytes / ((c.user + c.system) / 1e6), wall: bytes / wall };
}

const median = (v) => { const s = [...v].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

async function main() {
  const { values: opts, positionals } = parseArgs({
    options: { json: { type: 'boolean', default: false }, reps: { type: 'string', default: '5' }, only: { type: 'string' } }, allowPositionals: true,
  });
  const other = positionals[0];
  const reps = Number(opts.reps);
  if (!other || !Number.isInteger(reps) || reps < 1) { console.error('usage: node scripts/bench/ab.js BASE_CHECKOUT [--reps N ≥ 1] [--json]'); process.exit(2); }
  const baseIndex = path.join(path.resolve(other), 'dist', 'index.js');
  if (!fs.existsSync(baseIndex)) { console.error(`ab: ${baseIndex} is missing: build the base checkout first (npm run build && node scripts/build-addon.js)`); process.exit(2); }
  const libs = { this: api(), other: require(baseIndex) };
  if (!opts.json) process.stdout.write(`new = ${path.resolve(__dirname, '..', '..')}, base = ${path.resolve(other)}; ${reps} rep(s), ratio = new/base\n`);
  const all = [
    ['eval batch 1', (l) => evalRate(l, 1, 2 << 20)],
    ['eval batch 64', (l) => evalRate(l, 64, 2 << 20)],
    ['eval batch 1 scalar', (l) => evalRate(l, 1, 256 << 10, 'scalar')],
    ['train batch 1', (l) => trainRate(l, 1)],
    ['train batch 16', (l) => trainRate(l, 16)],
    ['train batch 64', (l) => trainRate(l, 64)],
  ];
  // --only 'eval batch 1,train batch 16': more reps of the configurations in doubt
  const only = opts.only?.split(',').map((x) => x.trim());
  const configs = only ? all.filter(([name]) => only.includes(name)) : all;
  if (configs.length === 0) { console.error(`ab: --only names none of: ${all.map(([n]) => n).join(', ')}`); process.exit(2); }
  const rows = new Map(configs.map(([name]) => [name, { this: [], other: [] }]));
  for (let rep = 0; rep < reps; rep++) {
    for (const [name, fn] of configs) {
      for (const v of rep % 2 ? ['other', 'this'] : ['this', 'other']) rows.get(name)[v].push(await fn(libs[v]));
    }
  }
  for (const [name, r] of rows) {
    const m = (v, k) => median(r[v].map((x) => x[k]));
    const row = { bench: 'ab', config: name, reps: r.this.length, newCpu: Math.round(m('this', 'cpu')), baseCpu: Math.round(m('other', 'cpu')),
      cpuRatio: Number((m('this', 'cpu') / m('other', 'cpu')).toFixed(3)), wallRatio: Number((m('this', 'wall') / m('other', 'wall')).toFixed(3)) };
    if (opts.json) process.stdout.write(JSON.stringify(row) + '\n');
    else process.stdout.write(`${name.padEnd(20)} new ${(row.newCpu / 1e3).toFixed(0).padStart(5)}k  base ${(row.baseCpu / 1e3).toFixed(0).padStart(5)}k bytes per CPU-second  new/base ${row.cpuRatio.toFixed(3)} (wall ${row.wallRatio.toFixed(3)})\n`);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
