'use strict';
// usage: npm run bench:skipgram-selection [-- --json] [-- --sample-mb 4] [-- --threads 2]
// What selecting the greedy skip-gram offsets on a sample of train costs in held-out bpc
// (docs/skipgram.md, "Selecting on a sample"), on postgresql-doc-15.html.txt (16 MB), scale
// mode: the full search (fit = first 90% of train, valid = last 10%) against the search on
// the last --sample-mb MiB of train (split the same way); both offset lists are then counted
// on all of train and scored on test with the same smoothing, and both searches are timed.
const { api, corpusPath, options, emit } = require('./common');

async function main() {
  const opts = options({ 'sample-mb': { type: 'string', default: '4' }, threads: { type: 'string', default: '2' } });
  const { Corpus, greedyHeldOut, heldOutBpc } = api();
  const corpus = Corpus.open(corpusPath('postgresql-doc-15.html.txt'));
  const { train, test } = corpus.split(0.1);
  const threads = Number(opts.threads);
  const search = async (range) => {
    const cut = range[0] + Math.floor((range[1] - range[0]) * 0.9);
    const t0 = process.hrtime.bigint();
    const steps = await greedyHeldOut(corpus, { order: 8, fit: [range[0], cut], valid: [cut, range[1]], threads });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const offsets = steps[steps.length - 1].offsets;
    const held = await heldOutBpc(corpus, offsets, { train, test });
    return { offsets, selectionBytes: range[1] - range[0], searchSeconds: seconds, testBpc: held.bpc, patterns: held.patterns };
  };
  const sampleBytes = Math.round(Number(opts['sample-mb']) * 2 ** 20);
  const sampled = await search([Math.max(train[0], train[1] - sampleBytes), train[1]]);
  const full = await search(train);
  const row = {
    corpus: corpus.name, bytes: corpus.size, threads, full, sampled,
    testBpcCost: sampled.testBpc - full.testBpc, searchSpeedup: full.searchSeconds / sampled.searchSeconds,
  };
  emit(opts.json, row, [
    `greedy skip-8 on ${corpus.name} (${corpus.size} bytes), ${threads} threads; both lists counted on all of train, scored on test`,
    `  full search on ${full.selectionBytes} bytes: [${full.offsets}] test ${full.testBpc.toFixed(4)} bpc, search ${full.searchSeconds.toFixed(1)} s`,
    `  sample of ${sampled.selectionBytes} bytes: [${sampled.offsets}] test ${sampled.testBpc.toFixed(4)} bpc, search ${sampled.searchSeconds.toFixed(1)} s`,
    `  cost ${row.testBpcCost >= 0 ? '+' : ''}${row.testBpcCost.toFixed(4)} bpc, search ${row.searchSpeedup.toFixed(1)}× faster`,
  ].join('\n'));
}

main().catch((e) => { console.error(e); process.exit(1); });
