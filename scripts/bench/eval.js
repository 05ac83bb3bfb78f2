'use strict';
// usage: npm run bench:eval [-- --json] [-- --bytes N]
// Eval throughput (bytes/s) for batch 1 and 64 on 1 and 2 threads, on
// enwiki-2016-sample.xml, with the default ISA and, in the same run, the scalar kernels,
// and each configuration's share of the FMA ceiling measured in the same run
// (threads × peak FLOP/s ÷ 2·(H² + 256·H) FLOP per byte).
const { api, corpusPath, options, emit } = require('./common');

async function main() {
  const opts = options({ bytes: { type: 'string', default: String(4 << 20) } });
  const { Model, Corpus, evaluate, splitRange, info, fmaPeak } = api();
  const full = Corpus.open(corpusPath('enwiki-2016-sample.xml'));
  const simdBytes = Math.min(full.size, Number(opts.bytes));
  const model = new Model(128);
  // Small random weights: throughput does not depend on the values.
  let s = 1;
  for (let i = 0; i < model.params.length; i++) { s = (s * 1103515245 + 12345) >>> 0; model.params[i] = (s / 2 ** 32 - 0.5) / 8; }
  const best = info().isa;
  const isas = best === 'scalar' ? ['scalar'] : [best, 'scalar'];
  const rows = [];
  const peak = await fmaPeak({ seconds: 0.5 });
  const flopsPerByte = 2 * (128 * 128 + 256 * 128);
  if (!opts.json) process.stdout.write(`FMA peak ${(peak / 1e9).toFixed(1)} GFLOP/s per thread; eval needs ${flopsPerByte} FLOP/byte: ceiling ${(peak / flopsPerByte / 1e3).toFixed(0)}k bytes/s per thread\n`);
  for (const isa of isas) {
    const bytes = isa === 'scalar' ? Math.min(simdBytes, 512 << 10) : simdBytes;  // scalar is a rate too: a smaller slice suffices
    for (const batch of [1, 64]) {
      for (const threads of [1, 2]) {
        const ranges = batch === 1 ? [[0, bytes]] : splitRange([0, bytes], batch);
        await evaluate(model, full, { ranges: [[0, Math.min(bytes, 65536)]], isa, threads }); // warm-up
        const r = await evaluate(model, full, { ranges, isa, threads });
        const ceilingShare = Number((r.bytesPerSecond / ((threads * peak) / flopsPerByte)).toFixed(3));
        const row = { bench: 'eval', batch, threads, isa, bytes: r.positions, seconds: r.seconds, bytesPerSecond: Math.round(r.bytesPerSecond), ceilingShare };
        rows.push(row);
        emit(opts.json, row, `eval  isa=${isa.padEnd(6)} batch=${String(batch).padStart(2)} threads=${threads}  ${(r.bytesPerSecond / 1e3).toFixed(0).padStart(6)}k bytes/s  ${(100 * ceilingShare).toFixed(0).padStart(3)}% of ceiling`);
      }
    }
  }
  if (!opts.json && isas.length === 2) {
    for (const r of rows.filter((x) => x.isa !== 'scalar')) {
      const ref = rows.find((x) => x.isa === 'scalar' && x.batch === r.batch && x.threads === r.threads);
      process.stdout.write(`ratio ${r.isa}/scalar batch=${r.batch} threads=${r.threads}: ${(r.bytesPerSecond / ref.bytesPerSecond).toFixed(1)}×\n`);
    }
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
