'use strict';
// usage: npm run bench:study [-- --json] [-- --corpus FILE] [-- --model FILE] [-- --threads 2] [-- --out DIR] [-- --only STAGE]
// The whole study in scale mode, training aside: every stage of `bi-embed study` on
// mixed-100m.txt (made once by `sh ../shared/corpora/make-mixed-100m.sh DIR` into the bench's
// folder), with a given model (default: the study's sat_model.bin — any H = 128 model costs
// the same), 2 threads. Each stage runs in its own process with the earlier stages read from
// the cache, so its peak memory (maxRSS) is its own; per stage: seconds, MB/s of the corpus,
// peak MiB, CPU seconds (all threads: on a shared machine CPU / 2 is nearer the quiet wall-clock)
// and the load average. φ's comparison with training is part of the φ stage (its two training runs get
// the constructions' wall-clock); the model's own training is not timed.
// --only STAGE runs that one stage alone (in a child process, same settings as in the study).
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { root, options, emit } = require('./common');

function mixed100m(dir) {
  const file = path.join(dir, 'mixed-100m.txt');
  if (fs.existsSync(file)) return file;
  const script = path.join(process.env.BI_EMBED_CORPORA_DIR || path.join(root, '..', 'shared', 'corpora'), 'make-mixed-100m.sh');
  if (!fs.existsSync(script)) { console.error(`bench: ${script} is missing`); process.exit(2); }
  execFileSync('sh', [script, dir], { stdio: 'inherit' });
  return file;
}

// One child: run the study, abort right after the first stage it computes, report it.
const CHILD = `
const { runStudy } = require(process.argv[1]);
const o = JSON.parse(process.argv[2]);
const ctl = new AbortController();
let row = null;
runStudy({ ...o, signal: ctl.signal, onEvent: (e) => {
  if (e.type === 'end' && e.status === 'computed' && !row) { row = { stage: e.id, seconds: e.seconds }; ctl.abort(); }
} }).catch((e) => { if (e.code !== 'E_ABORTED') throw e; }).then(() => {
  const u = process.resourceUsage();
  process.stdout.write(JSON.stringify({ ...row, cpuSeconds: (u.userCPUTime + u.systemCPUTime) / 1e6, peakMiB: u.maxRSS / 1024 }) + '\\n');
});`;

// One stage alone, outside the runner (no cache): its seconds and the child's peak memory.
const ONLY = `
const o = JSON.parse(process.argv[2]);
const d = process.argv[1];
const { Corpus } = require(d + '/corpus.js');
const { loadModel } = require(d + '/io/model-file.js');
const { STAGES } = require(d + '/study/stages.js');
const stage = STAGES.find((s) => s.id === o.only);
const corpus = Corpus.open(o.corpus);
const ctx = { mode: 'scale', corpus, model: loadModel(o.model), threads: o.threads, testFraction: 0.1, tuning: {}, onProgress: () => {} };
const t0 = process.hrtime.bigint();
stage.run(ctx).then(() => {
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const u = process.resourceUsage();
  process.stdout.write(JSON.stringify({ stage: o.only, seconds, cpuSeconds: (u.userCPUTime + u.systemCPUTime) / 1e6, peakMiB: u.maxRSS / 1024, options: stage.options(ctx) }) + '\\n');
});`;

function main() {
  const opts = options({
    only: { type: 'string' },
    corpus: { type: 'string' }, model: { type: 'string' }, threads: { type: 'string', default: '2' },
    out: { type: 'string', default: path.join(os.tmpdir(), 'bi-embed-bench-study') },
  });
  fs.mkdirSync(opts.out, { recursive: true });
  const corpus = opts.corpus || mixed100m(opts.out);
  const model = opts.model || path.join(process.env.BI_EMBED_STUDY_DIR || path.join(root, '..', 'shared', 'study'), 'sat_model.bin');
  const out = path.join(opts.out, 'study');
  fs.rmSync(path.join(out, 'cache'), { recursive: true, force: true });
  const study = { corpus, model, mode: 'scale', threads: Number(opts.threads), out };
  const bytes = fs.statSync(corpus).size;
  if (opts.only) {
    const r = spawnSync(process.execPath, ['-e', ONLY, path.join(root, 'dist'), JSON.stringify({ ...study, only: opts.only })],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (r.status !== 0) { console.error(`bench: the stage failed (exit ${r.status})`); process.exit(1); }
    const row = JSON.parse(r.stdout.trim());
    row.mbPerSecond = bytes / 1e6 / row.seconds;
    emit(opts.json, { corpus: path.basename(corpus), bytes, threads: study.threads, ...row },
      `${row.stage} alone: ${row.seconds.toFixed(1)} s, ${row.mbPerSecond.toFixed(2)} MB/s, peak ${row.peakMiB.toFixed(0)} MiB, CPU ${row.cpuSeconds.toFixed(0)} s, load ${os.loadavg()[0].toFixed(1)} (${JSON.stringify(row.options)})`);
    return;
  }
  const rows = [];
  for (;;) {
    const r = spawnSync(process.execPath, ['-e', CHILD, path.join(root, 'dist', 'study', 'runner.js'), JSON.stringify(study)],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 });
    if (r.status !== 0) { console.error(`bench: the study failed (exit ${r.status})`); process.exit(1); }
    const row = JSON.parse(r.stdout.trim().split('\n').pop());
    if (!row.stage) break; // every stage was cached: done
    row.mbPerSecond = bytes / 1e6 / row.seconds;
    row.loadAverage = os.loadavg()[0];
    rows.push(row);
    emit(opts.json, { corpus: path.basename(corpus), bytes, threads: study.threads, ...row },
      `${row.stage.padEnd(9)} ${row.seconds.toFixed(1).padStart(7)} s ${row.mbPerSecond.toFixed(2).padStart(8)} MB/s  peak ${row.peakMiB.toFixed(0).padStart(6)} MiB  ` +
      `CPU ${row.cpuSeconds.toFixed(0)} s (${(row.cpuSeconds / row.seconds).toFixed(2)} cores; load ${row.loadAverage.toFixed(1)})`);
  }
  // φ's two training runs (the comparison with training) are part of its stage: say how much
  // the cache entry is { seconds, result: { seconds, result: <the stage's result> } }
  const phi = JSON.parse(fs.readFileSync(path.join(out, 'cache', 'phi.json'), 'utf8')).result.result;
  const phiTraining = (phi.trained?.seconds ?? 0) + (phi.trainedFromConstruction?.seconds ?? 0);
  emit(opts.json, { stage: 'phi-training', seconds: phiTraining },
    `          (φ includes ${phiTraining.toFixed(1)} s of training beside the constructions: 2 runs of ${(phi.trainBudgetSeconds ?? 0).toFixed(1)} s)`);
  const total = rows.reduce((s, r) => s + r.seconds, 0);
  const cpu = rows.reduce((s, r) => s + r.cpuSeconds, 0);
  const peak = Math.max(...rows.map((r) => r.peakMiB));
  emit(opts.json, { corpus: path.basename(corpus), bytes, threads: study.threads, stage: 'total', seconds: total, cpuSeconds: cpu, mbPerSecond: bytes / 1e6 / total, peakMiB: peak },
    `total     ${total.toFixed(1).padStart(7)} s ${(bytes / 1e6 / total).toFixed(2).padStart(8)} MB/s  peak ${peak.toFixed(0).padStart(6)} MiB  CPU ${cpu.toFixed(0)} s  (${path.basename(corpus)}, ${bytes} bytes, ${study.threads} threads; report: ${path.join(out, 'report.html')})`);
}

main();
