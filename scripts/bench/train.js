'use strict';
// usage: npm run bench:train [-- --json] [-- --seconds S] [-- --batch 1,16,64] [-- --threads 1,2]
// Training throughput (bytes/s) of the scale recipe (Adam, BPTT-50, H = 128) on
// enwiki-2016-sample.xml for batch 1, 16, 64 on 1 and 2 threads, with the default ISA,
// and its share of the FMA ceiling measured in the same run: ceiling = threads × one
// thread's FMA peak (FLOP/s) / FLOPs per trained byte (294,912 at H = 128).
const { api, corpusPath, options, emit } = require('./common');

async function main() {
  const opts = options({
    seconds: { type: 'string', default: '4' },
    batch: { type: 'string', default: '1,16,64' }, // one configuration: --batch 64 --threads 1
    threads: { type: 'string', default: '1,2' },
  });
  const list = (s) => s.split(',').map(Number).filter((v) => Number.isInteger(v) && v > 0);
  const { Corpus, train, fmaPeak, trainFlopsPerByte, info } = api();
  const corpus = Corpus.open(corpusPath('enwiki-2016-sample.xml'));
  const isa = info().isa;
  const hidden = 128;
  const flopsPerByte = trainFlopsPerByte(hidden);
  const seconds = Number(opts.seconds);
  for (const batch of list(opts.batch)) {
    for (const threads of list(opts.threads)) {
      // The peak is measured next to each configuration: on a shared machine the load drifts.
      const peak = await fmaPeak({ seconds: 0.3 });
      await train({ corpus, recipe: 'scale', hidden, batch, threads, steps: 3, evalEvery: 1e9, testBytes: 4096 }); // warm-up
      const cpu0 = process.cpuUsage();
      const r = await train({ corpus, recipe: 'scale', hidden, batch, threads, seconds, evalEvery: 1e9, testBytes: 4096 });
      const cpu = process.cpuUsage(cpu0);
      const cpuSeconds = (cpu.user + cpu.system) / 1e6;
      const ceiling = (threads * peak) / flopsPerByte;
      const row = {
        bench: 'train', batch, threads, isa, hidden, steps: r.steps, bytesPerSecond: Math.round(r.bytesPerSecond),
        ceilingShare: Number((r.bytesPerSecond / ceiling).toFixed(3)), fmaPeakGflops: Number((peak / 1e9).toFixed(1)),
        flopsPerByte,
        // Trained bytes per CPU-second of this process: on a loaded machine, the rate one
        // uncontended core would reach (the test-split evaluation at the end is included).
        bytesPerCpuSecond: Math.round((r.steps * batch * 50) / cpuSeconds),
      };
      emit(opts.json, row,
        `train isa=${isa} batch=${String(batch).padStart(2)} threads=${threads}  ${(r.bytesPerSecond / 1e3).toFixed(0).padStart(5)}k bytes/s` +
          `  ${(100 * row.ceilingShare).toFixed(0).padStart(3)}% of the FMA ceiling (${row.fmaPeakGflops} GFLOP/s per thread × ${threads} / ${flopsPerByte} FLOP/byte)` +
          `  ${(row.bytesPerCpuSecond / 1e3).toFixed(0)}k bytes per CPU-second`);
    }
  }
  if (!opts.json) process.stdout.write('reference (issue 4): PyTorch 1.13 on this machine ≈ 17k bytes/s (batch 1), 132k (batch 64)\n');
}

main().catch((e) => { console.error(e); process.exit(1); });
