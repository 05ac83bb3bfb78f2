/**
 * The two skip-gram analyses behind `bi-embed skipgram` (docs/definitions.md, skip-k-grams):
 * - study: in-sample plug-in statistics on the whole corpus (the study's definitions);
 * - scale: held-out language models on the contiguous split (train first, test last), greedy offsets chosen on the
 *   last part of train, skip vs contiguous test bpc for every order k.
 */
import { Corpus, DEFAULT_TEST_FRACTION } from '../corpus';
import { ErrorCodes, fail } from '../errors';
import { JobOptions } from '../jobs';
import { Model } from '../model';
import { checkOptions, checkThreads, shown } from '../validate';
import { greedyHeldOut, heldOutBpc } from './lm';
import { checkSkipgramMemory, PlannedCount } from './memory';
import { checkFraction, checkMaxBytes, checkMaxOffset, checkOffsets, checkOrder, checkSmoothing, Smoothing } from './options';
import { GreedyStep, greedyStudy, miProfile, skipgramStats } from './stats';
import { patternWitness, WitnessResult } from './witness';

export const DEFAULT_VALID_FRACTION = 0.1;

export interface SkipgramRunOptions extends JobOptions {
  mode?: 'study' | 'scale';
  /** A fixed offset list … */
  offsets?: number[];
  /** … or a greedy search to this many offsets (from [1]). */
  greedy?: number;
  maxOffset?: number;
  /** Scale mode: the test split (the last share of the corpus) and the validation share of train. */
  testFraction?: number;
  validFraction?: number;
  smoothing?: Smoothing;
  maxBytes?: number;
  /** Adds pattern witnesses for this model (study mode: in-sample on the whole corpus). */
  model?: Model;
  isa?: string;
  /** Scale mode: greedy candidates evaluated in parallel (default 1). */
  threads?: number;
  /**
   * Scale mode: the greedy search runs on the last `selectionBytes` of train only (split into
   * fit and valid by `validFraction`); the chosen offsets are then counted on the count range.
   * Default: the whole of train (docs/skipgram.md, "Selecting on a sample").
   */
  selectionBytes?: number;
  /** Scale mode: the held-out models (the ladder, witnesses) count the last `countBytes` of train (default: all of it). */
  countBytes?: number;
}

export interface GreedyTrace {
  /** The list before the step. */
  offsets: number[];
  added: number;
  score: number;
  /** study: I(Y; X_d | X_D) estimated as H(Y | X_D) − H(Y | X_{D ∪ d}); scale: validation bpc of D ∪ d. */
  values: Array<number | null>;
}

export interface OrderRow {
  k: number;
  offsets: number[];
  testBpc: number;
  patterns: number;
  contexts: number;
  contiguous: { offsets: number[]; testBpc: number; patterns: number; contexts: number };
}

export interface SkipgramRunResult {
  mode: 'study' | 'scale';
  corpus: string;
  offsets: number[];
  /** In-sample plug-in H(Y | X_D) (study: whole corpus; scale: train). */
  bpc: number;
  patterns: number;
  contexts: number;
  positions: number;
  bytes: number;
  /** Scale mode: held-out bpc of the final offsets on the test split. */
  testBpc?: number;
  smoothing?: Smoothing;
  /** Scale mode: `train` is the range the final models count (all of train unless countBytes caps it). */
  split?: { train: [number, number]; fit: [number, number]; valid: [number, number]; test: [number, number] };
  miProfile: {
    maxOffset: number;
    /** MI(d) = H(Y) − H(Y | X_d), index d − 1 (study: whole corpus; scale: train). */
    single: Array<number | null>;
    greedy: GreedyTrace[];
  };
  /** Scale mode: k = 1 … K, skip prefix vs contiguous 1 … k, both trained on train, scored on test. */
  orders?: OrderRow[];
  witness?: WitnessResult;
}

function trace(steps: GreedyStep[], study: boolean): GreedyTrace[] {
  return steps.slice(1).map((s, i) => {
    const before = steps[i];
    return {
      offsets: before.offsets, added: s.added, score: s.score,
      values: study ? s.candidates.map((c) => (c === null ? null : before.score - c)) : s.candidates,
    };
  });
}

export async function runSkipgram(corpus: Corpus, options: SkipgramRunOptions): Promise<SkipgramRunResult> {
  if (!(corpus instanceof Corpus)) fail(ErrorCodes.OPTION, `corpus must be a Corpus, got ${shown(corpus)}`);
  const opts = checkOptions('runSkipgram', options);
  const mode = opts.mode ?? 'study';
  if (mode !== 'study' && mode !== 'scale') fail(ErrorCodes.OPTION, `mode must be study or scale, got ${String(mode)}`);
  if ((opts.offsets === undefined) === (opts.greedy === undefined)) fail(ErrorCodes.OPTION, 'give either offsets or greedy');
  const fixed = opts.offsets !== undefined ? checkOffsets(opts.offsets) : undefined;
  if (fixed && fixed.length === 0) fail(ErrorCodes.OPTION, 'offsets must not be empty');
  const order = fixed ? fixed.length : checkOrder(opts.greedy, 1);
  const maxOffset = checkMaxOffset(opts.maxOffset, fixed ? 1 : order);
  const { maxBytes } = opts;
  const job = { signal: opts.signal };
  return mode === 'study'
    ? runStudy(corpus, fixed, order, maxOffset, maxBytes, job, opts)
    : runScale(corpus, fixed, order, maxOffset, maxBytes, job, opts);
}

/**
 * Progress over a run's stages: stage k of n reports k + (its own done/total) of n, so every run —
 * fixed offsets included — reports, and the greedy search is one stage among the others.
 */
function stageProgress(onProgress: JobOptions['onProgress'], n: number): { inner: JobOptions['onProgress']; next: () => void } {
  let k = 0;
  onProgress?.(0, n);
  return {
    inner: onProgress && ((d, t) => onProgress(k + (t > 0 ? Math.min(1, d / t) : 0), n)),
    next: () => { k++; onProgress?.(k, n); },
  };
}

async function runStudy(corpus: Corpus, fixed: number[] | undefined, order: number, maxOffset: number,
  maxBytes: number | undefined, job: JobOptions, opts: SkipgramRunOptions): Promise<SkipgramRunResult> {
  let steps: GreedyStep[] = [];
  const stage = stageProgress(opts.onProgress, (fixed ? 0 : 1) + 2 + (opts.model ? 1 : 0));
  if (!fixed) {
    steps = await greedyStudy(corpus, { order, maxOffset, maxBytes, ...job, onProgress: stage.inner });
    stage.next();
  }
  const offsets = fixed ?? steps[steps.length - 1].offsets;
  const stats = await skipgramStats(corpus, offsets, { maxBytes, ...job, onProgress: stage.inner });
  stage.next();
  const single = await miProfile(corpus, { maxOffset, ...job, onProgress: stage.inner });
  stage.next();
  const out: SkipgramRunResult = {
    mode: 'study', corpus: corpus.name, offsets, bpc: stats.bits, patterns: stats.patterns, contexts: stats.contexts,
    positions: stats.positions, bytes: stats.bytes, miProfile: { maxOffset, single, greedy: trace(steps, true) },
  };
  if (opts.model) {
    out.witness = await patternWitness(opts.model, corpus, offsets, { isa: opts.isa, maxBytes, ...job, onProgress: stage.inner });
    stage.next();
  }
  return out;
}

async function runScale(corpus: Corpus, fixed: number[] | undefined, order: number, maxOffset: number,
  maxBytes: number | undefined, job: JobOptions, opts: SkipgramRunOptions): Promise<SkipgramRunResult> {
  const smoothing = checkSmoothing(opts.smoothing);
  const split = corpus.split(checkFraction('testFraction', opts.testFraction, DEFAULT_TEST_FRACTION));
  const validFraction = checkFraction('validFraction', opts.validFraction, DEFAULT_VALID_FRACTION);
  const test = split.test;
  const last = (bytes: number | undefined, name: string): [number, number] => {
    const [a, b] = split.train;
    if (bytes === undefined) return [a, b];
    if (!Number.isSafeInteger(bytes) || bytes < 2) fail(ErrorCodes.OPTION, `${name} must be an integer ≥ 2, got ${String(bytes)}`);
    return [Math.max(a, b - bytes), b];
  };
  const train = last(opts.countBytes, 'countBytes');
  const selection = last(opts.selectionBytes, 'selectionBytes');
  const cut = selection[0] + Math.floor((selection[1] - selection[0]) * (1 - validFraction));
  const fit: [number, number] = [selection[0], cut], valid: [number, number] = [cut, selection[1]];
  // The memory bound is checked before the work: the greedy candidates (each with its share) and the final models.
  const bound = checkMaxBytes(maxBytes), threads = checkThreads(opts.threads);
  const counts: PlannedCount[] = [{ what: 'the held-out models', offsets: order, positions: train[1] - train[0], bound }];
  if (!fixed) counts.unshift({ what: `each greedy candidate (${threads} in parallel)`, offsets: order, positions: fit[1] - fit[0], bound: Math.floor(bound / threads) });
  await checkSkipgramMemory(corpus, counts, { order, train, test, smoothing, maxBytes: bound, signal: opts.signal });
  let steps: GreedyStep[] = [];
  const stage = stageProgress(opts.onProgress, (fixed ? 0 : 1) + 2 + 2 * order + (opts.model ? 1 : 0));
  if (!fixed) {
    steps = await greedyHeldOut(corpus, { order, maxOffset, fit, valid, smoothing, maxBytes, threads: opts.threads, ...job, onProgress: stage.inner });
    stage.next();
  }
  const offsets = fixed ?? steps[steps.length - 1].offsets;
  const stats = await skipgramStats(corpus, offsets, { range: train, maxBytes, ...job, onProgress: stage.inner });
  stage.next();
  const single = await miProfile(corpus, { range: train, maxOffset, ...job, onProgress: stage.inner });
  stage.next();
  const orders: OrderRow[] = [];
  for (let k = 1; k <= offsets.length; k++) {
    const skip = await heldOutBpc(corpus, offsets.slice(0, k), { train, test, smoothing, maxBytes, ...job, onProgress: stage.inner });
    stage.next();
    const contiguousOffsets = Array.from({ length: k }, (_, i) => i + 1);
    // a prefix that is already 1 … k (the greedy search starts from [1]) is its own contiguous model
    const contig = skip.offsets.every((d, i) => d === i + 1)
      ? skip : await heldOutBpc(corpus, contiguousOffsets, { train, test, smoothing, maxBytes, ...job, onProgress: stage.inner });
    stage.next();
    orders.push({
      k, offsets: skip.offsets, testBpc: skip.bpc, patterns: skip.patterns, contexts: skip.contexts,
      contiguous: { offsets: contiguousOffsets, testBpc: contig.bpc, patterns: contig.patterns, contexts: contig.contexts },
    });
  }
  const out: SkipgramRunResult = {
    mode: 'scale', corpus: corpus.name, offsets, bpc: stats.bits, patterns: stats.patterns, contexts: stats.contexts,
    positions: stats.positions, bytes: stats.bytes, testBpc: orders[orders.length - 1].testBpc, smoothing,
    split: { train, fit, valid, test },
    miProfile: { maxOffset, single, greedy: trace(steps, false) }, orders,
  };
  if (opts.model) {
    out.witness = await patternWitness(opts.model, corpus, offsets, { range: test, train, isa: opts.isa, maxBytes, ...job, onProgress: stage.inner });
    stage.next();
  }
  return out;
}


