/**
 * ψ — reading a trained model: the study's figures (SPEC §9), the native factor map,
 * read-back and Hebbian estimates against brute-force references on small corpora, scale
 * mode's held-out split, errors, and the CLI.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { Corpus } from '../lib/corpus';
import { loadModel } from '../lib/io/model-file';
import { Model, VOCAB } from '../lib/model';
import {
  SCALE_LAGS, compareWeights, factorMap, hebbianEstimates, lagOnePartners, readBack, readModel, stateFeatureMap,
  wxInputNorms,
} from '../lib/psi';
import { Trajectory, captureTrajectory } from '../lib/trajectory';
import { codeOf, corpusPath, randomModel, repoRoot, studyPath } from './helpers';

describe('ψ study mode (SPEC §9)', () => {
  it("reproduces the study's Wx norms, factor map, read-back and state features", async () => {
    const model = loadModel(studyPath('sat_model.bin'));
    const corpus = Corpus.open(studyPath('enwik_1024.txt'));
    const r = await readModel(model, corpus, { mode: 'study' });

    expect(r.wxTop.slice(0, 3).map((b) => `${b.name} ${b.norm.toFixed(2)}`)).toEqual(['< 3.75', 'space 3.74', '> 3.49']);

    const fm = r.factorMap;
    expect(fm.split).toBe('in-sample');
    expect(fm.scorePositions).toEqual([27, 1024]);
    expect(fm.meanR2.toFixed(3)).toBe('0.837');
    expect(fm.countAbove).toBe(120);
    expect(fm.pairHistogram[0]).toMatchObject({ pair: [1, 7], neurons: 52 });
    expect(fm.pairHistogram.reduce((s, p) => s + p.neurons, 0)).toBe(128);
    expect(fm.pairs).toHaveLength(28);
    expect(fm.meanSingleR2).toBeLessThan(fm.meanR2);

    const rb = r.readBack;
    expect(rb.positions).toBe(1023 - 27);
    expect(rb.levels[1].bpc.toFixed(2)).toBe('0.50');
    expect(Math.round(100 * rb.levels[1].shareOfGain)).toBe(91);
    expect(rb.levels[2].bpc.toFixed(2)).toBe('0.43');
    expect((100 * rb.levels[2].shareOfGain).toFixed(1)).toBe('92.5');
    // in-sample: every position's own cell exists, so nothing backs off
    for (const l of rb.levels) expect(l.resolved).toEqual({ own: 128 * 996, coarser: 0, lag1: 0, mean: 0 });
    // H0 is computed from the predicted bytes x_28 … x_1023, not the study's hard-coded 4.74
    const hist = new Array(256).fill(0);
    for (let t = 28; t < 1024; t++) hist[corpus.bytes[t]]++;
    const h0 = -hist.filter((c) => c > 0).reduce((s, c) => s + (c / 996) * Math.log2(c / 996), 0);
    expect(rb.h0).toBeCloseTo(h0, 12);

    expect(r.stateFeatures!.wins.word_len).toBe(128);
    // the public model has no |Wh| ≥ 3: that set is reported as empty, not as 0
    expect(r.hebbian.Wh.rStrong).toEqual({ threshold: 3, n: 0, value: null });
    expect(r.hebbian.Wh.r).toBeGreaterThan(0.3);
  });
});

/** R² of cell means by direct scans (fit cells, score residuals; unseen cells → fit mean). */
function bruteR2(t: Trajectory, bytes: Uint8Array, j: number, lags: number[], fit: [number, number], score: [number, number], st: Trajectory = t): number {
  const H = t.hidden;
  const h = (tr: Trajectory, s: number): number => tr.states![(s - tr.begin) * H + j];
  const key = (s: number): string => lags.map((l) => bytes[s - l]).join(',');
  const cells = new Map<string, [number, number]>();
  let fitMean = 0;
  for (let s = fit[0]; s < fit[1]; s++) {
    const c = cells.get(key(s)) ?? [0, 0];
    c[0] += h(t, s); c[1]++;
    cells.set(key(s), c);
    fitMean += h(t, s);
  }
  fitMean /= fit[1] - fit[0];
  let mean = 0;
  for (let s = score[0]; s < score[1]; s++) mean += h(st, s);
  mean /= score[1] - score[0];
  let res = 0, tot = 0;
  for (let s = score[0]; s < score[1]; s++) {
    const c = cells.get(key(s));
    const m = c ? c[0] / c[1] : fitMean;
    res += (h(st, s) - m) ** 2;
    tot += (h(st, s) - mean) ** 2;
  }
  return 1 - res / tot;
}

describe('factor map against brute force', () => {
  const corpus = Corpus.open(corpusPath('tinyshakespeare.txt'));
  const model = randomModel(6, 21, 0.5);

  it('matches direct scans in-sample and held out, pairs and single lags', async () => {
    const t = await captureTrajectory(model, corpus, { range: [0, 900], capture: ['hidden'] });
    const lags = [2, 0, 5, 1];
    const inSample = { trajectory: t, begin: 5, end: 900 };
    const a = await factorMap(corpus, inSample, inSample, { lags });
    const held = await factorMap(corpus, { trajectory: t, begin: 5, end: 700 }, { trajectory: t, begin: 700, end: 900 }, { lags, threads: 2 });
    expect(a.split).toBe('in-sample');
    expect(held.split).toBe('held-out');
    for (const [r, fit, score] of [[a, [5, 900], [5, 900]], [held, [5, 700], [700, 900]]] as const) {
      let p = 0;
      for (let x = 0; x < lags.length; x++) {
        for (let y = x + 1; y < lags.length; y++, p++) {
          const pair = [lags[x], lags[y]];
          expect(r.pairs[p].pair).toEqual([Math.min(...pair), Math.max(...pair)]);
          for (let j = 0; j < 6; j++) {
            expect(r.pairR2[p * 6 + j]).toBeCloseTo(bruteR2(t, corpus.bytes, j, pair, [...fit], [...score]), 9);
          }
        }
      }
      for (const n of r.neurons) {
        // the reported best pair is the maximum over pairs, and its single lag the max over lags
        const best = Math.max(...r.pairs.map((_, q) => r.pairR2[q * 6 + n.neuron]));
        expect(n.r2).toBe(best);
        const single = Math.max(...lags.map((l) => bruteR2(t, corpus.bytes, n.neuron, [l], [...fit], [...score])));
        expect(n.single.r2).toBeCloseTo(single, 9);
      }
    }
    // held out, some byte pairs of the tail never occur in the head
    expect(held.pairs.some((p) => p.unseenShare > 0)).toBe(true);
    expect(a.pairs.every((p) => p.unseenShare === 0)).toBe(true);
    // partners of lag 1 are the argmax over pairs holding lag 1
    const partners = lagOnePartners(a, 6);
    for (let j = 0; j < 6; j++) {
      const cands = [2, 0, 5].map((l) => ({ l, r2: bruteR2(t, corpus.bytes, j, [1, l], [5, 900], [5, 900]) }));
      const top = cands.reduce((b, c) => (c.r2 > b.r2 ? c : b));
      expect(partners[j]).toBe(top.l);
    }
  });

  it('read-back in-sample equals the readout on direct cell means; held out it backs off', async () => {
    const t = await captureTrajectory(model, corpus, { range: [0, 700], capture: ['hidden'] });
    const partner = [2, 3, 0, 2, 4, 3];
    const rows = { trajectory: t, begin: 4, end: 700 };
    const r = await readBack(model, corpus, rows, rows, partner);
    expect(r.positions).toBe(696); // t = 4 … 699: x_700 exists in the corpus
    // level (a) by brute force: ĥ_j(t) = mean of h_j over s with the same (x_{s−1}, x_{s−p_j})
    let bits = 0;
    const H = model.hidden;
    for (let s = 4; s < 700; s++) {
      const hh = new Float64Array(H);
      for (let j = 0; j < H; j++) {
        let sum = 0, n = 0;
        for (let u = 4; u < 700; u++) {
          if (corpus.bytes[u - 1] === corpus.bytes[s - 1] && corpus.bytes[u - partner[j]] === corpus.bytes[s - partner[j]]) {
            sum += t.states![u * H + j]; n++;
          }
        }
        hh[j] = sum / n;
      }
      const logits = Array.from({ length: VOCAB }, (_, o) => model.by[o] + hh.reduce((acc, v, j) => acc + model.Wy[o * H + j] * v, 0));
      const mx = Math.max(...logits);
      const lse = mx + Math.log(logits.reduce((acc, l) => acc + Math.exp(l - mx), 0));
      bits += (lse - logits[corpus.bytes[s + 1]]) / Math.LN2;
    }
    expect(r.levels[0].bpc).toBeCloseTo(bits / 696, 4);
    expect(r.levels[2].bpc).toBeLessThanOrEqual(r.levels[0].bpc + 0.5);

    const held = await readBack(model, corpus, { trajectory: t, begin: 4, end: 500 }, { trajectory: t, begin: 500, end: 700 }, partner);
    expect(held.split).toBe('held-out');
    const lv = held.levels[2].resolved;
    expect(lv.coarser + lv.lag1 + lv.mean).toBeGreaterThan(0);
    expect(lv.own + lv.coarser + lv.lag1 + lv.mean).toBe(6 * 200);
  });

  it('refuses bad lags, ranges, trajectories and partners with coded errors', async () => {
    const t = await captureTrajectory(model, corpus, { range: [0, 200], capture: ['hidden'] });
    const signsOnly = await captureTrajectory(model, corpus, { range: [0, 200], capture: ['signs'] });
    const ok = { trajectory: t, begin: 30, end: 200 };
    expect(await codeOf(() => factorMap(corpus, ok, ok, { lags: [1, 1] }))).toBe('E_OPTION');
    expect(await codeOf(() => factorMap(corpus, ok, ok, { lags: [1, -2] }))).toBe('E_OPTION');
    expect(await codeOf(() => factorMap(corpus, { ...ok, begin: 3 }, ok, { lags: [1, 8] }))).toBe('E_RANGE');
    expect(await codeOf(() => factorMap(corpus, { ...ok, end: 201 }, ok, { lags: [1, 8] }))).toBe('E_RANGE');
    expect(await codeOf(() => factorMap(corpus, { ...ok, trajectory: signsOnly }, ok))).toBe('E_OPTION');
    expect(await codeOf(() => readBack(model, corpus, ok, ok, [2, 2, 2, 1, 2, 2]))).toBe('E_OPTION');
    expect(await codeOf(() => readBack(model, corpus, ok, ok, [2, 2]))).toBe('E_OPTION');
    expect(await codeOf(() => readModel(model, corpus, { mode: 'other' as 'study' }))).toBe('E_OPTION');
    const ctl = new AbortController();
    ctl.abort();
    expect(await codeOf(() => factorMap(corpus, ok, ok, { signal: ctl.signal }))).toBe('E_ABORTED');
  });
});

describe('Hebbian estimates', () => {
  it('C against a Wh built from direct sums gives r = 1; Cx counts seen bytes only; empty sets are null, not 0', async () => {
    const corpus = Corpus.open(corpusPath('tinyshakespeare.txt'));
    const model = randomModel(4, 9, 0.6);
    const t = await captureTrajectory(model, corpus, { range: [1000, 1600], capture: ['hidden'] });
    const H = 4, T = 600;
    const h = (s: number, j: number): number => t.states![s * H + j];
    const mean = [0, 1, 2, 3].map((j) => Array.from({ length: T }, (_, s) => h(s, j)).reduce((a, b) => a + b) / T);
    const C = new Float64Array(H * H);
    for (let i = 0; i < H; i++) {
      for (let j = 0; j < H; j++) {
        for (let s = 0; s + 1 < T; s++) C[i * H + j] += (h(s, j) - mean[j]) * (h(s + 1, i) - mean[i]);
        C[i * H + j] /= T - 1;
      }
    }
    // Wh as C itself (r = 1, all signs agree) scaled so some entries pass |w| ≥ 3 and some do not
    const scale = 3 / Math.max(...Array.from(C, Math.abs)) * 1.5;
    model.Wh.set(Array.from(C, (v) => v * scale));
    const r = await hebbianEstimates(model, corpus, { trajectory: t, begin: 1000, end: 1600 });
    expect(r.Wh.r).toBeCloseTo(1, 5);
    expect(r.Wh.rStrong.n).toBeGreaterThan(0);
    expect(r.Wh.signAccuracy.map((s) => s.value)).toEqual([1, 1]);
    // Cx is compared only over bytes that occur among the states
    const seen = new Set(Array.from(corpus.bytes.subarray(1000, 1600)));
    expect(r.Wx.entries).toBe(seen.size * H);

    const empty = compareWeights([1, -1, 2], [0.1, 0.2, 0.3], () => true);
    expect(empty.rStrong).toEqual({ threshold: 3, n: 0, value: null });
    expect(empty.signAccuracy).toEqual([{ threshold: 0.5, n: 0, value: null }, { threshold: 3, n: 0, value: null }]);
    expect(compareWeights([1, -1, 2, -3], [0.6, 0.7, 4, -5], () => true).signAccuracy[0]).toEqual({ threshold: 0.5, n: 4, value: 0.75 });
  });
});

describe('scale mode and the rest of the API', () => {
  it('fits on train positions and scores on test positions over lags 0…20', async () => {
    const corpus = Corpus.open(corpusPath('tinyshakespeare.txt'));
    const model = randomModel(8, 4, 0.4);
    const progress: number[] = [];
    const r = await readModel(model, corpus, { mode: 'scale', positions: 20000, threads: 2, onProgress: (d, t) => progress.push(d / t) });
    const split = corpus.split();
    expect(r.factorMap.split).toBe('held-out');
    expect(r.factorMap.lags).toEqual([...SCALE_LAGS]);
    expect(r.factorMap.pairs).toHaveLength(210);
    expect(r.factorMap.fitPositions).toEqual([20, 20 + 18000]);
    expect(r.factorMap.scorePositions).toEqual([split.test[0] + 20, split.test[0] + 20 + 2000]);
    expect(r.trajectories).toEqual([[0, 18020], [split.test[0], split.test[0] + 2020]]);
    expect(r.readBack.split).toBe('held-out');
    expect(r.readBack.positions).toBe(2000);
    for (const p of r.factorMap.pairs) expect(p.unseenShare).toBeGreaterThanOrEqual(0);
    expect(r.factorMap.pairs.some((p) => p.unseenShare > 0)).toBe(true);
    expect(progress.length).toBeGreaterThan(0);
    expect(Math.max(...progress)).toBeLessThanOrEqual(1);
    expect(r.memory.trajectoryBytes).toBe((18020 + 2020) * 8 * 4);
  });

  it('wxInputNorms names control bytes and sorts by norm', () => {
    const m = new Model(2);
    m.Wx[10] = 3; m.Wx[256 + 10] = 4; // byte 10 ('\n'): norm 5
    m.Wx[65] = -2; // 'A'
    const r = wxInputNorms(m, 3);
    expect(r.top.map((b) => [b.name, b.norm])).toEqual([['\\n', 5], ['A', 2], ['\\x00', 0]]);
  });

  it('stateFeatureMap counts wins over all neurons', async () => {
    const corpus = Corpus.open(corpusPath('tinyshakespeare.txt'));
    const model = randomModel(5, 2, 0.5);
    const t = await captureTrajectory(model, corpus, { range: [0, 800], capture: ['hidden'] });
    const r = await stateFeatureMap(corpus, { trajectory: t, begin: 1, end: 800 });
    expect(Object.values(r.wins).reduce((a, b) => a + b, 0)).toBe(5);
    // (x_t, f_t) refines x_t: in-sample its R² is never below x_t's
    for (const b of r.best) expect(b.r2).toBeGreaterThanOrEqual(b.byteR2 - 1e-12);
  });
});

describe('bi-embed read', () => {
  const bin = path.join(repoRoot, 'bin', 'bi-embed.js');
  const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

  it('--json gives wxTop, hebbian, factorMap and readBack', () => {
    const r = run(['read', '--model', studyPath('sat_model.bin'), '--corpus', studyPath('enwik_1024.txt'), '--json']);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.mode).toBe('study');
    expect(out.wxTop[0].name).toBe('<');
    expect(out.hebbian.Wh.rStrong.value).toBeNull();
    expect(out.factorMap.countAbove).toBe(120);
    expect(out.factorMap.neurons).toHaveLength(128);
    expect(out.readBack.levels.map((l: { bpc: number }) => l.bpc.toFixed(2))).toEqual(['0.85', '0.50', '0.43']);
  });

  it('a bad mode exits 2 with its code', () => {
    const r = run(['read', '--model', studyPath('sat_model.bin'), '--corpus', studyPath('enwik_1024.txt'), '--mode', 'fast']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('E_OPTION');
  });
});
