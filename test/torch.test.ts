import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Corpus } from '../lib/corpus';
import { evaluate } from '../lib/evaluate';
import { loadModel } from '../lib/io/model-file';
import { writeSafetensors, SafetensorsInput } from '../lib/io/safetensors';
import { importTorchStateDict, torchStateDict } from '../lib/io/torch';
import { codeOf, corpusPath, mulberry32, repoRoot, studyPath, tempDir } from './helpers';

/** Random values exactly representable in F16 (k/1024, |k| ≤ 1024) and so in BF16 when k is a multiple of 8… */
function grid(n: number, rnd: () => number, step: number, scale: number): Float64Array {
  return Float64Array.from({ length: n }, () => Math.round(((rnd() * 2 - 1) * scale) / step) * step);
}

function f16Bytes(v: Float64Array): Uint8Array {
  const out = new DataView(new ArrayBuffer(2 * v.length));
  v.forEach((x, i) => {
    const sign = x < 0 ? 0x8000 : 0;
    const a = Math.abs(x);
    let bits = 0;
    if (a === 0) bits = 0;
    else if (a < 2 ** -14) bits = a / 2 ** -24;
    else {
      const e = Math.floor(Math.log2(a));
      bits = ((e + 15) << 10) | ((a / 2 ** e - 1) * 1024);
    }
    out.setUint16(2 * i, sign | bits, true);
  });
  return new Uint8Array(out.buffer);
}

function bf16Bytes(v: Float64Array): Uint8Array {
  const f = new Float32Array(v);
  const u = new Uint32Array(f.buffer);
  return new Uint8Array(Uint16Array.from(u, (x) => x >>> 16).buffer);
}

describe('convert --from torch: nn.Embedding + nn.RNN + nn.Linear', () => {
  const H = 12, D = 8;
  const rnd = mulberry32(11);
  const E = grid(256 * D, rnd, 2 ** -10, 1);          // F16
  const Wih = Float64Array.from({ length: H * D }, () => (rnd() * 2 - 1) * 0.7);  // F64
  const Whh = Float64Array.from({ length: H * H }, () => (rnd() * 2 - 1) * 0.4);  // F32
  const bih = Float64Array.from({ length: H }, () => (rnd() * 2 - 1) * 0.2);
  const bhh = Float64Array.from({ length: H }, () => (rnd() * 2 - 1) * 0.2);
  const Wout = grid(256 * H, rnd, 2 ** -7, 1);         // BF16 (8 significant bits)
  const bout = Float64Array.from({ length: 256 }, () => (rnd() * 2 - 1) * 0.3);
  const f32 = (a: Float64Array) => new Float32Array(a);
  const tensors: SafetensorsInput[] = [
    { name: 'embed.weight', dtype: 'F16', shape: [256, D], data: f16Bytes(E) },
    { name: 'rnn.weight_ih_l0', dtype: 'F64', shape: [H, D], data: Wih },
    { name: 'rnn.weight_hh_l0', dtype: 'F32', shape: [H, H], data: f32(Whh) },
    { name: 'rnn.bias_ih_l0', dtype: 'F32', shape: [H], data: f32(bih) },
    { name: 'rnn.bias_hh_l0', dtype: 'F32', shape: [H], data: f32(bhh) },
    { name: 'head.weight', dtype: 'BF16', shape: [256, H], data: bf16Bytes(Wout) },
    { name: 'head.bias', dtype: 'F32', shape: [256], data: f32(bout) },
  ];
  const bytes = writeSafetensors(tensors);
  const text = Corpus.open(corpusPath('tinyshakespeare.txt')).slice(0, 600);

  /** bpc in float64 from the torch-form weights: h_t = tanh(W_ih E[x] + b_ih + W_hh h + b_hh). */
  function torchBpc(): number {
    const r32 = (a: Float64Array) => Float64Array.from(new Float32Array(a));  // what F32 storage keeps
    const [whh, bi, bh, bo] = [r32(Whh), r32(bih), r32(bhh), r32(bout)];
    let h = new Float64Array(H);
    let bits = 0;
    for (let t = 0; t < text.length - 1; t++) {
      const next = new Float64Array(H);
      for (let i = 0; i < H; i++) {
        let s = bi[i] + bh[i];
        for (let d = 0; d < D; d++) s += Wih[i * D + d] * E[text[t] * D + d];
        for (let j = 0; j < H; j++) s += whh[i * H + j] * h[j];
        next[i] = Math.tanh(s);
      }
      h = next;
      const logits = Array.from({ length: 256 }, (_, o) => {
        let s = bo[o];
        for (let j = 0; j < H; j++) s += Wout[o * H + j] * h[j];
        return s;
      });
      const mx = Math.max(...logits);
      const lse = mx + Math.log(logits.reduce((a, l) => a + Math.exp(l - mx), 0));
      bits += (lse - logits[text[t + 1]]) / Math.LN2;
    }
    return bits / (text.length - 1);
  }

  it('gives the bpc of the PyTorch model (float64 reference from the torch-form weights)', async () => {
    const r = importTorchStateDict(bytes);
    expect(r.model.hidden).toBe(H);
    expect(r.mapping).toEqual({
      Wx: 'rnn.weight_ih_l0 · embed.weightᵀ', Wh: 'rnn.weight_hh_l0', bh: 'rnn.bias_ih_l0 + rnn.bias_hh_l0',
      Wy: 'head.weight', by: 'head.bias',
    });
    for (const dt of ['F16', 'F64', 'BF16']) expect(r.notes.some((n) => n.startsWith(`${dt} tensors were cast to F32`))).toBe(true);
    const ev = await evaluate(r.model, Corpus.fromBytes(text));
    expect(Math.abs(ev.bpc - torchBpc())).toBeLessThan(1e-5);
  });

  it('round-trips the export (one-hot input, bias_hh = 0) bit for bit', () => {
    const m = loadModel(studyPath('sat_model.bin'));
    const sd = torchStateDict(m);
    const r = importTorchStateDict(sd);
    expect(Buffer.from(r.model.params.buffer).equals(Buffer.from(m.params.buffer))).toBe(true);
    expect(r.notes).toEqual([]);
  });

  it('refuses what does not map: two layers, no RNN, an embedding of the wrong width', async () => {
    const two = writeSafetensors([...tensors, { name: 'rnn.weight_ih_l1', dtype: 'F32', shape: [H, H], data: f32(Whh) }]);
    expect(await codeOf(() => importTorchStateDict(two))).toBe('E_SHAPE');
    expect(await codeOf(() => importTorchStateDict(writeSafetensors([tensors[0]])))).toBe('E_SHAPE');
    const noEmb = writeSafetensors(tensors.slice(1));
    expect(await codeOf(() => importTorchStateDict(noEmb))).toBe('E_SHAPE');
    const int = writeSafetensors([{ name: 'embed.weight', dtype: 'I32', shape: [256, D], data: new Int32Array(256 * D) }, ...tensors.slice(1)]);
    expect(await codeOf(() => importTorchStateDict(int))).toBe('E_DTYPE');
  });

  it('bi-embed convert --from torch writes the model and prints the mapping', () => {
    const dir = tempDir();
    const src = path.join(dir, 'torch.safetensors'), dst = path.join(dir, 'model.safetensors');
    fs.writeFileSync(src, bytes);
    const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'bi-embed.js'), 'convert', '--from', 'torch', src, dst, '--json'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).mapping.Wx).toBe('rnn.weight_ih_l0 · embed.weightᵀ');
    const back = loadModel(dst);
    expect(Buffer.from(back.params.buffer).equals(Buffer.from(importTorchStateDict(bytes).model.params.buffer))).toBe(true);
  });
});
