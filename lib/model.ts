/**
 * Model: one contiguous float32 parameter buffer with named views, in the study's order
 * Wx[H][256], Wh[H][H], bh[H], Wy[256][H], by[256]. The same buffer is what the
 * native code reads and (for training) writes: no copies cross the boundary.
 */
import { ErrorCodes, fail } from './errors';
import { checkFixedMemory, shown } from './validate';

export const VOCAB = 256;
export const MIN_HIDDEN = 1;
export const MAX_HIDDEN = 1024;
export const DEFAULT_HIDDEN = 128;

export type TensorName = 'Wx' | 'Wh' | 'bh' | 'Wy' | 'by';
export const TENSOR_NAMES: readonly TensorName[] = ['Wx', 'Wh', 'bh', 'Wy', 'by'];

export interface TensorLayout {
  name: TensorName;
  shape: number[];
  /** Offset in floats into the parameter buffer. */
  offset: number;
  /** Number of floats. */
  length: number;
}

export function checkHidden(hidden: unknown): number {
  if (typeof hidden !== 'number' || !Number.isInteger(hidden) || hidden < MIN_HIDDEN || hidden > MAX_HIDDEN) {
    fail(ErrorCodes.HIDDEN_RANGE, `hidden size must be an integer in ${MIN_HIDDEN}…${MAX_HIDDEN}, got ${String(hidden)}`);
  }
  return hidden;
}

/** Tensor shapes and offsets for hidden size H, in raw-file order. */
export function tensorLayout(hidden: number): TensorLayout[] {
  const H = checkHidden(hidden);
  const shapes: Record<TensorName, number[]> = {
    Wx: [H, VOCAB], Wh: [H, H], bh: [H], Wy: [VOCAB, H], by: [VOCAB],
  };
  let offset = 0;
  return TENSOR_NAMES.map((name) => {
    const shape = shapes[name];
    const length = shape.reduce((a, b) => a * b, 1);
    const t = { name, shape, offset, length };
    offset += length;
    return t;
  });
}

/** 82,304 at H = 128. */
export function paramCount(hidden: number): number {
  const H = checkHidden(hidden);
  return H * VOCAB + H * H + H + VOCAB * H + VOCAB;
}

/** Inverse of paramCount, or undefined when no H in range gives n. */
export function hiddenForParamCount(n: number): number | undefined {
  // n = H² + 513·H + 256, so H = (−513 + √(513² − 4·(256 − n)))/2.
  const H = Math.round((-513 + Math.sqrt(513 * 513 - 4 * (256 - n))) / 2);
  return H >= MIN_HIDDEN && H <= MAX_HIDDEN && paramCount(H) === n ? H : undefined;
}

/** String-valued metadata as stored in safetensors (`__metadata__`). */
export type ModelMetadata = Record<string, string>;

export class Model {
  readonly hidden: number;
  readonly params: Float32Array;
  readonly Wx: Float32Array;
  readonly Wh: Float32Array;
  readonly bh: Float32Array;
  readonly Wy: Float32Array;
  readonly by: Float32Array;
  metadata: ModelMetadata;

  /** Wraps `params` (no copy). Its length must be paramCount(hidden). */
  constructor(hidden: number, params?: Float32Array, metadata: ModelMetadata = {}) {
    this.hidden = checkHidden(hidden);
    const n = paramCount(hidden);
    if (params === undefined) params = new Float32Array(n);
    if (!(params instanceof Float32Array)) fail(ErrorCodes.DTYPE, `model parameters must be a Float32Array, got ${shown(params)}`);
    checkFixedMemory('the model parameters', params);
    if (params.length !== n) {
      fail(ErrorCodes.SHAPE, `hidden size ${hidden} needs ${n} parameters, got ${params.length}`);
    }
    this.params = params;
    const views = Object.fromEntries(
      tensorLayout(hidden).map((t) => [t.name, params!.subarray(t.offset, t.offset + t.length)]),
    ) as Record<TensorName, Float32Array>;
    this.Wx = views.Wx; this.Wh = views.Wh; this.bh = views.bh; this.Wy = views.Wy; this.by = views.by;
    this.metadata = { ...metadata };
  }

  get paramCount(): number {
    return this.params.length;
  }

  tensor(name: TensorName): Float32Array {
    return this[name];
  }

  /** A deep copy (new parameter buffer). */
  clone(): Model {
    return new Model(this.hidden, new Float32Array(this.params), this.metadata);
  }
}

/** Throws E_NON_FINITE naming the tensor and element of the first NaN or ±Inf parameter. */
export function checkFiniteParams(hidden: number, params: Float32Array): void {
  for (let i = 0; i < params.length; i++) {
    if (Number.isFinite(params[i])) continue;
    const t = tensorLayout(hidden).find((l) => i < l.offset + l.length);
    const index = t ? i - t.offset : i;
    const where = t && t.shape.length === 2
      ? `${t.name}[${Math.floor(index / t.shape[1])}][${index % t.shape[1]}]`
      : `${t?.name ?? 'params'}[${index}]`;
    fail(ErrorCodes.NON_FINITE, `parameter ${where} is ${params[i]} (flat index ${index} of ${t?.name ?? 'params'})`);
  }
}
