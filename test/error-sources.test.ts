/** The three sources of error (SPEC §7): synergy against direct counts, the table in study mode. */
import { Corpus } from '../lib/corpus';
import { loadModel } from '../lib/io/model-file';
import { errorSources, pairwiseSynergy } from '../lib/error-sources';
import { codeOf, mulberry32, studyPath } from './helpers';

/** Plug-in I(Y; X_D) over s ∈ [s0, end) by counting in maps. */
function mutualInfo(bytes: Uint8Array, s0: number, end: number, offsets: number[]): number {
  const joint = new Map<string, number>(), ctx = new Map<string, number>(), y = new Map<number, number>();
  const n = end - s0;
  for (let s = s0; s < end; s++) {
    const c = offsets.map((d) => bytes[s - d]).join(',');
    joint.set(`${c}|${bytes[s]}`, (joint.get(`${c}|${bytes[s]}`) ?? 0) + 1);
    ctx.set(c, (ctx.get(c) ?? 0) + 1);
    y.set(bytes[s], (y.get(bytes[s]) ?? 0) + 1);
  }
  let mi = 0;
  for (const [k, v] of joint) {
    const [c, b] = k.split('|');
    mi += (v / n) * Math.log2((v * n) / (ctx.get(c)! * y.get(Number(b))!));
  }
  return mi;
}

describe('pairwise synergy', () => {
  it('equals I(Y; X_a, X_b) − I(Y; X_a) − I(Y; X_b) counted directly', async () => {
    const rnd = mulberry32(7);
    // Pure synergy: bit 0 of every byte is a coin, bit 1 of x_s is bit 0 of x_{s−2} XOR bit 0 of
    // x_{s−3}; either offset alone says nothing about it, the two together say one bit.
    const bytes = new Uint8Array(4000);
    for (let s = 0; s < bytes.length; s++) {
      const coin = rnd() < 0.5 ? 1 : 0;
      bytes[s] = s < 3 ? coin : coin | (((bytes[s - 2] ^ bytes[s - 3]) & 1) << 1);
    }
    const c = Corpus.fromBytes(bytes);
    const r = await pairwiseSynergy(c, { maxOffset: 5, range: [10, 4000] });
    expect(r.positions).toEqual([15, 4000]);
    expect(r.pairs).toBe(10);
    for (const p of r.all) {
      const want = mutualInfo(bytes, 15, 4000, [p.a, p.b]) - mutualInfo(bytes, 15, 4000, [p.a]) - mutualInfo(bytes, 15, 4000, [p.b]);
      expect(p.synergy).toBeCloseTo(want, 9);
    }
    expect(r.top[0]).toMatchObject({ a: 2, b: 3 });
    expect(r.top[0].synergy).toBeGreaterThan(0.9);
    expect(await codeOf(() => pairwiseSynergy(c, { maxOffset: 31 }))).toBe('E_OPTION');
  });
});

describe('three sources of error, study mode', () => {
  it('reports 1 − r², synergy and the sign-only gap with the study numbers beside them', async () => {
    const r = await errorSources(loadModel(studyPath('sat_model.bin')), Corpus.open(studyPath('enwik_1024.txt')), { mode: 'study' });
    expect(r.firstOrder.r).not.toBeNull();
    expect(r.firstOrder.oneMinusR2).toBeCloseTo(1 - r.firstOrder.r! ** 2, 12);
    expect(r.firstOrder.strongEntries).toBe(0); // no |Wh| ≥ 3 in the public model: reported as empty
    expect(r.firstOrder.rStrong).toBeNull();
    expect(r.pairwise.pairs).toBe(435);
    expect(r.boolean.bpc.toFixed(3)).toBe('0.079');
    expect(r.boolean.signOnlyBpc).toBeGreaterThan(r.boolean.bpc);
    expect(r.study?.signShareOfGain).toBe(0.997);
  });
});
