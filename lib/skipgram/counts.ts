/**
 * Skip-gram counts as plain sorted tables, so a corpus can be counted in shards and the shards
 * combined (docs/skipgram.md "Counting in shards"). Counting, merging, statistics and
 * the held-out model all run natively off the main thread; TypeScript only validates.
 */
import { Corpus, checkRange } from '../corpus';
import { ErrorCodes, fail } from '../errors';
import { JobOptions, runJob } from '../jobs';
import { native, NativeCountTable } from '../native';
import { HeldOutResult } from './lm';
import { checkMaxBytes, checkOffsets, checkSmoothing, Smoothing } from './options';
import { SkipgramStats } from './stats';

/**
 * The (context, next byte) counts of positions s ∈ [max(begin, max D), end) for the offsets D:
 * one entry per distinct pair, sorted by (contexts[i], next[i]) as unsigned integers, strictly
 * increasing; contexts[i] packs byte j = x_{s−D[j]} in bits 8j…8j+7; counts[i] ≥ 1 and they add
 * up to `positions` (< 2^32).
 */
export interface SkipgramCounts {
  offsets: number[];
  positions: number;
  contexts: BigUint64Array;
  next: Uint8Array;
  counts: Uint32Array;
}

export interface CountSkipgramsOptions extends JobOptions {
  /** The ordered offset list D (at most 8). */
  offsets: number[];
  /** Bytes [begin, end) (default: all); positions s ∈ [max(begin, max D), end), possibly none. */
  range?: [number, number];
  /** Bound on the count's working memory (sort buffers or hash table; default 8 GiB). */
  maxBytes?: number;
}

/** The plug-in statistics of a table: the numbers skipgramStats gives for the counted range. */
export type SkipgramCountStats = Omit<SkipgramStats, 'bytes'>;

export interface HeldOutFromCountsOptions extends JobOptions {
  /** Bytes scored, [begin, end); contexts may read the bytes before `begin`. */
  test: [number, number];
  smoothing?: Smoothing;
  /** Bound on the trie's tables (default 8 GiB). */
  maxBytes?: number;
}

function asCorpus(corpus: Corpus | Uint8Array): Corpus {
  if (corpus instanceof Corpus) return corpus;
  if (!ArrayBuffer.isView(corpus)) fail(ErrorCodes.OPTION, 'corpus must be a Corpus or a Uint8Array');
  return Corpus.fromBytes(corpus);
}

function fromNative(t: NativeCountTable): SkipgramCounts {
  return { offsets: Array.from(t.offsets), positions: t.positions, contexts: t.contexts, next: t.next, counts: t.counts };
}

/** The table as the addon reads it; array types, lengths and contents are checked natively. */
export function toNativeTable(c: SkipgramCounts, name = 'counts'): NativeCountTable {
  if (typeof c !== 'object' || c === null) fail(ErrorCodes.OPTION, `${name} must be a SkipgramCounts object`);
  const offsets = Int32Array.from(checkOffsets(c.offsets, `${name}.offsets`));
  return { offsets, positions: c.positions, contexts: c.contexts, next: c.next, counts: c.counts };
}

/** Counts one range (a shard) into a sorted table. An empty shard gives an empty table. */
export async function countSkipgrams(corpus: Corpus | Uint8Array, opts: CountSkipgramsOptions): Promise<SkipgramCounts> {
  const c = asCorpus(corpus);
  const D = checkOffsets(opts.offsets);
  const [begin, end] = checkRange(c, opts.range ?? [0, c.size], 0);
  const maxBytes = checkMaxBytes(opts.maxBytes);
  const t = await runJob(opts, (cancel, onProgress) =>
    native().skipgramCountTable(c.bytes, begin, end, Int32Array.from(D), { maxBytes }, cancel, onProgress));
  return fromNative(t);
}

/**
 * Adds tables of the same offsets entry by entry (a native linear merge). Counting [a, m) and
 * [m, b) and merging gives the table of [a, b). Errors: E_OPTION (no parts, offsets differ),
 * E_RANGE (≥ 2^32 positions in all), E_COUNT_TABLE (a part is not a valid table).
 */
export async function mergeSkipgramCounts(parts: SkipgramCounts[], opts: JobOptions = {}): Promise<SkipgramCounts> {
  if (!Array.isArray(parts) || parts.length === 0) fail(ErrorCodes.OPTION, 'mergeSkipgramCounts needs at least one table');
  const tables = parts.map((p, i) => toNativeTable(p, `parts[${i}]`));
  return fromNative(await runJob(opts, (cancel, onProgress) => native().skipgramMergeTables(tables, cancel, onProgress)));
}

/** Plug-in H(Y | X_D), patterns, contexts and positions of a table. E_CORPUS_TOO_SHORT when empty. */
export async function skipgramCountStats(counts: SkipgramCounts, opts: JobOptions = {}): Promise<SkipgramCountStats> {
  const t = toNativeTable(counts);
  const r = await runJob(opts, (cancel, onProgress) => native().skipgramTableStats(t, cancel, onProgress));
  return { offsets: Array.from(t.offsets), bits: r.bits, patterns: r.patterns, contexts: r.contexts, positions: r.positions };
}

/**
 * Test bpc of the back-off model (as heldOutBpc) trained on a table instead of a train range:
 * heldOutFromCounts(countSkipgrams(c, {offsets, range: train}), c, {test}) = heldOutBpc(c, offsets, {train, test}).
 */
export async function heldOutFromCounts(counts: SkipgramCounts, corpus: Corpus | Uint8Array,
  opts: HeldOutFromCountsOptions): Promise<HeldOutResult> {
  const t = toNativeTable(counts);
  const c = asCorpus(corpus);
  const test = checkRange(c, opts.test, 1);
  const smoothing = checkSmoothing(opts.smoothing);
  const maxBytes = checkMaxBytes(opts.maxBytes);
  const r = await runJob(opts, (cancel, onProgress) =>
    native().skipgramTableHeldOut(t, c.bytes, test, { smoothing, maxBytes }, cancel, onProgress));
  return {
    offsets: Array.from(t.offsets), smoothing, bpc: r.positions ? r.bits / r.positions : NaN, positions: r.positions,
    trainPositions: r.trainPositions, depth: Array.from(r.depth), patterns: r.patterns, contexts: r.contexts, bytes: r.bytes,
  };
}
