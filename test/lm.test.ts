import { Corpus } from '../lib/corpus';
import { loadModel } from '../lib/io/model-file';
import { nextByteProbabilities, order0Entropy, sample, scoreText } from '../lib';
import { Model, VOCAB } from '../lib/model';
import { availableIsas, codeOf, randomModel, referenceBits, studyPath } from './helpers';

/** float64 softmax(by + Wy h / T) after running `bytes` from h = 0. */
function referenceProbs(m: Model, bytes: Uint8Array, T = 1): Float64Array {
  const H = m.hidden;
  let h = new Float64Array(H);
  for (const x of bytes) {
    const next = new Float64Array(H);
    for (let i = 0; i < H; i++) {
      let s = m.bh[i] + m.Wx[i * VOCAB + x];
      for (let j = 0; j < H; j++) s += m.Wh[i * H + j] * h[j];
      next[i] = Math.tanh(s);
    }
    h = next;
  }
  const logits = new Float64Array(VOCAB);
  for (let o = 0; o < VOCAB; o++) {
    let s = m.by[o];
    for (let j = 0; j < H; j++) s += m.Wy[o * H + j] * h[j];
    logits[o] = s;
  }
  const mx = Math.max(...logits);
  const p = logits.map((l) => Math.exp((l - mx) / T));
  const sum = p.reduce((a, b) => a + b, 0);
  return p.map((v) => v / sum);
}

/** The documented sampler stream: SplitMix64 from the seed, u = (next >> 11) · 2⁻⁵³. */
function splitmix(seed: number): () => number {
  let s = BigInt(seed);
  const M = (1n << 64n) - 1n;
  return () => {
    s = (s + 0x9e3779b97f4a7c15n) & M;
    let z = s;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M;
    z ^= z >> 31n;
    return Number(z >> 11n) * 2 ** -53;
  };
}

describe('language-model use', () => {
  const model = randomModel(16, 3, 0.6);
  const prompt = Buffer.from('the cat sat on the mat');

  it.each(availableIsas())('next-byte probabilities match a float64 forward pass (%s)', async (isa) => {
    const r = await nextByteProbabilities(model, prompt, { isa: isa as 'scalar' });
    const ref = referenceProbs(model, prompt);
    let sum = 0;
    for (let b = 0; b < VOCAB; b++) {
      expect(Math.abs(r.probs[b] - ref[b])).toBeLessThan(1e-5);
      sum += r.probs[b];
    }
    expect(sum).toBeCloseTo(1, 12);
    expect(r.top[0].p).toBe(Math.max(...r.probs));
    expect(r.promptBpc! * (prompt.length - 1)).toBeCloseTo(referenceBits(model, prompt, 0, prompt.length), 3);
  });

  it('samples by inverse CDF of the documented SplitMix64 stream, feeding each byte back', async () => {
    const T = 0.8;
    const r = await sample(model, 'ab', { bytes: 40, temperature: T, seed: 12345 });
    expect(r.bytes.length).toBe(40);
    const u = splitmix(12345);
    const seen = [...Buffer.from('ab')];
    for (const got of r.bytes) {
      const p = referenceProbs(model, Uint8Array.from(seen), T);
      const v = u();
      let c = 0, want = VOCAB - 1;
      for (let b = 0; b < VOCAB; b++) if (v < (c += p[b])) { want = b; break; }
      expect(got).toBe(want);
      seen.push(got);
    }
  });

  it('is reproducible by seed, differs across seeds, and is greedy at temperature 0', async () => {
    const a = await sample(model, prompt, { bytes: 64, seed: 7 });
    const b = await sample(model, prompt, { bytes: 64, seed: 7 });
    const c = await sample(model, prompt, { bytes: 64, seed: 8 });
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
    expect(Buffer.from(a.bytes).equals(Buffer.from(c.bytes))).toBe(false);
    const g = await sample(model, prompt, { bytes: 8, temperature: 0 });
    const seen = [...prompt];
    for (const got of g.bytes) {
      const p = referenceProbs(model, Uint8Array.from(seen));
      expect(got).toBe(p.indexOf(Math.max(...p)));
      seen.push(got);
    }
  });

  it('continues the study text as the study model learned it', async () => {
    const study = loadModel(studyPath('sat_model.bin'));
    const text = Corpus.open(studyPath('enwik_1024.txt')).bytes;
    const g = await sample(study, text.subarray(0, 200), { bytes: 40, temperature: 0 });
    // 0.079 bpc in-sample: greedy decoding recites the text it learned (here a passage that
    // follows the same context earlier in the file).
    expect(text.includes(Buffer.from(g.bytes))).toBe(true);
  });

  it('scores any text beside its order-0 entropy', async () => {
    const text = 'to be or not to be, that is the question';
    const r = await scoreText(model, text);
    const bytes = Buffer.from(text);
    expect(r.bits).toBeCloseTo(referenceBits(model, bytes, 0, bytes.length), 3);
    const counts = new Map<number, number>();
    for (const b of bytes.subarray(1)) counts.set(b, (counts.get(b) ?? 0) + 1);
    let h0 = 0;
    for (const c of counts.values()) h0 -= (c / (bytes.length - 1)) * Math.log2(c / (bytes.length - 1));
    expect(r.order0).toBeCloseTo(h0, 12);
    expect(await order0Entropy(Corpus.fromBytes(Buffer.from('aabb')))).toBe(1);
  });

  it('refuses bad input with E_OPTION', async () => {
    expect(await codeOf(() => sample(model, '', { bytes: 1 }))).toBe('E_OPTION');
    expect(await codeOf(() => sample(model, 'a', { bytes: 0 }))).toBe('E_OPTION');
    expect(await codeOf(() => sample(model, 'a', { bytes: 1, temperature: -1 }))).toBe('E_OPTION');
    expect(await codeOf(() => sample(model, 'a', { bytes: 1, seed: 1.5 }))).toBe('E_OPTION');
    expect(await codeOf(() => sample(model, 'a', { bytes: 1, temprature: 1 } as never))).toBe('E_OPTION');
    await expect(nextByteProbabilities(model, 'a', { isa: 'x86' as never })).rejects.toThrow(/isa/);
  });

  it('stops on abort with E_ABORTED', async () => {
    const ctl = new AbortController();
    const p = sample(model, 'a', { bytes: 5_000_000, signal: ctl.signal });
    setTimeout(() => ctl.abort(), 20);
    expect(await codeOf(() => p)).toBe('E_ABORTED');
  });
});

describe('bi-embed sample', () => {
  // The compiled CLI (dist/, built by pretest), as a user runs it.
  const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
  const bin = require('node:path').join(__dirname, '..', 'bin', 'bi-embed.js') as string;
  const run = (args: string[]) => spawnSync(process.execPath, [bin, 'sample', ...args], { encoding: 'utf8' });

  it('prints the same seeded continuation as the API, and the next-byte distribution', async () => {
    const file = studyPath('sat_model.bin');
    const r = run(['--model', file, '--prompt', '<page>', '--bytes', '30', '--seed', '5', '--temperature', '0.7', '--top', '3', '--json']);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    const api = await sample(loadModel(file), '<page>', { bytes: 30, seed: 5, temperature: 0.7 });
    expect(out.text).toBe(api.text);
    expect(out.top).toHaveLength(3);
    const bad = run(['--model', file, '--prompt', 'a', '--temperature', '-1']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('E_OPTION');
  });
});
