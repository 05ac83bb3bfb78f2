/**
 * Temporal attribution (SPEC §6) through the API: PMI against direct counts, the counterfactual
 * against evaluations of the corpus with the byte flipped, the Jacobian's curve against its own
 * α, study mode's shape, errors. Finite differences of the Jacobian: native/tests/test_attribution.cc.
 */
import { Corpus } from '../lib/corpus';
import { evaluate } from '../lib/evaluate';
import { loadModel } from '../lib/io/model-file';
import { alignedMask, attribute, counterfactualAttribution, jacobianAttribution, pmiTables } from '../lib/attribution';
import { COUNTERFACTUAL_WARMUP, sampleCounterfactualPositions, windowedCounterfactual } from '../lib/attribution/samples';
import { captureTrajectory } from '../lib/trajectory';
import { codeOf, mulberry32, randomModel, studyPath } from './helpers';

function text(n: number, seed: number): Corpus {
  const rnd = mulberry32(seed);
  const alphabet = 'ab cde<>\n';
  return Corpus.fromBytes(Uint8Array.from({ length: n }, () => alphabet.charCodeAt(Math.floor(rnd() * alphabet.length))));
}

describe('PMI tables', () => {
  it('match direct counts per offset', async () => {
    const c = text(3000, 3);
    const p = await pmiTables(c, { range: [100, 3000], maxOffset: 5 });
    for (const d of [1, 5]) {
      const pair = new Map<number, number>(), pa = new Float64Array(256), pb = new Float64Array(256);
      let n = 0;
      for (let s = 100; s < 3000; s++) {
        const k = c.bytes[s - d] * 256 + c.bytes[s];
        pair.set(k, (pair.get(k) ?? 0) + 1);
        pa[c.bytes[s - d]]++;
        pb[c.bytes[s]]++;
        n++;
      }
      for (const [k, v] of pair) {
        const want = Math.log2((v / n) / ((pa[k >> 8] / n) * (pb[k & 255] / n)));
        expect(p.table[(d - 1) * 65536 + k]).toBeCloseTo(want, 4);
      }
      expect(p.table[(d - 1) * 65536 + 0x7a7a]).toBe(-Infinity); // 'zz' never occurs
    }
  });
});

describe('counterfactual attribution', () => {
  it('equals the change of the loss when the corpus itself has the byte flipped', async () => {
    const model = randomModel(8, 2, 0.5);
    const c = text(300, 5);
    const t = await captureTrajectory(model, c, { capture: ['hidden'] });
    const positions = [40, 120, 250];
    const r = await counterfactualAttribution(model, c, t, positions, { maxOffset: 6 });
    const base = (await evaluate(model, c, { losses: true })).losses!;
    for (const [i, p] of positions.entries()) {
      expect(r.bits[i]).toBeCloseTo(base[p], 4);
      for (let d = 1; d <= 6; d++) {
        const flipped = new Uint8Array(c.bytes);
        flipped[p + 1 - d] = (flipped[p + 1 - d] + 128) % 256;
        const lf = (await evaluate(model, Corpus.fromBytes(flipped), { losses: true })).losses!;
        expect(r.alpha[i][d - 1]).toBeCloseTo(lf[p] - base[p], 3);
      }
    }
  });
});

describe('Jacobian attribution', () => {
  it('sums its own α per offset, and its alignment is the masked share', async () => {
    const model = randomModel(8, 4, 0.5);
    const c = text(700, 6);
    const t = await captureTrajectory(model, c, { capture: ['hidden'] });
    const pmi = await pmiTables(c, { maxOffset: 4 });
    const mask = alignedMask(pmi);
    const r = await jacobianAttribution(model, c, { trajectory: t, begin: 0, end: 699 }, { maxOffset: 4, aligned: mask, keepAlpha: true, threads: 2 });
    expect(r.positions).toBe(699);
    for (const p of r.curve) {
      let abs = 0, al = 0, n = 0;
      for (let s = p.d - 1; s < 699; s++) {
        const a = Math.abs(r.alpha![s * 4 + p.d - 1]);
        n++;
        abs += a;
        if (mask[(p.d - 1) * 65536 + c.bytes[s + 1 - p.d] * 256 + c.bytes[s + 1]]) al += a;
      }
      expect(p.positions).toBe(n);
      expect(p.meanAbs).toBeCloseTo(abs / n, 5);
      expect(p.alignment).toBeCloseTo(al / abs, 5);
    }
  });

  it('rejects bad options with codes', async () => {
    const model = randomModel(4, 1);
    const c = text(100, 1);
    const t = await captureTrajectory(model, c, { capture: ['hidden'] });
    expect(await codeOf(() => jacobianAttribution(model, c, { trajectory: t, begin: 0, end: 99 }, { maxOffset: 0 }))).toBe('E_OPTION');
    expect(await codeOf(() => jacobianAttribution(model, c, { trajectory: t, begin: 0, end: 200 }))).toBe('E_RANGE');
    expect(await codeOf(() => jacobianAttribution(model, c, { trajectory: t, begin: 0, end: 99 }, { aligned: new Uint8Array(5) }))).toBe('E_SHAPE');
    expect(await codeOf(() => jacobianAttribution(model, c, { trajectory: t, begin: 0, end: 99 }, 'x' as never))).toBe('E_OPTION');
    expect(await codeOf(() => attribute(model, c, { mode: 'fast' as never }))).toBe('E_OPTION');
    expect(await codeOf(() => pmiTables(null as never))).toBe('E_OPTION');
    expect(await codeOf(() => counterfactualAttribution(model, c, t, []))).toBe('E_OPTION');
  });
});

describe('scale-mode counterfactual samples', () => {
  it('are drawn from the whole range, seeded, and rerun in windows agree with one long trajectory', async () => {
    const c = text(40000, 9);
    const range: [number, number] = [2000, 40000];
    const p = sampleCounterfactualPositions(range, 64, 1);
    expect(p).toEqual(sampleCounterfactualPositions(range, 64, 1));
    expect(p).not.toEqual(sampleCounterfactualPositions(range, 64, 2));
    expect(p[0]).toBeGreaterThanOrEqual(range[0] + 20);
    expect(p[p.length - 1]).toBeLessThan(range[1] - 1);
    expect(p[p.length - 1]).toBeGreaterThan(30000);  // not only the start of the range
    // A contractive model forgets its start within the warm-up: the windows' α equal those read
    // off one trajectory over the whole range, where the short trajectory does not reach.
    const model = randomModel(8, 4, 0.15);
    const full = await captureTrajectory(model, c, { range, capture: ['hidden'] });
    const short = await captureTrajectory(model, c, { range: [range[0], range[0] + 5000], capture: ['hidden'] });
    const w = await windowedCounterfactual(model, c, short, p, { maxOffset: 20, rangeBegin: range[0] });
    const direct = await counterfactualAttribution(model, c, full, p, { maxOffset: 20 });
    expect(w.positions).toEqual(p);
    expect(p.some((t) => t - COUNTERFACTUAL_WARMUP > range[0] + 5000)).toBe(true);  // windows were used
    expect(Math.max(...direct.alpha.map((row) => Math.abs(row[0] as number)))).toBeGreaterThan(0.01);  // α large enough to compare
    p.forEach((_, i) => {
      expect(w.bits[i]).toBeCloseTo(direct.bits[i], 4);
      w.alpha[i].forEach((a, d) => expect(a as number).toBeCloseTo(direct.alpha[i][d] as number, 4));
    });
  });
});

describe('attribute, study mode', () => {
  it('gives the counterfactual at the study positions, the Jacobian curve over 32 offsets and their correlation', async () => {
    const r = await attribute(loadModel(studyPath('sat_model.bin')), Corpus.open(studyPath('enwik_1024.txt')), { mode: 'study' });
    expect(r.counterfactual.positions).toEqual([42, 80, 100, 150, 200, 300, 400, 500]);
    expect(r.counterfactual.alpha.every((row) => row.length === 20 && row.every((v) => v !== null))).toBe(true);
    expect(r.jacobian.curve).toHaveLength(32);
    expect(r.jacobian.positions).toBe(1023);
    expect(r.correlation.pairs).toBe(160);
    expect(r.jacobian.shallow.alignment).toBeGreaterThan(0);
    expect(() => JSON.stringify(r)).not.toThrow();
  });
});
