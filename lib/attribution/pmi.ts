/**
 * PMI per offset: PMI_d(a, b) = log2 P(x_{s−d} = a, x_s = b) / (P(a) P(b)) from the
 * pair counts of s ∈ [max(begin, d), end), marginals from the same pairs; −∞ for unseen pairs.
 */
import { Corpus, checkRange } from '../corpus';
import { ErrorCodes, fail } from '../errors';
import { checkOptions, shown } from '../validate';
import { JobOptions, runJob } from '../jobs';
import { native } from '../native';

export const PMI_THRESHOLD = 0.5;
export const MAX_ATTRIBUTION_OFFSET = 256;

export interface PmiOptions extends JobOptions {
  /** Positions s ∈ [begin, end) (default: the whole corpus). */
  range?: [number, number];
  /** Offsets d = 1 … maxOffset (default 32). */
  maxOffset?: number;
}

export interface PmiTables {
  range: [number, number];
  maxOffset: number;
  /** maxOffset × 65536: PMI_d(a, b) at [(d − 1)·65536 + a·256 + b]. */
  table: Float32Array;
}

export function checkMaxOffset(v: unknown, fallback: number): number {
  const d = v ?? fallback;
  if (typeof d !== 'number' || !Number.isInteger(d) || d < 1 || d > MAX_ATTRIBUTION_OFFSET) {
    fail(ErrorCodes.OPTION, `maxOffset must be an integer in 1…${MAX_ATTRIBUTION_OFFSET}, got ${String(v)}`);
  }
  return d;
}

export async function pmiTables(corpus: Corpus, options?: PmiOptions): Promise<PmiTables> {
  if (!(corpus instanceof Corpus)) fail(ErrorCodes.OPTION, `corpus must be a Corpus (see Corpus.open), got ${shown(corpus)}`);
  const opts = checkOptions('pmiTables', options);
  const range = checkRange(corpus, opts.range ?? [0, corpus.size]);
  const maxOffset = checkMaxOffset(opts.maxOffset, 32);
  const table = new Float32Array(maxOffset * 65536);
  const offsets = Int32Array.from({ length: maxOffset }, (_, i) => i + 1);
  await runJob(opts, (cancel, onProgress) => native().pmiTables(corpus.bytes, range[0], range[1], offsets, table, cancel, onProgress));
  return { range, maxOffset, table };
}

/** 1 where PMI_d(a, b) > threshold, in the table's layout (the Jacobian's alignment mask). */
export function alignedMask(pmi: PmiTables, threshold = PMI_THRESHOLD): Uint8Array {
  return Uint8Array.from(pmi.table, (v) => (v > threshold ? 1 : 0));
}

/** Per offset: byte pairs seen, and those with PMI above the threshold. */
export function pmiSummary(pmi: PmiTables, threshold = PMI_THRESHOLD): Array<{ d: number; pairs: number; aligned: number }> {
  const out = [];
  for (let d = 1; d <= pmi.maxOffset; d++) {
    const t = pmi.table.subarray((d - 1) * 65536, d * 65536);
    let pairs = 0, aligned = 0;
    for (const v of t) {
      if (v !== -Infinity) pairs++;
      if (v > threshold) aligned++;
    }
    out.push({ d, pairs, aligned });
  }
  return out;
}
