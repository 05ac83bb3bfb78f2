'use strict';
// usage: npm run bench:construct [-- --json] [-- --mb N]
// φ counting-pass throughput (one native pass, one core) on a ~100 MB corpus built in
// memory from the shared corpora, and on each corpus alone; the reference measured in the
// same run is SHA-256 over the same bytes (OpenSSL, one core): a memory-bound yardstick.
// Besides wall-clock it reports bytes per CPU-second of the process (the pass runs on one
// pool thread while the main thread waits), which a machine shared with other jobs
// distorts far less than wall-clock.
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const { api, corpusPath, options, emit } = require('./common');

async function main() {
  const opts = options({ mb: { type: 'string', default: '100' } });
  const { Corpus, countPhi } = api();
  const names = ['enwiki-2016-sample.xml', 'tinyshakespeare.txt', 'postgresql-doc-15.html.txt'];
  const parts = names.map((n) => fs.readFileSync(corpusPath(n)));
  const want = Number(opts.mb) * 1e6;
  const big = Buffer.allocUnsafe(want);
  for (let off = 0, i = 0; off < want; i++) off += parts[i % parts.length].copy(big, off, 0, Math.min(parts[i % parts.length].length, want - off));
  const inputs = [{ name: `${opts.mb} MB (shared corpora repeated)`, corpus: Corpus.fromBytes(big) },
    ...names.map((n, i) => ({ name: n, corpus: Corpus.fromBytes(parts[i], n) }))];
  await countPhi(inputs[1].corpus); // warm-up
  for (const { name, corpus } of inputs) {
    let best = Infinity;
    let bestCpu = Infinity;
    for (let rep = 0; rep < 3; rep++) {
      const c0 = process.cpuUsage();
      const t = process.hrtime.bigint();
      await countPhi(corpus);
      best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e9);
      const c = process.cpuUsage(c0);
      bestCpu = Math.min(bestCpu, (c.user + c.system) / 1e6);
    }
    const t = process.hrtime.bigint();
    createHash('sha256').update(corpus.bytes).digest();
    const ref = Number(process.hrtime.bigint() - t) / 1e9;
    const row = { bench: 'construct-count', corpus: name, bytes: corpus.size, seconds: best,
      bytesPerSecond: Math.round(corpus.size / best), bytesPerCpuSecond: Math.round(corpus.size / bestCpu), sha256BytesPerSecond: Math.round(corpus.size / ref), ratioToSha256: ref / best };
    emit(opts.json, row, `count  ${name.padEnd(36)} ${(row.bytesPerSecond / 1e6).toFixed(0).padStart(5)} MB/s wall ${(row.bytesPerCpuSecond / 1e6).toFixed(0).padStart(5)} MB/cpu-s   ` +
      `sha256 ${(row.sha256BytesPerSecond / 1e6).toFixed(0).padStart(5)} MB/s   ratio ${row.ratioToSha256.toFixed(2)}×`);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
