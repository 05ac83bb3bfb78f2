/**
 * Pairwise synergy: S(a, b) = I(Y; X_a, X_b) − I(Y; X_a) − I(Y; X_b) for offset pairs
 * 1 ≤ a < b ≤ maxOffset, plug-in mutual information from the native skip-gram counts, every term
 * over the same positions s ∈ [begin + maxOffset, end). S = H(Y|X_a) + H(Y|X_b) − H(Y|X_a,X_b) − H(Y).
 */
import { Corpus, checkRange } from '../corpus';
import { ErrorCodes, fail } from '../errors';
import { checkOptions, shown } from '../validate';
import { JobOptions } from '../jobs';
import { skipgramStats } from '../skipgram';

export const SYNERGY_MAX_OFFSET = 30;

export interface SynergyOptions extends JobOptions {
  /** Bytes [begin, end) (default: the whole corpus). */
  range?: [number, number];
  /** Offsets 1 … maxOffset (default 30). */
  maxOffset?: number;
  /** Pairs listed in `top` (default 10). */
  top?: number;
}

export interface SynergyPair {
  a: number;
  b: number;
  /** bits */
  synergy: number;
  /** I(Y; X_a, X_b) in bits. */
  joint: number;
}

export interface SynergyReport {
  positions: [number, number];
  maxOffset: number;
  /** H(Y) over the positions (bits). */
  hY: number;
  /** I(Y; X_d), d = 1 … maxOffset. */
  single: number[];
  pairs: number;
  mean: number;
  /** Share of pairs with synergy above 1 bit (the study: "> 1.0 bits per offset pair"). */
  shareAbove1: number;
  top: SynergyPair[];
  /** All pairs (a < b) in order (1,2), (1,3), …, (maxOffset − 1, maxOffset). */
  all: SynergyPair[];
}

export async function pairwiseSynergy(corpus: Corpus, options?: SynergyOptions): Promise<SynergyReport> {
  if (!(corpus instanceof Corpus)) fail(ErrorCodes.OPTION, `corpus must be a Corpus (see Corpus.open), got ${shown(corpus)}`);
  const opts = checkOptions('pairwiseSynergy', options);
  const [begin, end] = checkRange(corpus, opts.range ?? [0, corpus.size]);
  const D = opts.maxOffset ?? SYNERGY_MAX_OFFSET;
  if (!Number.isInteger(D) || D < 2 || D > 30) fail(ErrorCodes.OPTION, `maxOffset must be an integer in 2…30, got ${String(opts.maxOffset)}`);
  if (end - begin <= D + 1) fail(ErrorCodes.CORPUS_TOO_SHORT, `synergy needs more than ${D + 1} bytes`);
  const positions: [number, number] = [begin + D, end];
  const total = 1 + D + (D * (D - 1)) / 2;
  let done = 0;
  const H = async (offsets: number[]): Promise<number> => {
    const r = await skipgramStats(corpus, offsets, { range: positions, signal: opts.signal });
    opts.onProgress?.(++done, total);
    return r.bits;
  };
  const hY = await H([]);
  const cond: number[] = [];
  for (let d = 1; d <= D; d++) cond.push(await H([d]));
  const all: SynergyPair[] = [];
  for (let a = 1; a <= D; a++) {
    for (let b = a + 1; b <= D; b++) {
      const hab = await H([a, b]);
      all.push({ a, b, synergy: cond[a - 1] + cond[b - 1] - hab - hY, joint: hY - hab });
    }
  }
  const top = [...all].sort((x, y) => y.synergy - x.synergy || x.a - y.a || x.b - y.b).slice(0, opts.top ?? 10);
  return {
    positions, maxOffset: D, hY, single: cond.map((h) => hY - h), pairs: all.length,
    mean: all.reduce((s, p) => s + p.synergy, 0) / all.length,
    shareAbove1: all.filter((p) => p.synergy > 1).length / all.length, top, all,
  };
}
