/**
 * Skip-k-grams (SPEC §4): the study's numbers (SPEC §9), brute force on small inputs (JS
 * Maps), the held-out model against a direct Witten–Bell computation, coded errors,
 * cancellation, scale mode on a real corpus slice, witnesses and the CLI.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  Corpus, greedyHeldOut, greedyStudy, heldOutBpc, loadModel, miProfile, patternWitness, runSkipgram, skipgramStats,
} from '../lib';
import { corpusPath, mulberry32, repoRoot, studyPath } from './helpers';

function codeOf(p: Promise<unknown>): Promise<string> {
  return p.then(() => 'resolved', (e: { code?: string }) => e.code ?? 'no code');
}

function randomText(n: number, seed: number, alphabet: number): Buffer {
  const rnd = mulberry32(seed);
  return Buffer.from(Array.from({ length: n }, () => 97 + Math.floor(rnd() * alphabet)));
}

/** Brute-force plug-in H(Y | X_D) and the number of patterns over s ∈ [max D, n). */
function bruteEntropy(x: Uint8Array, D: number[]): { bits: number; patterns: number } {
  const md = Math.max(0, ...D);
  const pairs = new Map<string, number>(), ctx = new Map<string, number>();
  for (let s = md; s < x.length; s++) {
    const c = D.map((d) => x[s - d]).join(',');
    pairs.set(`${c}|${x[s]}`, (pairs.get(`${c}|${x[s]}`) ?? 0) + 1);
    ctx.set(c, (ctx.get(c) ?? 0) + 1);
  }
  let h = 0;
  for (const [k, n] of pairs) h -= n * Math.log2(n / ctx.get(k.split('|')[0])!);
  return { bits: h / (x.length - md), patterns: pairs.size };
}

describe('skip-gram study statistics', () => {
  const study = () => Corpus.open(studyPath('enwik_1024.txt'));

  it('reproduces skip-4 [1,8,20,3]: 0.069 bpc with 712 patterns (SPEC §9)', async () => {
    const r = await skipgramStats(study(), [1, 8, 20, 3]);
    expect(r.bits.toFixed(3)).toBe('0.069');
    expect(r.patterns).toBe(712);
    expect(r.positions).toBe(1024 - 20);
  });

  it('reproduces greedy skip-8 [1,8,20,3,27,2,12,7] (SPEC §9)', async () => {
    const steps = await greedyStudy(study(), { order: 8 });
    expect(steps.map((s) => s.added)).toEqual([1, 8, 20, 3, 27, 2, 12, 7]);
    expect(steps[7].offsets).toEqual([1, 8, 20, 3, 27, 2, 12, 7]);
    for (let i = 1; i < steps.length; i++) {
      const c = steps[i].candidates.filter((v): v is number => v !== null);
      expect(steps[i].score).toBe(Math.min(...c));
      expect(steps[i].candidates[steps[i].added - 1]).toBe(steps[i].score);
    }
  });

  it('matches brute force on small random inputs', async () => {
    for (let seed = 1; seed <= 5; seed++) {
      const x = randomText(300 + 50 * seed, seed, 2 + seed);
      const D = [1, 2 + seed, 7, 3].slice(0, 1 + (seed % 4));
      const ref = bruteEntropy(x, D);
      const r = await skipgramStats(Corpus.fromBytes(x), D);
      expect(Math.abs(r.bits - ref.bits)).toBeLessThan(1e-12);
      expect(r.patterns).toBe(ref.patterns);
    }
  });

  it('MI profile equals H(Y) − H(Y | X_d) by brute force', async () => {
    const x = randomText(700, 9, 4);
    const mi = await miProfile(Corpus.fromBytes(x), { maxOffset: 6 });
    expect(mi).toHaveLength(6);
    for (let d = 1; d <= 6; d++) {
      const hy = bruteEntropy(x.subarray(d), []).bits;
      expect(Math.abs(mi[d - 1]! - (hy - bruteEntropy(x, [d]).bits))).toBeLessThan(1e-10);
    }
  });
});

describe('skip-gram held-out model', () => {
  it('Witten–Bell test bits equal a direct computation', async () => {
    const x = randomText(3000, 4, 5);
    const corpus = Corpus.fromBytes(x);
    const r = await heldOutBpc(corpus, [2], { train: [0, 2500], test: [2500, 3000], smoothing: 'witten-bell' });
    // Direct: p0(y) = (c(y) + u·/256)/(N + u), p1(y|a) = (c(a,y) + u_a·p0(y))/(c(a) + u_a), counts over s ∈ [2, 2500).
    const c0 = new Map<number, number>(), c1 = new Map<string, number>(), ca = new Map<number, number>(), ua = new Map<number, Set<number>>();
    for (let s = 2; s < 2500; s++) {
      c0.set(x[s], (c0.get(x[s]) ?? 0) + 1);
      c1.set(`${x[s - 2]},${x[s]}`, (c1.get(`${x[s - 2]},${x[s]}`) ?? 0) + 1);
      ca.set(x[s - 2], (ca.get(x[s - 2]) ?? 0) + 1);
      if (!ua.has(x[s - 2])) ua.set(x[s - 2], new Set());
      ua.get(x[s - 2])!.add(x[s]);
    }
    const N = 2498, u0 = c0.size;
    let bits = 0;
    for (let s = 2500; s < 3000; s++) {
      const p0 = ((c0.get(x[s]) ?? 0) + u0 / 256) / (N + u0);
      const a = x[s - 2], u = ua.get(a)?.size ?? 0;
      const p1 = u ? ((c1.get(`${a},${x[s]}`) ?? 0) + u * p0) / (ca.get(a)! + u) : p0;
      bits -= Math.log2(p1);
    }
    expect(r.positions).toBe(500);
    expect(Math.abs(r.bpc - bits / 500)).toBeLessThan(1e-9);
  });

  it('Kneser–Ney beats the order-0 entropy on real text, and deeper skip contexts help', async () => {
    const corpus = Corpus.fromBytes(fs.readFileSync(corpusPath('tinyshakespeare.txt')).subarray(0, 300000));
    const test: [number, number] = [270000, 300000];
    const r0 = await heldOutBpc(corpus, [1], { train: [0, 270000], test });
    const r2 = await heldOutBpc(corpus, [1, 2, 3], { train: [0, 270000], test });
    expect(r0.smoothing).toBe('kneser-ney');
    expect(r2.bpc).toBeLessThan(r0.bpc);
    expect(r0.bpc).toBeLessThan(bruteEntropy(corpus.bytes.subarray(...test), []).bits);
    expect(r2.depth.reduce((a, b) => a + b, 0)).toBe(30000);
  });

  it('greedy held-out selection picks the informative offset first', async () => {
    // x_s copies x_{s−5} three times in four; otherwise random.
    const rnd = mulberry32(7);
    const x = new Uint8Array(20000);
    for (let i = 0; i < x.length; i++) x[i] = i >= 5 && rnd() < 0.75 ? x[i - 5] : 97 + Math.floor(rnd() * 8);
    const steps = await greedyHeldOut(Corpus.fromBytes(x), { order: 2, maxOffset: 8, start: [], fit: [0, 16000], valid: [16000, 20000] });
    expect(steps.map((s) => s.added)).toEqual([0, 5, steps[2].added]);
    expect(steps[1].score).toBeLessThan(steps[0].score);
  });
});

describe('skip-gram errors and jobs', () => {
  const c = Corpus.fromBytes(randomText(5000, 3, 200));

  it('rejects bad offsets, orders, ranges and smoothing with codes', async () => {
    expect(await codeOf(skipgramStats(c, [0]))).toBe('E_OPTION');
    expect(await codeOf(skipgramStats(c, [1, 1]))).toBe('E_OPTION');
    expect(await codeOf(skipgramStats(c, [1, 2, 3, 4, 5, 6, 7, 8, 9]))).toBe('E_OPTION');
    expect(await codeOf(skipgramStats(c, [1.5]))).toBe('E_OPTION');
    expect(await codeOf(skipgramStats(c, [1], { range: [0, 6000] }))).toBe('E_RANGE');
    expect(await codeOf(skipgramStats(c, [30], { range: [0, 20] }))).toBe('E_CORPUS_TOO_SHORT');
    expect(await codeOf(greedyStudy(c, { order: 9 }))).toBe('E_OPTION');
    expect(await codeOf(greedyStudy(c, { order: 4, maxOffset: 3 }))).toBe('E_OPTION');
    expect(await codeOf(heldOutBpc(c, [1], { train: [0, 4000], test: [4000, 5000], smoothing: 'good-turing' as never }))).toBe('E_OPTION');
    expect(await codeOf(runSkipgram(c, { offsets: [1], greedy: 2 }))).toBe('E_OPTION');
  });

  it('a memory bound below the tables gives E_MEMORY_LIMIT', async () => {
    expect(await codeOf(skipgramStats(c, [1, 2, 3], { maxBytes: 16384 }))).toBe('E_MEMORY_LIMIT');
  });

  it('an aborted signal rejects with E_ABORTED', async () => {
    const ac = new AbortController();
    ac.abort();
    expect(await codeOf(skipgramStats(c, [1], { signal: ac.signal }))).toBe('E_ABORTED');
  });
});

describe('skip-gram runs', () => {
  it('scale mode: greedy offsets, skip vs contiguous test bpc per order', async () => {
    const corpus = Corpus.fromBytes(fs.readFileSync(corpusPath('tinyshakespeare.txt')).subarray(0, 200000));
    const r = await runSkipgram(corpus, { mode: 'scale', greedy: 3, maxOffset: 6 });
    expect(r.offsets).toHaveLength(3);
    expect(r.offsets[0]).toBe(1);
    expect(r.orders!.map((o) => o.contiguous.offsets)).toEqual([[1], [1, 2], [1, 2, 3]]);
    expect(r.orders![0].testBpc).toBe(r.orders![0].contiguous.testBpc);  // both are [1]
    expect(r.testBpc).toBe(r.orders![2].testBpc);
    expect(r.split!.test).toEqual([180000, 200000]);
    expect(r.miProfile.greedy).toHaveLength(2);
    // Each greedy step chose the candidate with the lowest validation bpc.
    for (const g of r.miProfile.greedy) {
      expect(g.score).toBe(Math.min(...g.values.filter((v): v is number => v !== null)));
    }
  });

  it('scale mode: a memory bound the tables cannot fit is refused before the work, naming maxBytes', async () => {
    const corpus = Corpus.open(corpusPath('tinyshakespeare.txt'));
    let progress = 0;
    const run = runSkipgram(corpus, { mode: 'scale', greedy: 8, threads: 2, maxBytes: 4 * 2 ** 20, onProgress: () => { progress++; } });
    await expect(run).rejects.toMatchObject({
      code: 'E_MEMORY_LIMIT',
      message: expect.stringMatching(/each greedy candidate \(2 in parallel\) \(8 offsets over \d+ positions\) need about \d+ MiB .* their share 2 MiB of maxBytes = 4 MiB; raise maxBytes/),
    });
    expect(progress).toBe(0);  // no stage started
    // A fixed list: the final models alone, against the whole bound.
    await expect(runSkipgram(corpus, { mode: 'scale', offsets: [1, 2, 3], maxBytes: 2 ** 20 })).rejects.toMatchObject({
      code: 'E_MEMORY_LIMIT', message: expect.stringMatching(/the held-out models \(3 offsets .* over maxBytes = 1 MiB/),
    });
  });

  it('CLI: a memory error names --max-mb, not the API option', () => {
    const bin = path.join(repoRoot, 'bin', 'bi-embed.js');
    const r = spawnSync(process.execPath, [bin, 'skipgram', '--corpus', corpusPath('tinyshakespeare.txt'), '--mode', 'scale',
      '--greedy', '8', '--threads', '2', '--max-mb', '4', '--progress', 'none'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/E_MEMORY_LIMIT: .*of --max-mb = 4 MiB; raise --max-mb/);
    expect(r.stderr).not.toContain('maxBytes');
  });

  it('witnesses on the study model: shares add up and depth coverage grows', async () => {
    const model = loadModel(studyPath('sat_model.bin'));
    const corpus = Corpus.open(studyPath('enwik_1024.txt'));
    const w = await patternWitness(model, corpus, [1, 8, 20, 3]);
    expect(w.positions).toBe(1004);
    const correct = Math.round(w.rnnAccuracy * w.positions);
    const split = w.coverageCorrect! * correct + w.coverageIncorrect! * (w.positions - correct);
    expect(Math.abs(split - w.coverage * w.positions)).toBeLessThan(1e-6);
    expect(w.deepest.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    for (const d of w.byDepth) expect(d.matched).toBe(w.positions);  // in-sample: every context seen
    expect(w.coverage).toBeGreaterThanOrEqual(w.byDepth[3].share);
  });

  it('CLI: skipgram --json on the study text', () => {
    const bin = path.join(repoRoot, 'bin', 'bi-embed.js');
    const r = spawnSync(process.execPath, [bin, 'skipgram', '--corpus', studyPath('enwik_1024.txt'), '--offsets', '1,8,20,3', '--json'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.offsets).toEqual([1, 8, 20, 3]);
    expect(out.bpc.toFixed(3)).toBe('0.069');
    expect(out.patterns).toBe(712);
    expect(out.miProfile.single).toHaveLength(30);
    const bad = spawnSync(process.execPath, [bin, 'skipgram', '--corpus', studyPath('enwik_1024.txt'), '--offsets', '1,x'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('E_OPTION');
  });
});
