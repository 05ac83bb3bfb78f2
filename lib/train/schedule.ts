/**
 * How the scale recipe spends a budget: the learning-rate horizon (the step where the
 * warm-up + cosine schedule reaches its floor), the time kept back for the final
 * evaluation and save, and the fixed test sample evaluated periodically at a bounded cost.
 * With --steps/--epochs every choice here is a function of the settings (deterministic);
 * only a time budget without them estimates its horizon from the measured rate.
 */
import { sampleRanges, splitRange } from '../evaluate';

/** Periodic evaluation: pieces of this many bytes, evenly spaced over the test split, each from h = 0. */
export const SAMPLE_PIECE = 4096;
/** Default size of the fixed test sample (8 pieces). */
export const DEFAULT_SAMPLE_BYTES = 1 << 15;
/**
 * Evaluation time per byte as a share of training time per byte (measured: a forward pass
 * has a third of a step's FLOPs but runs one stream at a time, at about half the rate).
 */
export const EVAL_COST = 0.5;
/** Share of the training time the periodic evaluation takes by default (the goal is ≤ 2 %). */
export const EVAL_SHARE = 0.01;
/** Whole-split evaluations run this many contiguous streams, each from h = 0 (threads split them). */
export const TEST_STREAMS = 16;

/** Steps between periodic evaluations so that a sample of `sampleBytes` takes EVAL_SHARE of the training time. */
export function defaultEvalEvery(sampleBytes: number, batch: number, window: number): number {
  return Math.max(1, Math.ceil((sampleBytes * EVAL_COST) / (EVAL_SHARE * batch * window)));
}

/** The whole test split as up to TEST_STREAMS contiguous streams of ≥ 4 KiB. */
export function wholeRanges(test: [number, number]): Array<[number, number]> {
  const streams = Math.max(1, Math.min(TEST_STREAMS, Math.floor((test[1] - test[0]) / 4096)));
  return splitRange(test, streams);
}

/**
 * The fixed periodic sample: `sampleBytes` (0 = all) as pieces of SAMPLE_PIECE bytes spaced
 * as evaluate's sampleRanges spaces any sample, or the whole split when it is not larger.
 */
export function periodicSample(test: [number, number], sampleBytes: number): Array<[number, number]> {
  const pieces = Math.floor(sampleBytes / SAMPLE_PIECE);
  if (sampleBytes === 0 || pieces < 1 || test[1] - test[0] <= sampleBytes) return wholeRanges(test);
  return sampleRanges(test, pieces * SAMPLE_PIECE, pieces);
}

/**
 * The step where the cosine starts: `decay` is the share of the steps after the warm-up
 * that the decay takes (1 = all of them; 0.2 = the last fifth, constant before).
 */
export function decayStart(warmup: number, horizon: number, decay: number): number {
  if (horizon >= Number.MAX_SAFE_INTEGER) return horizon;
  return Math.max(warmup, horizon - Math.round(decay * Math.max(0, horizon - warmup)));
}

/** Warm-up steps: the recipe's, at most a tenth of a known budget. */
export function warmupSteps(recipeWarmup: number, totalSteps: number | null): number {
  return totalSteps === null ? recipeWarmup : Math.min(recipeWarmup, Math.floor(totalSteps / 10));
}

/**
 * The schedule's horizon for a run bounded only by time: the steps done so far plus the
 * steps the measured rate fits into the training time left. Before a rate is known, no
 * decay (the first call of ≤ 0.25 s is inside the warm-up or at the cosine's top anyway).
 */
export function timeHorizon(step: number, stepsPerSecond: number, secondsLeft: number): number {
  if (!(stepsPerSecond > 0)) return Number.MAX_SAFE_INTEGER;
  return step + Math.max(1, Math.floor(Math.max(0, secondsLeft) * stepsPerSecond));
}
