import { Corpus } from '../lib/corpus';
import { evaluate, splitRange } from '../lib/evaluate';
import { loadModel } from '../lib/io/model-file';
import { Model } from '../lib/model';
import { availableIsas, codeOf, corpusPath, missingIsa, randomModel, referenceBits, studyPath } from './helpers';

describe('evaluate on the study model (SPEC §9: bpc 0.079)', () => {
  const model = loadModel(studyPath('sat_model.bin'));
  const corpus = Corpus.open(studyPath('enwik_1024.txt'));
  const reference = referenceBits(model, corpus.bytes, 0, corpus.size) / (corpus.size - 1);

  it('the float64 reference gives 0.0792', () => {
    expect(Math.abs(reference - 0.0792)).toBeLessThan(5e-5);
  });

  it.each(availableIsas())('matches the float64 computation within 1e-4 under %s', async (isa) => {
    const r = await evaluate(model, corpus, { isa });
    expect(r.positions).toBe(1023);
    expect(Math.abs(r.bpc - reference)).toBeLessThan(1e-4);
    expect(r.isa).toBe(isa);
  });
});

describe('evaluate', () => {
  const corpus = Corpus.open(corpusPath('tinyshakespeare.txt'));
  const model = randomModel(24, 7, 0.4);

  it('scores each range from h = 0, batch or one at a time, 1 or 2 threads', async () => {
    const ranges: Array<[number, number]> = [[0, 500], [500, 1300], [2000, 2003], [4000, 4400]];
    const refs = ranges.map(([a, b]) => referenceBits(model, corpus.bytes, a, b));
    for (const threads of [1, 2]) {
      const r = await evaluate(model, corpus, { ranges, threads });
      r.ranges.forEach((rr, i) => {
        expect(rr.positions).toBe(ranges[i][1] - ranges[i][0] - 1);
        expect(Math.abs(rr.bpc * rr.positions - refs[i])).toBeLessThan(1e-4 * (1 + refs[i]));
      });
      const total = refs.reduce((a, b) => a + b, 0);
      expect(Math.abs(r.bits - total)).toBeLessThan(1e-4 * total);
    }
  });

  it('returns per-position losses that sum to the total', async () => {
    const r = await evaluate(model, corpus, { ranges: [[0, 300], [300, 900]], losses: true });
    expect(r.losses).toHaveLength(299 + 599);
    const sum = r.losses!.reduce((a, b) => a + b, 0);
    expect(Math.abs(sum - r.bits)).toBeLessThan(1e-3);
    expect(Math.abs(r.losses![0] - referenceBits(model, corpus.bytes, 0, 2))).toBeLessThan(1e-4);
  });

  it('splits a range into equal streams', () => {
    const s = splitRange([10, 110], 4);
    expect(s).toEqual([[10, 35], [35, 60], [60, 85], [85, 110]]);
  });

  it('reports progress and can be cancelled through an AbortSignal within a second', async () => {
    const big = Corpus.open(corpusPath('enwiki-2016-sample.xml'));
    const m = new Model(128);
    const ctl = new AbortController();
    let calls = 0;
    const t0 = Date.now();
    const p = evaluate(m, big, { isa: 'scalar', onProgress: () => { calls++; }, signal: ctl.signal });
    setTimeout(() => ctl.abort(), 300);
    expect(await codeOf(() => p)).toBe('E_ABORTED');
    expect(Date.now() - t0).toBeLessThan(1300);
    expect(calls).toBeGreaterThan(0);
    expect(await codeOf(() => evaluate(m, big, { signal: ctl.signal }))).toBe('E_ABORTED');
  });

  it('rejects bad input with codes', async () => {
    expect(await codeOf(() => evaluate(model, corpus, { ranges: [[0, corpus.size + 1]] }))).toBe('E_RANGE');
    expect(await codeOf(() => evaluate(model, corpus, { ranges: [[5, 3]] }))).toBe('E_RANGE');
    expect(await codeOf(() => evaluate(model, corpus, { ranges: [[5, 6]] }))).toBe('E_CORPUS_TOO_SHORT');
    expect(await codeOf(() => evaluate(model, corpus, { ranges: [[0.5, 6]] }))).toBe('E_RANGE');
    expect(await codeOf(() => evaluate(model, corpus, { ranges: [] }))).toBe('E_RANGE');
    expect(await codeOf(() => evaluate(model, corpus, { threads: 0 }))).toBe('E_OPTION');
    expect(await codeOf(() => evaluate(model, corpus, { isa: 'sse9' }))).toBe('E_OPTION');
    expect(await codeOf(() => evaluate(model, corpus, { isa: missingIsa() }))).toBe('E_ISA_UNAVAILABLE');
    const nan = model.clone();
    nan.Wh[3] = NaN;
    expect(await codeOf(() => evaluate(nan, corpus, { ranges: [[0, 100]] }))).toBe('E_NON_FINITE');
  });
});
