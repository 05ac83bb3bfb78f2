'use strict';
// usage: npm run bench:read [-- --json] [-- --model FILE] [-- --positions N] [-- --table]
// ψ scale mode on enwiki-2016-sample.xml: every stage of `bi-embed read --mode scale` over
// N positions (default 2^20: 90% fitted on train, 10% scored on test), the factor map on 2
// threads, and, in the same run, the factor map on 1 thread as the reference.
// Without --model it reads the study's sat_model.bin (trained on 1 KB, not on this corpus):
// the timings hold for any H = 128 model, the R² figures then describe that model.
// --table prints the held-out R² table (markdown) for the README.
const path = require('node:path');
const { api, corpusPath, options, emit, root } = require('./common');

async function timed(fn) {
  const t0 = process.hrtime.bigint();
  const value = await fn();
  return { value, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

async function main() {
  const opts = options({
    model: { type: 'string' },
    positions: { type: 'string', default: String(1 << 20) },
    table: { type: 'boolean', default: false },
  });
  const { Corpus, loadModel, captureTrajectory, hebbianEstimates, factorMap, lagOnePartners, readBack,
    stateFeatureMap, SCALE_LAGS, info } = api();
  const studyModel = path.join(process.env.BI_EMBED_STUDY_DIR || path.join(root, '..', 'shared', 'study'), 'sat_model.bin');
  const modelPath = opts.model || studyModel;
  const modelLabel = opts.model ? opts.model : 'study sat_model.bin (trained on enwik_1024.txt, not on this corpus)';
  const model = loadModel(modelPath);
  const corpus = Corpus.open(corpusPath('enwiki-2016-sample.xml'));
  const positions = Number(opts.positions);
  const split = corpus.split();
  const maxLag = 20;
  const nTrain = Math.round(positions * 0.9);
  const trainRange = [split.train[0], Math.min(split.train[1], split.train[0] + maxLag + nTrain)];
  const testRange = [split.test[0], Math.min(split.test[1], split.test[0] + maxLag + positions - nTrain)];

  const stages = {};
  const cap = await timed(async () => [
    await captureTrajectory(model, corpus, { range: trainRange, capture: ['hidden'] }),
    await captureTrajectory(model, corpus, { range: testRange, capture: ['hidden'] }),
  ]);
  stages.capture = cap.seconds;
  const [tr, te] = cap.value;
  const fit = { trajectory: tr, begin: trainRange[0] + maxLag, end: trainRange[1] };
  const score = { trajectory: te, begin: testRange[0] + maxLag, end: testRange[1] };
  stages.hebbian = (await timed(() => hebbianEstimates(model, corpus, fit))).seconds;
  const fm2 = await timed(() => factorMap(corpus, fit, score, { lags: SCALE_LAGS, threads: 2 }));
  stages.factorMap = fm2.seconds;
  const rb = await timed(() => readBack(model, corpus, fit, score, lagOnePartners(fm2.value, model.hidden)));
  stages.readBack = rb.seconds;
  stages.stateFeatures = (await timed(() => stateFeatureMap(corpus, fit))).seconds;
  const total = Object.values(stages).reduce((a, b) => a + b, 0);
  const fm1 = await timed(() => factorMap(corpus, fit, score, { lags: SCALE_LAGS, threads: 1 }));

  const analysed = (fit.end - fit.begin) + (score.end - score.begin);
  const cellsPerPass = 231; // 210 pairs + 21 single lags
  const rate = (s) => Math.round((analysed * cellsPerPass) / s);
  const rows = [
    { bench: 'read', what: 'scale mode, all stages', model: modelLabel, positions: analysed, threads: 2, isa: info().isa,
      seconds: total, stages, trajectoryBytes: tr.bytes + te.bytes, peakCellBytes: fm2.value.peakCellBytes },
    { bench: 'read', what: 'factor map', positions: analysed, threads: 2, seconds: fm2.seconds, positionLagSetsPerSecond: rate(fm2.seconds) },
    { bench: 'read', what: 'factor map (reference)', positions: analysed, threads: 1, seconds: fm1.seconds, positionLagSetsPerSecond: rate(fm1.seconds) },
  ];
  if (opts.json) {
    for (const r of rows) emit(true, r);
  } else {
    process.stdout.write(`model: ${modelLabel}\n`);
    emit(false, rows[0], `read scale  ${analysed} positions, 2 threads, ${rows[0].isa}: ${total.toFixed(1)} s  (` +
      Object.entries(stages).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ') + ')');
    emit(false, rows[1], `factor map  2 threads: ${fm2.seconds.toFixed(1)} s, ${(rows[1].positionLagSetsPerSecond / 1e6).toFixed(1)}M position·lag-sets/s`);
    emit(false, rows[2], `factor map  1 thread (reference): ${fm1.seconds.toFixed(1)} s, ${(rows[2].positionLagSetsPerSecond / 1e6).toFixed(1)}M position·lag-sets/s`);
    process.stdout.write(`ratio 2 threads / 1 thread: ${(fm1.seconds / fm2.seconds).toFixed(2)}×\n` +
      `memory: trajectories ${((tr.bytes + te.bytes) / 2 ** 20).toFixed(0)} MiB, largest cell table per task ${(fm2.value.peakCellBytes / 2 ** 20).toFixed(1)} MiB\n`);
  }
  if (opts.table) process.stdout.write(heldOutTable(fm2.value, rb.value, modelLabel));
}

/** The held-out R² table of the README. */
function heldOutTable(fm, rb, label) {
  const lines = [
    `Held-out factor map, ${label}: cell means fitted on train positions ${fm.fitPositions.join(':')}, ` +
      `R² on test positions ${fm.scorePositions.join(':')}, lags 0…20 (210 pairs × ${fm.neurons.length} neurons).`,
    '',
    `Mean best-pair R² ${fm.meanR2.toFixed(3)}; ${fm.countAbove}/${fm.neurons.length} neurons ≥ ${fm.threshold}; ` +
      `mean best single-lag R² ${fm.meanSingleR2.toFixed(3)}.`,
    '',
    '| best pair (ℓ1, ℓ2) | neurons | their mean R² | pair mean R² over all neurons | test cells unseen in train |',
    '|---|---:|---:|---:|---:|',
    ...fm.pairHistogram.slice(0, 12).map((h) => {
      const p = fm.pairs.find((q) => q.pair[0] === h.pair[0] && q.pair[1] === h.pair[1]);
      return `| (${h.pair.join(', ')}) | ${h.neurons} | ${h.meanR2.toFixed(3)} | ${p.meanR2.toFixed(3)} | ${(100 * p.unseenShare).toFixed(1)}% |`;
    }),
    '',
    `Read-back on the test positions (H0 ${rb.h0.toFixed(3)}, model ${rb.bpcRnn.toFixed(3)} bpc): ` +
      rb.levels.map((l) => `${l.name} ${l.bpc.toFixed(3)} bpc (${(100 * l.shareOfGain).toFixed(1)}% of gain)`).join('; ') + '.',
    '',
  ];
  return lines.join('\n');
}

main().catch((e) => { console.error(e); process.exit(1); });
