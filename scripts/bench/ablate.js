'use strict';
// usage: npm run bench:ablate -- [--budget 60] [--variants old,default,…] [--corpora enwiki,postgres]
//          [--seeds 1,2,3] [--results ablation.jsonl] [--table]
// The scale recipe's ablation (docs/training.md): each variant changes one choice of the
// default (or restores the pre-issue-16 recipe, `old`) and trains on one thread, batch 64,
// for a fixed number of steps equivalent to `--budget` seconds at this machine's quiet
// single-thread rate (RATE below, from `npm run bench:train -- --batch 64 --threads 1`), so
// the result does not depend on the load. Test bpc = the whole test split (last 10 %).
// Each finished run is appended to --results as a JSON line and skipped when re-run;
// --table prints the markdown table (mean and min–max over seeds) from that file.
const fs = require('node:fs');
const { api, corpusPath, options } = require('./common');

const RATE = 240000; // bytes/s: quiet single-thread rate of the scale recipe at batch 64 (docs/training.md)
const CORPORA = { enwiki: 'enwiki-2016-sample.xml', postgres: 'postgresql-doc-15.html.txt' };
// A variant is `default`, `old` (the scale recipe before issue 16) or changes to the
// default joined by '+', e.g. `init=study`, `lr=3e-3+decay=0.2`. Every run spells out all
// the choices, so it means the same whatever the defaults are when it runs; BASE must
// equal RECIPE_DEFAULTS.scale (checked).
const BASE = { initScheme: 'pytorch', schedule: 'warmup-cosine', warmup: 100, decay: 0.2, lr: 5e-3, window: 50, clip: 1 };
const KEYS = { init: ['initScheme', String], schedule: ['schedule', String], warmup: ['warmup', Number], decay: ['decay', Number],
  lr: ['lr', Number], window: ['window', Number], clip: ['clip', Number] };
// The choices before the clip moved to 1 were ablated against a clip of 5: their rows are named
// with clip=5 (a run's name comes from its options).
const DEFAULT_VARIANTS = ['old', 'default', 'clip=5', 'lr=3e-3+clip=5', 'lr=2e-3+clip=5', 'init=study+clip=5',
  'schedule=constant+clip=5', 'decay=1+clip=5'];

function variantOptions(name) {
  if (name === 'default') return { ...BASE };
  if (name === 'old') return { ...BASE, initScheme: 'study', schedule: 'constant', lr: 2e-3, clip: 5 };
  const o = { ...BASE };
  for (const part of name.split('+')) {
    const [k, v] = part.split('=');
    if (!KEYS[k] || v === undefined) throw new Error(`bad variant ${name}: use default, old or key=value joined by + (keys ${Object.keys(KEYS).join(', ')})`);
    o[KEYS[k][0]] = KEYS[k][1](v);
  }
  return o;
}

// A run's name from its options, relative to today's BASE: rows are matched by what they ran,
// so a row recorded under an older default keeps its meaning when the default changes.
// A constant schedule has no warm-up or decay: those fields are not part of its name.
function canonical(o) {
  const fields = Object.entries(KEYS).filter(([k]) => o.schedule !== 'constant' || (k !== 'warmup' && k !== 'decay'));
  const same = (a) => a.schedule === o.schedule && fields.every(([, [f]]) => a[f] === o[f]);
  if (same(BASE)) return 'default';
  if (same(variantOptions('old'))) return 'old';
  const shown = (k, v) => (k === 'lr' ? v.toExponential() : String(v));
  return fields.filter(([, [f]]) => o[f] !== BASE[f]).map(([k, [f]]) => `${k}=${shown(k, o[f])}`).join('+');
}

function stepsFor(budget, variant) {
  const window = variant.window ?? 50;
  return Math.round((budget * RATE) / (64 * window));
}

function key(r) {
  return `${canonical(r.options)}|${r.corpus}|${r.seed}|${r.budget}`;
}

function readResults(file) {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

function table(rows, variants) {
  const budgets = [...new Set(rows.map((r) => r.budget))].sort((a, b) => a - b);
  const corpora = Object.keys(CORPORA).filter((c) => rows.some((r) => r.corpus === c));
  const cols = [];
  for (const b of budgets) for (const c of corpora) cols.push([b, c]);
  const lines = [`| variant | ${cols.map(([b, c]) => `${c} ${b} s (${stepsFor(b, {})} steps)`).join(' | ')} |`,
    `|---|${cols.map(() => '---').join('|')}|`];
  for (const v of variants) {
    const cells = cols.map(([b, c]) => {
      const xs = rows.filter((r) => canonical(r.options) === v && r.budget === b && r.corpus === c).map((r) => r.testBpc);
      if (xs.length === 0) return 'not run';
      const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
      return xs.length === 1 ? `${mean.toFixed(3)} (1 seed)` : `${mean.toFixed(3)} (${Math.min(...xs).toFixed(3)}–${Math.max(...xs).toFixed(3)}, ${xs.length} seeds)`;
    });
    if (cells.some((c) => c !== 'not run')) lines.push(`| ${v} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

async function main() {
  const opts = options({
    budget: { type: 'string', default: '60' },
    variants: { type: 'string', default: DEFAULT_VARIANTS.join(',') },
    corpora: { type: 'string', default: 'enwiki,postgres' },
    seeds: { type: 'string', default: '1,2,3' },
    results: { type: 'string', default: 'ablation.jsonl' },
    table: { type: 'boolean', default: false },
  });
  const variants = opts.variants.split(',').map((v) => canonical(variantOptions(v)));
  if (opts.table) {
    process.stdout.write(table(readResults(opts.results), variants) + '\n');
    return;
  }
  const { Corpus, train, RECIPE_DEFAULTS } = api();
  const d = RECIPE_DEFAULTS.scale;
  for (const [k, v] of Object.entries({ initScheme: d.init, schedule: d.schedule, warmup: d.warmup, decay: d.decay, lr: d.lr, window: d.window, clip: d.clip })) {
    if (BASE[k] !== v) throw new Error(`ablate.js BASE.${k} = ${BASE[k]} but the scale recipe's default is ${v}: update BASE`);
  }
  const budget = Number(opts.budget);
  const done = new Set(readResults(opts.results).map(key));
  for (const seed of opts.seeds.split(',').map(Number)) {
    for (const c of opts.corpora.split(',')) {
      const corpus = Corpus.open(corpusPath(CORPORA[c]));
      for (const variant of variants) {
        const v = variantOptions(variant);
        const row = { variant, corpus: c, seed, budget, options: v };
        if (done.has(key(row))) continue;
        const steps = stepsFor(budget, v);
        const t0 = Date.now();
        const r = await train({ corpus, recipe: 'scale', batch: 64, threads: 1, seed, steps, ...v });
        Object.assign(row, {
          steps, testBpc: Number(r.testBpc.toFixed(4)), trainBpc: Number(r.trainBpc.toFixed(4)),
          bytesPerSecond: Math.round(r.bytesPerSecond), seconds: Number(((Date.now() - t0) / 1000).toFixed(1)),
          evalSeconds: Number(r.evalSeconds.toFixed(2)), finalEvalSeconds: Number(r.finalEvalSeconds.toFixed(2)),
          // the periodic sample's [step, bpc] points: where a long run diverged, and whether it recovered
          testCurve: r.testCurve.map(([s, b]) => [s, Number(b.toFixed(3))]),
        });
        fs.appendFileSync(opts.results, JSON.stringify(row) + '\n');
        process.stdout.write(JSON.stringify(row) + '\n');
      }
    }
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
