/**
 * PyTorch state dicts. Export (`torchStateDict`): our tensors under the names of an `nn.RNN(256, H)`
 * reading one-hot bytes plus an `nn.Linear(H, 256)`, bias_hh = 0 (docs/formats.md, "Loading in PyTorch").
 *
 * Import of a PyTorch byte model saved as safetensors (`safetensors.torch.save_file(model.state_dict(), …)`):
 * an `nn.Embedding(256, D)` (optional), a one-layer tanh `nn.RNN(D, H)` and an `nn.Linear(H, 256)`.
 * Names are found by their PyTorch suffixes, whatever the module names are:
 *
 *   <rnn>.weight_ih_l0 [H, D]   <rnn>.weight_hh_l0 [H, H]   <rnn>.bias_ih_l0, <rnn>.bias_hh_l0 [H] (optional)
 *   <emb>.weight [256, D]       (absent: the input is the one-hot byte, D = 256)
 *   <head>.weight [256, H]      <head>.bias [256] (optional)
 *
 * and mapped to bi-embed's Elman RNN as Wx = W_ih · Eᵀ (= W_ih without an embedding), Wh = W_hh,
 * bh = b_ih + b_hh, Wy = head.weight, by = head.bias. The products and sums are formed in float64
 * and rounded to float32 once. F16, BF16 and F64 tensors are cast to F32 (a note says so).
 * The nonlinearity is not in a state dict: the RNN must have been built with tanh (its default).
 */
import { ErrorCodes, fail } from '../errors';
import { Model, VOCAB, checkFiniteParams } from '../model';
import { HOST_IS_LITTLE_ENDIAN } from './endian';
import { SafetensorsEntry, formatShape, quote, readSafetensors, writeSafetensors } from './safetensors';

export interface TorchImport {
  model: Model;
  /** Which state-dict tensor became which bi-embed tensor. */
  mapping: Record<'Wx' | 'Wh' | 'bh' | 'Wy' | 'by', string>;
  /** What the reader did that a user should know: dtype casts, absent biases. */
  notes: string[];
}

/** One IEEE half (F16) or bfloat16 value to a number. */
function half(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** The values of a floating-point tensor as float64 (F32, F64, F16 or BF16). */
function values(name: string, e: SafetensorsEntry, casts: Set<string>): Float64Array {
  const { data } = e;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const n = e.shape.reduce((a, b) => a * b, 1);
  const out = new Float64Array(n);
  switch (e.dtype) {
    case 'F32':
      if (HOST_IS_LITTLE_ENDIAN && data.byteOffset % 4 === 0) out.set(new Float32Array(data.buffer, data.byteOffset, n));
      else for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
      return out;
    case 'F64':
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, true);
      break;
    case 'F16':
      for (let i = 0; i < n; i++) out[i] = half(view.getUint16(2 * i, true));
      break;
    case 'BF16': {
      const f = new DataView(new ArrayBuffer(4));
      for (let i = 0; i < n; i++) {
        f.setUint32(0, view.getUint16(2 * i, true) << 16);
        out[i] = f.getFloat32(0);
      }
      break;
    }
    default:
      fail(ErrorCodes.DTYPE, `${quote(name)} is ${e.dtype}; a float tensor (F32, F64, F16, BF16) is needed`);
  }
  casts.add(e.dtype);
  return out;
}

function one(tensors: Map<string, SafetensorsEntry>, suffix: string, what: string): string | undefined {
  const names = [...tensors.keys()].filter((n) => n === suffix || n.endsWith('.' + suffix));
  if (names.length > 1) fail(ErrorCodes.SHAPE, `several ${what} tensors (${names.join(', ')}); import one model at a time`);
  return names[0];
}

function shapeIs(e: SafetensorsEntry, shape: number[]): boolean {
  return e.shape.length === shape.length && e.shape.every((v, i) => v === shape[i]);
}

function need(tensors: Map<string, SafetensorsEntry>, name: string, shape: number[]): SafetensorsEntry {
  const e = tensors.get(name)!;
  if (!shapeIs(e, shape)) fail(ErrorCodes.SHAPE, `${quote(name)} has shape ${formatShape(e.shape)}, expected ${formatShape(shape)}`);
  return e;
}

/** Reads a PyTorch Embedding + RNN + Linear state dict (safetensors bytes) into a bi-embed model. */
export function importTorchStateDict(bytes: Uint8Array): TorchImport {
  const { tensors } = readSafetensors(bytes);
  if ([...tensors.keys()].some((n) => /(^|\.)weight_ih_l[1-9]\d*$/.test(n) || /_reverse$/.test(n))) {
    fail(ErrorCodes.SHAPE, 'only a one-layer, one-direction nn.RNN maps onto the Elman RNN (found *_l1 or *_reverse tensors)');
  }
  const ih = one(tensors, 'weight_ih_l0', 'nn.RNN weight_ih_l0');
  if (!ih) fail(ErrorCodes.SHAPE, `no nn.RNN in the state dict (no tensor named *.weight_ih_l0; found ${[...tensors.keys()].join(', ')})`);
  const prefix = ih.slice(0, -'weight_ih_l0'.length);
  const ihE = tensors.get(ih)!;
  if (ihE.shape.length !== 2) fail(ErrorCodes.SHAPE, `${quote(ih)} must be 2-D, got ${formatShape(ihE.shape)}`);
  const [H, D] = ihE.shape;
  if (H < 1 || H > 1024) fail(ErrorCodes.HIDDEN_RANGE, `hidden size ${H} is outside 1…1024`);
  const hh = prefix + 'weight_hh_l0';
  if (!tensors.has(hh)) fail(ErrorCodes.SHAPE, `${quote(hh)} is missing`);
  need(tensors, hh, [H, H]);

  // The readout: a '.weight' [256, H] with a sibling '.bias' [256] (or none), not the RNN's.
  const weights = [...tensors.keys()].filter((n) => n.endsWith('weight') && !n.startsWith(prefix + 'weight_'));
  const heads = weights.filter((n) => shapeIs(tensors.get(n)!, [VOCAB, H]));
  const embs = weights.filter((n) => shapeIs(tensors.get(n)!, [VOCAB, D]) && !tensors.has(n.slice(0, -'weight'.length) + 'bias'));
  const head = heads.find((n) => tensors.has(n.slice(0, -'weight'.length) + 'bias')) ?? heads.find((n) => !embs.includes(n));
  if (!head && heads.length > 1) fail(ErrorCodes.SHAPE, `cannot tell the readout from the embedding among ${heads.join(', ')} (give the readout its bias)`);
  if (!head) fail(ErrorCodes.SHAPE, `no nn.Linear(${H}, 256) readout (a *.weight of shape [256, ${H}])`);
  const emb = embs.find((n) => n !== head);
  if (!emb && D !== VOCAB) fail(ErrorCodes.SHAPE, `the RNN reads ${D} inputs but there is no nn.Embedding(256, ${D}) (*.weight [256, ${D}])`);

  const casts = new Set<string>();
  const notes: string[] = [];
  const Wih = values(ih, ihE, casts);
  const E = emb ? values(emb, tensors.get(emb)!, casts) : undefined;
  const model = new Model(H);
  // Wx[i][x] = Σ_d W_ih[i][d] · E[x][d] — the embedding of byte x pushed through W_ih.
  for (let i = 0; i < H; i++) {
    for (let x = 0; x < VOCAB; x++) {
      let s = 0;
      if (E) for (let d = 0; d < D; d++) s += Wih[i * D + d] * E[x * D + d];
      else s = Wih[i * VOCAB + x];
      model.Wx[i * VOCAB + x] = s;
    }
  }
  model.Wh.set(values(hh, tensors.get(hh)!, casts));
  const bias = (name: string, n: number): Float64Array | undefined =>
    tensors.has(name) ? values(name, need(tensors, name, [n]), casts) : undefined;
  const bih = bias(prefix + 'bias_ih_l0', H), bhh = bias(prefix + 'bias_hh_l0', H);
  for (let i = 0; i < H; i++) model.bh[i] = (bih?.[i] ?? 0) + (bhh?.[i] ?? 0);
  if (!bih && !bhh) notes.push('the RNN has no biases (bias=False): bh = 0');
  const headBias = head.slice(0, -'weight'.length) + 'bias';
  model.Wy.set(values(head, tensors.get(head)!, casts));
  const by = bias(headBias, VOCAB);
  if (by) model.by.set(by);
  else notes.push('the readout has no bias: by = 0');
  casts.delete('F32');
  for (const c of casts) notes.push(`${c} tensors were cast to F32${c === 'F64' ? ' (rounded to the nearest float32)' : ' (exactly: every ' + c + ' value is a float32)'}`);
  checkFiniteParams(H, model.params);
  model.metadata = { source: 'pytorch', importedFrom: [emb, ih, hh, head].filter(Boolean).join(', ') };
  return {
    model,
    mapping: {
      Wx: emb ? `${ih} · ${emb}ᵀ` : ih, Wh: hh,
      bh: [bih && prefix + 'bias_ih_l0', bhh && prefix + 'bias_hh_l0'].filter(Boolean).join(' + ') || '0',
      Wy: head, by: by ? headBias : '0',
    },
    notes,
  };
}

/**
 * The model as a PyTorch state dict in safetensors bytes: `rnn.weight_ih_l0` = Wx, `rnn.weight_hh_l0` = Wh,
 * `rnn.bias_ih_l0` = bh, `rnn.bias_hh_l0` = 0, `head.weight` = Wy, `head.bias` = by (all F32). Load it into
 * `nn.RNN(256, H)` + `nn.Linear(H, 256)` modules named `rnn` and `head`, feeding one-hot bytes.
 */
export function torchStateDict(model: Model): Uint8Array {
  const H = model.hidden;
  return writeSafetensors([
    { name: 'rnn.weight_ih_l0', dtype: 'F32', shape: [H, VOCAB], data: model.Wx },
    { name: 'rnn.weight_hh_l0', dtype: 'F32', shape: [H, H], data: model.Wh },
    { name: 'rnn.bias_ih_l0', dtype: 'F32', shape: [H], data: model.bh },
    { name: 'rnn.bias_hh_l0', dtype: 'F32', shape: [H], data: new Float32Array(H) },
    { name: 'head.weight', dtype: 'F32', shape: [VOCAB, H], data: model.Wy },
    { name: 'head.bias', dtype: 'F32', shape: [VOCAB], data: model.by },
  ]);
}
