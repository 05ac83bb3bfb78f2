/**
 * Seeded initialisations of a training model, one draw sequence from mulberry32(seed) in
 * raw order (Wx, Wh, bh, Wy, by). `study`: the study's init, every weight (U[0,1) − 0.5)/128, biases 0.
 * `pytorch`: the scales of the PyTorch peer (embedding + nn.RNN + nn.Linear, default
 * init) mapped onto this model, where Wx stands for W_ih·embedding: Wx ~ N(0, 1/3)
 * (a sum of H products of U(±1/√H) and N(0, 1) terms), Wh, Wy, by ~ U(±1/√H), bh the sum
 * of two U(±1/√H) (b_ih + b_hh). `orthogonal`: as `pytorch` but Wh a random orthogonal
 * matrix (spectral radius 1; Gram–Schmidt of a Gaussian matrix, in float64).
 */
import { ErrorCodes, fail } from '../errors';
import { Model } from '../model';
import { mulberry32 } from '../random';

export type InitScheme = 'study' | 'pytorch' | 'orthogonal';
export const INIT_SCHEMES: readonly InitScheme[] = ['study', 'pytorch', 'orthogonal'];

/** N(0, 1) by Box–Muller, two uniforms per draw (the second sine is not kept, so draws stay in order). */
function gaussian(rnd: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
}

/** Rows of a Gaussian H×H matrix made orthonormal (modified Gram–Schmidt, float64). */
function orthogonal(H: number, normal: () => number): Float64Array {
  const q = new Float64Array(H * H);
  for (let i = 0; i < q.length; i++) q[i] = normal();
  for (let i = 0; i < H; i++) {
    const r = q.subarray(i * H, (i + 1) * H);
    for (let k = 0; k < i; k++) {
      const p = q.subarray(k * H, (k + 1) * H);
      let d = 0;
      for (let j = 0; j < H; j++) d += r[j] * p[j];
      for (let j = 0; j < H; j++) r[j] -= d * p[j];
    }
    let s = 0;
    for (let j = 0; j < H; j++) s += r[j] * r[j];
    const inv = 1 / Math.sqrt(s);
    for (let j = 0; j < H; j++) r[j] *= inv;
  }
  return q;
}

export function initModel(hidden: number, seed: number, scheme: InitScheme = 'study'): Model {
  const m = new Model(hidden);
  const rnd = mulberry32(seed);
  if (scheme === 'study') {
    for (const t of [m.Wx, m.Wh, m.Wy]) for (let i = 0; i < t.length; i++) t[i] = (rnd() - 0.5) / 128;
    return m;
  }
  if (!INIT_SCHEMES.includes(scheme)) fail(ErrorCodes.OPTION, `init must be one of ${INIT_SCHEMES.join(', ')}, got ${String(scheme)}`);
  const normal = gaussian(rnd);
  const a = 1 / Math.sqrt(hidden);
  const uniform = (): number => (2 * rnd() - 1) * a;
  for (let i = 0; i < m.Wx.length; i++) m.Wx[i] = normal() / Math.sqrt(3);
  if (scheme === 'orthogonal') m.Wh.set(orthogonal(hidden, normal));
  else for (let i = 0; i < m.Wh.length; i++) m.Wh[i] = uniform();
  for (let i = 0; i < m.bh.length; i++) m.bh[i] = uniform() + uniform();
  for (let i = 0; i < m.Wy.length; i++) m.Wy[i] = uniform();
  for (let i = 0; i < m.by.length; i++) m.by[i] = uniform();
  return m;
}
