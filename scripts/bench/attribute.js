'use strict';
// usage: npm run bench:attribute [-- --json] [-- --positions N] [-- --bytes N]
// 1. Jacobian attribution α(t, d), d = 1…32, positions per second on 1 and 2 threads, with its
//    share of the FMA ceiling measured in the same run (`threads` FMA probes run at once, their
//    FLOP/s summed), and the time 10^6 positions would take at that rate (the goal: < 20 s).
// 2. Sign-vector enumeration (forward pass + exact tables + margins) MB/s against bench:eval's
//    batch 64 on the same bytes, 64 streams each, interleaved on 1 and 2 threads: with the readout
//    (the bpc of the pass) and without it (score: false, the enumeration alone).
// H = 128, enwiki-2016-sample.xml, the default ISA. Timings on a shared machine are noisy: read
// the ratios and shares, which are measured side by side.
const { api, corpusPath, options, emit } = require('./common');

async function main() {
  const opts = options({
    positions: { type: 'string', default: String(1 << 18) },
    bytes: { type: 'string', default: String(4 << 20) },
  });
  const { Model, Corpus, evaluate, splitRange, info, fmaPeak, captureTrajectory, jacobianAttribution, jacobianFlopsPerPosition, signVectors } = api();
  const corpus = Corpus.open(corpusPath('enwiki-2016-sample.xml'));
  const model = new Model(128);
  let s = 1;  // small random weights: the work does not depend on the values
  for (let i = 0; i < model.params.length; i++) { s = (s * 1103515245 + 12345) >>> 0; model.params[i] = (s / 2 ** 32 - 0.5) / 8; }
  const isa = info().isa;
  const D = 32;
  const flops = jacobianFlopsPerPosition(128, D);

  const positions = Math.min(corpus.size - 2, Number(opts.positions));
  const trajectory = await captureTrajectory(model, corpus, { range: [0, positions + 1], capture: ['hidden'] });
  const rows = { trajectory, begin: 0, end: positions };
  for (const threads of [1, 2]) {
    // The ceiling of `threads` threads: that many FMA probes at once, next to each run (the load
    // drifts, and on a shared machine a second thread may get much less than a second core).
    const probes = await Promise.all(Array.from({ length: threads }, () => fmaPeak({ seconds: 0.3 })));
    const ceiling = probes.reduce((a, b) => a + b, 0);
    const peak = ceiling / threads;
    await jacobianAttribution(model, corpus, { trajectory, begin: 0, end: Math.min(positions, 4096) }, { maxOffset: D, threads }); // warm-up
    const r = await jacobianAttribution(model, corpus, rows, { maxOffset: D, threads });
    const perSecond = r.positions / r.seconds;
    const share = (perSecond * flops) / ceiling;
    const row = {
      bench: 'attribute-jacobian', isa, threads, offsets: D, positions: r.positions, seconds: Number(r.seconds.toFixed(3)),
      positionsPerSecond: Math.round(perSecond), gflops: Number(((perSecond * flops) / 1e9).toFixed(1)),
      fmaPeakGflops: Number((peak / 1e9).toFixed(1)), ceilingShare: Number(share.toFixed(3)),
      secondsPer1e6: Number((1e6 / perSecond).toFixed(1)), flopsPerPosition: flops,
    };
    emit(opts.json, row, `jacobian isa=${isa} threads=${threads} d=1…${D}  ${(perSecond / 1e3).toFixed(1)}k positions/s  ` +
      `${row.gflops} GFLOP/s = ${(100 * share).toFixed(0)}% of the FMA ceiling (${row.fmaPeakGflops} GFLOP/s per thread × ${threads}, probed at once)  ` +
      `10^6 positions: ${row.secondsPer1e6} s`);
  }

  const bytes = Math.min(corpus.size, Number(opts.bytes));
  for (const threads of [1, 2]) {
    const ranges = splitRange([0, bytes], 64);
    await evaluate(model, corpus, { ranges: splitRange([0, 65536], 64), threads }); // warm-up
    const e = await evaluate(model, corpus, { ranges, threads });
    const sv = await signVectors(model, corpus, { range: [0, bytes], streams: 64, threads });
    const en = await signVectors(model, corpus, { range: [0, bytes], streams: 64, threads, score: false });
    const evalMB = e.positions / e.seconds / 1e6, signMB = sv.positions / sv.seconds / 1e6, enumMB = en.positions / en.seconds / 1e6;
    const row = {
      bench: 'attribute-signvectors', isa, threads, bytes, streams: 64, evalBatch64MBps: Number(evalMB.toFixed(3)),
      signVectorsMBps: Number(signMB.toFixed(3)), ratio: Number((signMB / evalMB).toFixed(3)),
      enumerationOnlyMBps: Number(enumMB.toFixed(3)), enumerationOnlyRatio: Number((enumMB / evalMB).toFixed(3)), distinct: sv.distinct,
    };
    emit(opts.json, row, `sign vectors threads=${threads} 64 streams over ${(bytes / 2 ** 20).toFixed(1)} MiB: eval batch 64 ${evalMB.toFixed(2)} MB/s; ` +
      `enumeration with the bpc ${signMB.toFixed(2)} MB/s (${row.ratio}×), without the readout ${enumMB.toFixed(2)} MB/s (${row.enumerationOnlyRatio}×)  (${sv.distinct} distinct σ)`);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
