/** Wx input encoding: the column norm ‖Wx[:, x]‖₂ of every byte, and the top bytes. */
import { Model, VOCAB } from '../model';
import { byteName } from './bytes';

export interface ByteNorm {
  byte: number;
  name: string;
  norm: number;
}

export interface WxReport {
  /** ‖Wx[:, x]‖₂ for x = 0 … 255. */
  norms: number[];
  /** The `top` largest, descending (ties: lower byte first). */
  top: ByteNorm[];
}

export function wxInputNorms(model: Model, top = 10): WxReport {
  const H = model.hidden;
  const norms = new Array<number>(VOCAB).fill(0);
  for (let j = 0; j < H; j++) {
    for (let x = 0; x < VOCAB; x++) norms[x] += model.Wx[j * VOCAB + x] ** 2;
  }
  for (let x = 0; x < VOCAB; x++) norms[x] = Math.sqrt(norms[x]);
  const order = norms.map((_, x) => x).sort((a, b) => norms[b] - norms[a] || a - b);
  return { norms, top: order.slice(0, top).map((byte) => ({ byte, name: byteName(byte), norm: norms[byte] })) };
}
