'use strict';
// usage: npm run bench:counts [-- --json] [-- --corpus NAME]
// Skip-gram counting throughput (bytes/s, one core): the plug-in statistics of each offset
// set (skipgramStats: every (context, next byte) count, grouped in cache), and as the
// reference in the same run the dense 256×256 pair count of one offset (miProfile d = 1).
// Memory: the sort buffers, 4-byte words per position for ≤ 4 offsets, 8-byte words above,
// plus scratch for the largest first-byte bucket (none for one offset: a dense table).
const { api, corpusPath, options, emit } = require('./common');

const SETS = [[1], [1, 8, 20, 3], [1, 2, 3, 4], [1, 8, 20, 3, 27, 2, 12, 7], [1, 2, 3, 4, 5, 6, 7, 8]];

async function main() {
  const opts = options({ corpus: { type: 'string', default: 'postgresql-doc-15.html.txt' } });
  const { Corpus, skipgramStats, miProfile } = api();
  const corpus = Corpus.open(corpusPath(opts.corpus));
  // Wall time, and the process's CPU time (user + system): on a shared machine the CPU rate
  // is the better estimate of one idle core; both are printed.
  const time = async (fn) => {
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    const r = await fn();
    const c = process.cpuUsage(c0);
    return { r, seconds: Number(process.hrtime.bigint() - t0) / 1e9, cpuSeconds: (c.user + c.system) / 1e6 };
  };
  await miProfile(corpus, { maxOffset: 1, range: [0, Math.min(corpus.size, 1 << 20)] });  // warm-up
  const ref = await time(() => miProfile(corpus, { maxOffset: 1 }));
  const refRate = corpus.size / ref.seconds;
  const refCpu = corpus.size / ref.cpuSeconds;
  emit(opts.json, {
    bench: 'counts', kind: 'dense-pair', offsets: [1], bytes: corpus.size, seconds: ref.seconds, bytesPerSecond: Math.round(refRate),
    cpuSeconds: ref.cpuSeconds, bytesPerCpuSecond: Math.round(refCpu),
  }, `dense pair table d=1           ${(refRate / 1e6).toFixed(1).padStart(7)} MB/s wall ${(refCpu / 1e6).toFixed(1).padStart(7)} MB/s cpu  (reference)`);
  // Each set twice: the first call pays for first-touching its buffers (the kernel zeroes
  // fresh pages; on a VM the host may back them lazily as well), the repeat reuses pages the
  // process already has, as the later counts of a greedy search do. Both are printed; the
  // repeat is the counting rate.
  for (const D of SETS) {
    const first = await time(() => skipgramStats(corpus, D));
    const { r, seconds, cpuSeconds } = await time(() => skipgramStats(corpus, D));
    const rate = corpus.size / seconds, cpu = corpus.size / cpuSeconds, firstCpu = corpus.size / first.cpuSeconds;
    emit(opts.json, {
      bench: 'counts', kind: 'skipgram', offsets: D, bytes: corpus.size, seconds, bytesPerSecond: Math.round(rate),
      cpuSeconds, bytesPerCpuSecond: Math.round(cpu), firstCallBytesPerCpuSecond: Math.round(firstCpu),
      patterns: r.patterns, tableBytes: r.bytes, ratioToDense: rate / refRate,
    }, `skip [${D.join(',')}]`.padEnd(31) + `${(rate / 1e6).toFixed(1).padStart(7)} MB/s wall ${(cpu / 1e6).toFixed(1).padStart(7)} MB/s cpu  ` +
      `(first call ${(firstCpu / 1e6).toFixed(1)})  ${(rate / refRate).toFixed(2)}× dense, ${r.patterns} patterns, ${(r.bytes / 2 ** 20).toFixed(0)} MiB buffers`);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
