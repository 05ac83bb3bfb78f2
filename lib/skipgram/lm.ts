/**
 * The held-out skip-gram language model (scale mode): interpolated back-off down
 * the backward trie, modified Kneser–Ney (default) or Witten–Bell; greedy offsets chosen
 * on a validation part of train; test bpc on the held-out split.
 */
import { Corpus, checkRange } from '../corpus';
import { JobOptions, runJob } from '../jobs';
import { native } from '../native';
import { checkThreads } from '../validate';
import { checkMaxBytes, checkMaxOffset, checkOffsets, checkOrder, checkSmoothing, Smoothing } from './options';
import { GreedyStep, toStep } from './stats';

export interface HeldOutOptions extends JobOptions {
  /** Bytes whose positions are counted (s ≥ max D), [begin, end). */
  train: [number, number];
  /** Bytes scored, [begin, end); contexts may read the bytes before `begin`. */
  test: [number, number];
  smoothing?: Smoothing;
  maxBytes?: number;
}

export interface HeldOutResult {
  offsets: number[];
  smoothing: Smoothing;
  /** Mean −log2 p over the scored positions (p floored at 1e-30). */
  bpc: number;
  positions: number;
  trainPositions: number;
  /** Positions whose deepest seen context has k offsets, k = 0 … K. */
  depth: number[];
  patterns: number;
  contexts: number;
  bytes: number;
}

export async function heldOutBpc(corpus: Corpus, offsets: number[], opts: HeldOutOptions): Promise<HeldOutResult> {
  const D = checkOffsets(offsets);
  const train = checkRange(corpus, opts.train, 1);
  const test = checkRange(corpus, opts.test, 1);
  const smoothing = checkSmoothing(opts.smoothing);
  const maxBytes = checkMaxBytes(opts.maxBytes);
  const r = await runJob(opts, (cancel, onProgress) =>
    native().skipgramHeldOut(corpus.bytes, Int32Array.from(D), train, test, { smoothing, maxBytes }, cancel, onProgress));
  return {
    offsets: [...D], smoothing, bpc: r.positions ? r.bits / r.positions : NaN, positions: r.positions,
    trainPositions: r.trainPositions, depth: Array.from(r.depth), patterns: r.patterns, contexts: r.contexts, bytes: r.bytes,
  };
}

export interface GreedyHeldOutOptions extends JobOptions {
  order: number;
  maxOffset?: number;
  start?: number[];
  /** Counted part [begin, end). */
  fit: [number, number];
  /** Scored part [begin, end): the candidate with the lowest held-out bpc wins. */
  valid: [number, number];
  smoothing?: Smoothing;
  /** Memory bound, shared out evenly between the threads. */
  maxBytes?: number;
  /** Candidates evaluated in parallel (default 1); the result does not depend on it. */
  threads?: number;
}

/** Greedy offsets by held-out bpc on `valid` of the model counted on `fit`; ties go to the smaller d. */
export async function greedyHeldOut(corpus: Corpus, opts: GreedyHeldOutOptions): Promise<GreedyStep[]> {
  const start = checkOffsets(opts.start ?? [1], 'start');
  const order = checkOrder(opts.order, Math.max(1, start.length));
  const maxOffset = checkMaxOffset(opts.maxOffset, order);
  const fit = checkRange(corpus, opts.fit, 1);
  const valid = checkRange(corpus, opts.valid, 1);
  const smoothing = checkSmoothing(opts.smoothing);
  const maxBytes = checkMaxBytes(opts.maxBytes);
  const threads = checkThreads(opts.threads);
  const steps = await runJob(opts, (cancel, onProgress) =>
    native().skipgramGreedy(corpus.bytes, Int32Array.from(start), order, maxOffset,
      { mode: 'heldout', fit, valid, smoothing, maxBytes, threads }, cancel, onProgress));
  return steps.map(toStep);
}
