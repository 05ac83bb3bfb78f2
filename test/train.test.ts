/**
 * train(): gradients against float64 finite differences (through one SGD step), SIMD
 * against scalar, resume == uninterrupted (bitwise), NaN stops with E_NON_FINITE keeping
 * the last good checkpoint, AbortSignal cancels within a second, option errors.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Corpus } from '../lib/corpus';
import { Model, VOCAB } from '../lib/model';
import { initTrainModel, train } from '../lib/train';
import { evaluate } from '../lib/evaluate';
import { loadCheckpoint } from '../lib/train/checkpoint';
import { loadModel } from '../lib/io/model-file';
import { availableIsas, codeOf, cpuSimdIsas, mulberry32, randomModel, tempDir } from './helpers';
import { native, NativeTrainConfig } from '../lib/native';

function randomText(n: number, seed: number): Uint8Array {
  const rnd = mulberry32(seed);
  const words = ['the ', 'cat ', '<b>', 'sat ', 'on ', 'a ', 'mat\n', 'é'];
  const parts: string[] = [];
  let len = 0;
  while (len < n) {
    const w = words[Math.floor(rnd() * words.length)];
    parts.push(w);
    len += Buffer.byteLength(w);
  }
  return new Uint8Array(Buffer.from(parts.join('')).subarray(0, n));
}

/** Σ −ln p(x_{t+1}) over t = 0 … T−1 from h = 0, in float64 (the study's window loss). */
function windowLoss(P: Float64Array, H: number, x: Uint8Array, T: number): number {
  const Wx = 0, Wh = H * VOCAB, bh = Wh + H * H, Wy = bh + H, by = Wy + VOCAB * H;
  let h = new Float64Array(H);
  let loss = 0;
  for (let t = 0; t < T; t++) {
    const next = new Float64Array(H);
    for (let i = 0; i < H; i++) {
      let z = P[bh + i] + P[Wx + i * VOCAB + x[t]];
      for (let j = 0; j < H; j++) z += P[Wh + i * H + j] * h[j];
      next[i] = Math.tanh(z);
    }
    h = next;
    const logits = new Float64Array(VOCAB);
    let mx = -Infinity;
    for (let o = 0; o < VOCAB; o++) {
      let s = P[by + o];
      for (let j = 0; j < H; j++) s += P[Wy + o * H + j] * h[j];
      logits[o] = s;
      mx = Math.max(mx, s);
    }
    let sum = 0;
    for (let o = 0; o < VOCAB; o++) sum += Math.exp(logits[o] - mx);
    loss += mx + Math.log(sum) - logits[x[t + 1]];
  }
  return loss;
}

/** The gradient the native code applied in one SGD step at lr = 1 without clipping. */
async function oneStepGradient(init: Model, corpus: Corpus, window: number, isa?: string): Promise<Float64Array> {
  // Study recipe, one step at lr 1 without clipping: the cosine's first epoch gives lr·½(1 + cos(π/4000)),
  // 1 − 1.5e-7, so p0 − p1 is the gradient of the first window's summed loss to float precision.
  const r = await train({ corpus, recipe: 'study', hidden: init.hidden, window, steps: 1, lr: 1, clip: 0, init, isa });
  const g = new Float64Array(init.params.length);
  // No epoch has finished, so the study recipe returns the current model.
  for (let i = 0; i < g.length; i++) g[i] = init.params[i] - r.model.params[i];
  return g;
}

describe('train: gradients', () => {
  const H = 4;
  const T = 7;
  const bytes = randomText(200, 5);
  const corpus = Corpus.fromBytes(bytes, 'gradient-text');
  const init = randomModel(H, 17, 0.5);

  it('the native gradient of every tensor matches central finite differences in float64', async () => {
    const g = await oneStepGradient(init, corpus, T);
    const P = Float64Array.from(init.params);
    const tensors: Array<[string, number, number]> = [
      ['Wx', 0, H * VOCAB], ['Wh', H * VOCAB, H * H], ['bh', H * VOCAB + H * H, H],
      ['Wy', H * VOCAB + H * H + H, VOCAB * H], ['by', H * VOCAB + H * H + H + VOCAB * H, VOCAB],
    ];
    const eps = 1e-5;
    for (const [name, off, len] of tensors) {
      // The entries with the largest gradients plus a few random ones, so the check is never vacuous.
      const idx = Array.from({ length: len }, (_, i) => off + i).sort((a, b) => Math.abs(g[b]) - Math.abs(g[a])).slice(0, 6);
      const rnd = mulberry32(off + 1);
      for (let k = 0; k < 4; k++) idx.push(off + Math.floor(rnd() * len));
      expect(Math.abs(g[idx[0]])).toBeGreaterThan(1e-3);
      for (const i of idx) {
        const keep = P[i];
        P[i] = keep + eps;
        const lp = windowLoss(P, H, bytes, T);
        P[i] = keep - eps;
        const lm = windowLoss(P, H, bytes, T);
        P[i] = keep;
        const fd = (lp - lm) / (2 * eps);
        // float32 parameters and arithmetic: absolute error ~1e-6 of p, relative ~1e-4 of g
        expect({ name, i, diff: Math.abs(g[i] - fd) < 2e-5 + 2e-3 * Math.abs(fd) }).toEqual({ name, i, diff: true });
      }
    }
  });

  it('SIMD gradients match scalar within tolerance', async () => {
    const isas = availableIsas().filter((i) => i !== 'scalar');
    for (const isa of cpuSimdIsas()) expect(isas).toContain(isa);  // never vacuous where the CPU has SIMD
    const gs = await oneStepGradient(init, corpus, T, 'scalar');
    for (const isa of isas) {
      const gk = await oneStepGradient(init, corpus, T, isa);
      let max = 0;
      for (let i = 0; i < gs.length; i++) max = Math.max(max, Math.abs(gs[i]));
      for (let i = 0; i < gs.length; i++) expect(Math.abs(gk[i] - gs[i])).toBeLessThan(1e-5 + 1e-4 * max);
    }
    expect(gs.some((v) => v !== 0)).toBe(true);
  });
});

describe('train: runs, checkpoints and resume', () => {
  const corpus = Corpus.fromBytes(randomText(6000, 9), 'small-text');

  it('an interrupted and resumed scale run ends with bitwise the weights of an uninterrupted one (default schedule)', async () => {
    const dir = tempDir();
    // The scale defaults: pytorch init, warm-up (4 steps here) and a cosine decay over the 40-step budget.
    const base = { corpus, recipe: 'scale' as const, hidden: 16, batch: 4, threads: 2, window: 10, seed: 4, evalEvery: 15, checkpointEvery: 7 };
    const whole = await train({ ...base, steps: 40, out: path.join(dir, 'whole.safetensors') });
    // Interrupted like Ctrl-C: cancelled between native calls once step 14 is reached.
    const ac = new AbortController();
    const onProgress = (pr: { step: number }): void => { if (pr.step >= 14) ac.abort(); };
    expect(await codeOf(() => train({ ...base, steps: 40, out: path.join(dir, 'part.safetensors') }, { signal: ac.signal, onProgress }))).toBe('E_ABORTED');
    const stoppedAt = loadCheckpoint(path.join(dir, 'part.ckpt.safetensors')).info.step;
    expect(stoppedAt).toBeGreaterThanOrEqual(14);
    expect(stoppedAt).toBeLessThan(40);
    const resumed = await train({ ...base, steps: 40, out: path.join(dir, 'part.safetensors'), resume: true });
    expect(resumed.steps).toBe(40);
    expect(Buffer.from(resumed.model.params.buffer).equals(Buffer.from(whole.model.params.buffer))).toBe(true);
    const a = loadCheckpoint(path.join(dir, 'whole.ckpt.safetensors'));
    const b = loadCheckpoint(path.join(dir, 'part.ckpt.safetensors'));
    expect(Buffer.from(b.state.v!.buffer).equals(Buffer.from(a.state.v!.buffer))).toBe(true);
    expect(Buffer.from(b.state.hidden.buffer).equals(Buffer.from(a.state.hidden.buffer))).toBe(true);
    expect(resumed.testBpc).toBeCloseTo(whole.testBpc!, 12);
    expect(whole.testCurve.map(([s]) => s)).toEqual([15, 30, 40]);
  });

  it('the scale defaults are deterministic: same seed, ISA and threads give bitwise the same weights', async () => {
    const base = { corpus, recipe: 'scale' as const, hidden: 16, batch: 4, window: 10, steps: 30, evalEvery: 1000 };
    for (const threads of [1, 2]) {
      const a = await train({ ...base, threads, seed: 3 });
      const b = await train({ ...base, threads, seed: 3 });
      expect(Buffer.from(a.model.params.buffer).equals(Buffer.from(b.model.params.buffer))).toBe(true);
      expect(a.testBpc).toBe(b.testBpc);
      const c = await train({ ...base, threads, seed: 4 });
      expect(Buffer.from(a.model.params.buffer).equals(Buffer.from(c.model.params.buffer))).toBe(false);
    }
  });

  it('a time budget covers the final evaluation and plans its decay; the test sample is fixed', async () => {
    const big = Corpus.fromBytes(randomText(120000, 5), 'timed');
    const r = await train({ corpus: big, recipe: 'scale', hidden: 16, batch: 4, window: 10, seconds: 1.5, testBytes: 8192, evalEvery: 50 });
    expect(r.stopped).toBe('time');
    expect(r.steps).toBeGreaterThan(0);
    // the periodic points are on the 8 KiB sample, the final testBpc on the whole 12 KB split
    expect(r.testCurve.length).toBeGreaterThan(0);
    expect(r.testCurve[r.testCurve.length - 1][0]).toBe(r.steps);
    const whole = await evaluate(r.model, big, { ranges: [[108000, 120000]] });
    expect(Math.abs(whole.bpc - r.testBpc!)).toBeLessThan(0.2);
    expect(r.testBpc).not.toBe(r.testCurve[r.testCurve.length - 1][1]);
  });

  it('the periodic sample: 4 KiB pieces spaced as evaluate spaces any sample; the whole split when not larger', async () => {
    const { periodicSample, wholeRanges, SAMPLE_PIECE } = await import('../lib/train/schedule');
    const { sampleRanges } = await import('../lib/evaluate');
    const test: [number, number] = [900_000, 1_306_000];
    const s = periodicSample(test, 32768);
    expect(s).toEqual(sampleRanges(test, 32768, 8));
    expect(s).toHaveLength(8);
    for (const [a, b] of s) { expect(b - a).toBe(SAMPLE_PIECE); expect(a).toBeGreaterThanOrEqual(test[0]); expect(b).toBeLessThanOrEqual(test[1]); }
    expect(s[1][0] - s[0][0]).toBe(Math.floor((test[1] - test[0]) / 8));
    expect(periodicSample([0, 20000], 32768)).toEqual(wholeRanges([0, 20000]));
    expect(periodicSample(test, 0)).toEqual(wholeRanges(test));
  });

  it('the study recipe resumes bitwise too, keeping the best model across the interruption', async () => {
    const dir = tempDir();
    const small = Corpus.fromBytes(randomText(300, 2), 'study-like');
    const base = { corpus: small, recipe: 'study' as const, hidden: 12, epochs: 30, seed: 6 };
    const whole = await train({ ...base, out: path.join(dir, 'w.safetensors') });
    // Stopped mid-epoch (6 windows per epoch here) after the best model was taken at least once.
    const first = await train({ ...base, steps: 77, out: path.join(dir, 'p.safetensors') });
    expect(first.steps).toBe(77);
    expect(first.bestStep).not.toBeNull();
    const resumed = await train({ ...base, out: path.join(dir, 'p.safetensors'), resume: true });
    expect(resumed.steps).toBe(whole.steps);
    expect(resumed.bestStep).toBe(whole.bestStep);
    expect(Buffer.from(resumed.model.params.buffer).equals(Buffer.from(whole.model.params.buffer))).toBe(true);
    expect(resumed.trainBpc).toBe(whole.trainBpc);
    const initBpc = (await evaluate(initTrainModel(12, 6), small)).bpc;
    expect(whole.trainBpc).toBeLessThan(initBpc - 0.5);
    // The model file holds the kept (best) model.
    expect(Buffer.from(loadModel(path.join(dir, 'w.safetensors')).params.buffer).equals(Buffer.from(whole.model.params.buffer))).toBe(true);
  });

  it('NaN in the gradient stops with E_NON_FINITE and leaves the last good checkpoint', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'm.safetensors');
    const opts = { corpus, recipe: 'scale' as const, hidden: 8, batch: 2, window: 10, steps: 50, checkpointEvery: 10, evalEvery: 100, out };
    const e = await train({ ...opts, nanAtStep: 25 }).catch((x: unknown) => x as { code: string; message: string });
    expect((e as { code: string }).code).toBe('E_NON_FINITE');
    expect((e as { message: string }).message).toContain('step 25');
    const ck = loadCheckpoint(path.join(dir, 'm.ckpt.safetensors'));
    expect(ck.info.step).toBe(20);
    expect(ck.state.params.every(Number.isFinite)).toBe(true);
    // and that checkpoint resumes to the same end as a clean run
    const clean = await train({ ...opts, out: path.join(dir, 'clean.safetensors') });
    const resumed = await train({ ...opts, resume: true });
    expect(Buffer.from(resumed.model.params.buffer).equals(Buffer.from(clean.model.params.buffer))).toBe(true);
  });

  it('an AbortSignal cancels within a second, after saving a resumable checkpoint', async () => {
    const dir = tempDir();
    const big = Corpus.fromBytes(randomText(200000, 3), 'long-text');
    const ac = new AbortController();
    const started = train({ corpus: big, recipe: 'scale', hidden: 64, batch: 8, seconds: 60, evalEvery: 1e6, out: path.join(dir, 'c.safetensors') }, { signal: ac.signal });
    await new Promise((r) => setTimeout(r, 500));
    const t0 = Date.now();
    ac.abort();
    expect(await codeOf(() => started)).toBe('E_ABORTED');
    expect(Date.now() - t0).toBeLessThan(1000);
    const ck = loadCheckpoint(path.join(dir, 'c.ckpt.safetensors'));
    expect(ck.info.step).toBeGreaterThan(0);
  });

  it('a checkpoint write killed midway leaves the previous checkpoint readable', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'k.ckpt.safetensors');
    const { spawn } = await import('node:child_process');
    // A child rewrites a large checkpoint in a loop (step 1, 2, …) until it is killed.
    const script = `
      const { saveCheckpoint } = require(${JSON.stringify(path.join(__dirname, '..', 'dist', 'train', 'checkpoint.js'))});
      const H = 512, n = H * 256 + H * H + H + 256 * H + 256;
      const info = { recipe: 'scale', corpusHash: '0'.repeat(64), corpusSize: 100, hidden: H, batch: 64, window: 50, threads: 1, isa: 'avx2',
        seed: 1, optimizer: 'adam', lr: 0.002, clip: 5, epochs: 1, totalSteps: null, testFraction: 0.1, schedule: 'constant', step: 0, bestBpc: null,
        bestStep: 0, cycleNats: 0, cyclePositions: 0, lastTestBpc: null, trainSeconds: 0, trainedPositions: 0 };
      const state = { params: new Float32Array(n).fill(0.5), m: new Float32Array(n), v: new Float32Array(n), hidden: new Float32Array(64 * H) };
      for (let step = 1; ; step++) { info.step = step; state.params[0] = step; saveCheckpoint(${JSON.stringify(file)}, info, state); process.stdout.write('w'); }
    `;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let writes = 0;
    await new Promise<void>((resolve) => {
      child.stdout!.on('data', (d: Buffer) => {
        writes += d.length;
        if (writes >= 3) resolve();
      });
    });
    await new Promise((r) => setTimeout(r, 37)); // land somewhere inside a later write
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    const ck = loadCheckpoint(file);
    expect(ck.info.step).toBeGreaterThanOrEqual(3);
    expect(ck.state.params[0]).toBe(ck.info.step);
    expect(ck.state.params[1]).toBe(0.5);
    // No temp file is mistaken for the checkpoint; leftovers carry the .tmp suffix.
    for (const f of fs.readdirSync(dir)) expect(f === 'k.ckpt.safetensors' || f.endsWith('.tmp')).toBe(true);
  });
});

describe('train: options', () => {
  const corpus = Corpus.fromBytes(randomText(3000, 1), 'opts');
  it('rejects bad options with codes', async () => {
    expect(await codeOf(() => train({ corpus, recipe: 'nope' as never }))).toBe('E_OPTION');
    expect(await codeOf(() => train({ corpus, recipe: 'study', batch: 4 }))).toBe('E_OPTION');
    expect(await codeOf(() => train({ corpus, hidden: 0 }))).toBe('E_HIDDEN_RANGE');
    expect(await codeOf(() => train({ corpus, steps: 1, lr: -1 }))).toBe('E_OPTION');
    expect(await codeOf(() => train({ corpus: Corpus.fromBytes(new Uint8Array(1)), recipe: 'study' }))).toBe('E_CORPUS_TOO_SHORT');
    const dir = tempDir();
    expect(await codeOf(() => train({ corpus, steps: 1, resume: true, out: path.join(dir, 'none.safetensors') }))).toBe('E_FILE_NOT_FOUND');
  });

  it('the addon refuses a NaN, negative or fractional integer with E_OPTION before any cast', async () => {
    const H = 4;
    const n = new Model(H).params.length;
    const state = () => ({ params: new Float32Array(n), hidden: new Float32Array(H), counters: new Float64Array([0, Infinity, 0, 0, 0]) });
    const config: NativeTrainConfig = {
      hidden: H, streams: 1, window: 5, threads: 1, optimizer: 'sgd', schedule: 'constant', lr: 0.1, minLr: 0, epochs: 1,
      beta1: 0.9, beta2: 0.999, eps: 1e-8, clip: 0, begin: 0, end: corpus.size, trackBest: false, sumLoss: false,
      partialTail: false, nanAtStep: -1,
    };
    const run = (c: Partial<NativeTrainConfig>, s = state(), maxSteps = 1) =>
      native().trainRun(corpus.bytes, s, { ...config, ...c }, { maxSteps, maxSeconds: 0 }, undefined, undefined);
    expect((await run({})).steps).toBe(1);  // the base call is valid
    for (const bad of [{ begin: NaN }, { begin: -1 }, { end: 2.5 }, { epochs: NaN }, { epochs: -3 }, { nanAtStep: -2 }, { window: NaN }])
      expect(await codeOf(() => run(bad))).toBe('E_OPTION');
    expect(await codeOf(() => run({}, state(), NaN))).toBe('E_OPTION');
    const s = state();
    s.counters[0] = -1;
    expect(await codeOf(() => run({}, s))).toBe('E_OPTION');
  });

  it('resuming with different settings is refused with E_CHECKPOINT', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'r.safetensors');
    await train({ corpus, hidden: 8, batch: 2, steps: 3, out });
    expect(await codeOf(() => train({ corpus, hidden: 8, batch: 3, steps: 6, out, resume: true }))).toBe('E_CHECKPOINT');
    expect(await codeOf(() => train({ corpus: Corpus.fromBytes(randomText(3000, 2)), hidden: 8, batch: 2, steps: 6, out, resume: true }))).toBe('E_CHECKPOINT');
    expect(await codeOf(() => train({ corpus, hidden: 8, batch: 2, steps: 6, out, resume: true, schedule: 'constant' }))).toBe('E_CHECKPOINT');
    expect(await codeOf(() => train({ corpus, hidden: 8, batch: 2, steps: 6, out, resume: true }))).toBe('none');
  });

  it('checks the schedule and init options', async () => {
    expect(await codeOf(() => train({ corpus, steps: 1, schedule: 'cosine' as never }))).toBe('E_OPTION');
    expect(await codeOf(() => train({ corpus, recipe: 'study', steps: 1, schedule: 'constant' }))).toBe('E_OPTION');
    expect(await codeOf(() => train({ corpus, steps: 1, initScheme: 'xavier' as never }))).toBe('E_OPTION');
    expect(await codeOf(() => train({ corpus, steps: 1, warmup: -1 }))).toBe('E_OPTION');
  });
});

describe('train: initialisations', () => {
  const H = 128;
  const stats = (a: Float32Array): { mean: number; sd: number; max: number } => {
    let s = 0, q = 0, max = 0;
    for (const v of a) { s += v; q += v * v; max = Math.max(max, Math.abs(v)); }
    const mean = s / a.length;
    return { mean, sd: Math.sqrt(q / a.length - mean * mean), max };
  };
  it('study: every weight (U − 0.5)/128, biases 0 (SPEC §1)', () => {
    const m = initTrainModel(H, 1);
    for (const t of [m.Wx, m.Wh, m.Wy]) expect(stats(t).max).toBeLessThanOrEqual(0.5 / 128);
    expect(m.bh.every((v) => v === 0) && m.by.every((v) => v === 0)).toBe(true);
  });
  it("pytorch: the peer's scales (Wx ~ N(0, 1/3), the rest U(±1/√H), bh the sum of two)", () => {
    const m = initTrainModel(H, 1, 'pytorch');
    const a = 1 / Math.sqrt(H);
    const wx = stats(m.Wx);
    expect(Math.abs(wx.mean)).toBeLessThan(0.01);
    expect(wx.sd).toBeCloseTo(1 / Math.sqrt(3), 2);
    for (const t of [m.Wh, m.Wy, m.by]) {
      expect(stats(t).max).toBeLessThanOrEqual(a);
      expect(stats(t).sd).toBeCloseTo(a / Math.sqrt(3), 2);
    }
    expect(stats(m.bh).max).toBeLessThanOrEqual(2 * a);
    expect(Buffer.from(initTrainModel(H, 1, 'pytorch').params.buffer).equals(Buffer.from(m.params.buffer))).toBe(true);
  });
  it('orthogonal: Wh·Whᵀ = I', () => {
    const m = initTrainModel(H, 2, 'orthogonal');
    let err = 0;
    for (let i = 0; i < H; i += 7) {
      for (let j = 0; j < H; j++) {
        let d = 0;
        for (let k = 0; k < H; k++) d += m.Wh[i * H + k] * m.Wh[j * H + k];
        err = Math.max(err, Math.abs(d - (i === j ? 1 : 0)));
      }
    }
    expect(err).toBeLessThan(1e-5);
  });
});
