/**
 * Boolean structure (SPEC §5): sign vectors against brute force over a captured trajectory,
 * the sign-only dynamics, ablation against separate evaluations of models with the neuron's
 * outgoing weights zeroed, study mode on the study's model, errors.
 */
import { Corpus } from '../lib/corpus';
import { evaluate } from '../lib/evaluate';
import { loadModel } from '../lib/io/model-file';
import { Model } from '../lib/model';
import { ablateNeurons, booleanStructure, signVectors } from '../lib/boolean';
import { captureTrajectory } from '../lib/trajectory';
import { codeOf, mulberry32, randomModel, studyPath } from './helpers';

function text(n: number, seed: number): Corpus {
  const rnd = mulberry32(seed);
  const alphabet = 'ab cde<>\n';
  return Corpus.fromBytes(Uint8Array.from({ length: n }, () => alphabet.charCodeAt(Math.floor(rnd() * alphabet.length))));
}

/** The model with h_j's outgoing weights (column j of Wh and Wy) zeroed for every j with drop(j). */
function withoutNeurons(m: Model, drop: (j: number) => boolean): Model {
  const c = new Model(m.hidden);
  c.params.set(m.params);
  const H = m.hidden;
  for (let j = 0; j < H; j++) {
    if (!drop(j)) continue;
    for (let i = 0; i < H; i++) c.Wh[i * H + j] = 0;
    for (let o = 0; o < 256; o++) c.Wy[o * H + j] = 0;
  }
  return c;
}

describe('sign vectors', () => {
  it('counts distinct σ and transition keys as brute force over the captured signs', async () => {
    const model = randomModel(10, 3, 0.6);
    const corpus = text(2000, 1);
    const r = await signVectors(model, corpus, { range: [0, 2000] });
    const t = await captureTrajectory(model, corpus, { capture: ['signs'] });
    const sb = 2;
    const key = (s: number): string => `${t.signs![s * sb]},${t.signs![s * sb + 1]}`;
    const seen = new Set<string>(), next = new Map<string, Set<string>>();
    for (let s = 0; s < 1999; s++) {
      seen.add(key(s));
      if (s > 0) {
        const k = `${key(s - 1)}|${corpus.bytes[s]}`;
        if (!next.has(k)) next.set(k, new Set());
        next.get(k)!.add(key(s));
      }
    }
    expect(r.estimated).toBe(false);
    expect(r.positions).toBe(1999);
    expect(r.distinct).toBe(seen.size);
    expect(r.transitionKeys).toBe(next.size);
    const det = [...next.values()].filter((v) => v.size === 1).length;
    expect(r.deterministicKeyShare).toBeCloseTo(det / next.size, 12);
    expect(r.bpc).toBeCloseTo(t.bpc, 6);
    // Without the readout: the same enumeration, no bpc.
    const e = await signVectors(model, corpus, { range: [0, 2000], score: false });
    expect(e.bpc).toBeNull();
    expect([e.distinct, e.transitionKeys, e.entropy, e.margins.mean]).toEqual([r.distinct, r.transitionKeys, r.entropy, r.margins.mean]);
  });

  it('under sign-only dynamics every transition key is deterministic', async () => {
    const r = await signVectors(randomModel(12, 5, 0.6), text(1500, 2), { dynamics: 'sign-only', streams: 3 });
    expect(r.deterministicKeyShare).toBe(1);
    expect(r.positions).toBe(1499);
  });

  it('rejects bad options with codes', async () => {
    const m = randomModel(4, 1), c = text(100, 1);
    expect(await codeOf(() => signVectors(m, c, { streams: 0 }))).toBe('E_OPTION');
    expect(await codeOf(() => signVectors(m, c, { range: [50, 200] }))).toBe('E_RANGE');
    expect(await codeOf(() => signVectors(m, c, { maxMemory: -1 }))).toBe('E_OPTION');
    expect(await codeOf(() => signVectors(m, c, null as never))).toBe('E_OPTION');
    expect(await codeOf(() => booleanStructure('model.bin' as never, c))).toBe('E_OPTION');
    expect(await codeOf(() => ablateNeurons(m, 'corpus.txt' as never))).toBe('E_OPTION');
    const ctl = new AbortController();
    ctl.abort();
    expect(await codeOf(() => signVectors(m, c, { signal: ctl.signal }))).toBe('E_ABORTED');
  });
});

describe('ablation', () => {
  it('matches separate evaluations of the model with the neuron silenced', async () => {
    const model = randomModel(6, 9, 0.5);
    const corpus = text(800, 4);
    const r = await ablateNeurons(model, corpus, { range: [100, 800], threads: 2 });
    expect(r.positions).toBe(699);
    const base = await evaluate(model, corpus, { ranges: [[100, 800]] });
    expect(r.bpc).toBeCloseTo(base.bpc, 5);
    for (let j = 0; j < 6; j++) {
      const ko = await evaluate(withoutNeurons(model, (i) => i === j), corpus, { ranges: [[100, 800]] });
      const keep = await evaluate(withoutNeurons(model, (i) => i !== j), corpus, { ranges: [[100, 800]] });
      expect(r.knockout[j].bpc).toBeCloseTo(ko.bpc, 5);
      expect(r.keepOnly[j].bpc).toBeCloseTo(keep.bpc, 5);
      expect(r.knockout[j].shareOfGap).toBeCloseTo((ko.bpc - base.bpc) / (r.h0 - base.bpc), 5);
    }
  });
});

describe('long jobs', () => {
  it('report progress and stop on abort with E_ABORTED', async () => {
    const model = randomModel(32, 2, 0.3);
    const corpus = text(20000, 9);
    const ctl = new AbortController();
    const seen: number[] = [];
    const code = await codeOf(() => ablateNeurons(model, corpus, {
      signal: ctl.signal, onProgress: (done, total) => { seen.push(done / total); ctl.abort(); },
    }));
    expect(code).toBe('E_ABORTED');
    expect(seen.length).toBeGreaterThan(0);
    expect(Math.max(...seen)).toBeLessThan(1);
  });
});

describe('Boolean structure, study mode', () => {
  it("gives the model's bpc under the true dynamics and reports the study's unreproducible figures as such", async () => {
    const model = loadModel(studyPath('sat_model.bin'));
    const corpus = Corpus.open(studyPath('enwik_1024.txt'));
    const r = await booleanStructure(model, corpus, { mode: 'study' });
    expect(r.trueDynamics.bpc!.toFixed(3)).toBe('0.079');
    expect(r.trueDynamics.positions).toBe(1023);
    expect(r.h0.toFixed(2)).toBe('4.74');
    expect(r.signOnly.deterministicKeyShare).toBe(1);
    expect(r.ablation.knockout).toHaveLength(128);
    expect(r.study?.signVectors).toBe(1023);
    expect(r.ablation.signReadout.bpc).toBeGreaterThan(r.trueDynamics.bpc!);
    expect(r.ablation.signReadout.bpc).toBeLessThan(r.h0);
    expect(JSON.parse(JSON.stringify(r)).trueDynamics.distinct).toBe(r.trueDynamics.distinct);
  });
});
