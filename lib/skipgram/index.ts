/** Public API of the skip-gram module; see docs/skipgram.md. */
export { skipgramStats, miProfile, greedyStudy } from './stats';
export type { SkipgramStats, StatsOptions, MiProfileOptions, GreedyStep, GreedyStudyOptions } from './stats';
export { heldOutBpc, greedyHeldOut } from './lm';
export type { HeldOutOptions, HeldOutResult, GreedyHeldOutOptions } from './lm';
export { patternWitness } from './witness';
export type { WitnessOptions, WitnessResult } from './witness';
export { runSkipgram, DEFAULT_VALID_FRACTION } from './run';
export type { SkipgramRunOptions, SkipgramRunResult, GreedyTrace, OrderRow } from './run';
export { DEFAULT_SMOOTHING, DEFAULT_MAX_OFFSET, MAX_ORDER as MAX_SKIP_ORDER } from './options';
export type { Smoothing } from './options';
export { countSkipgrams, mergeSkipgramCounts, skipgramCountStats, heldOutFromCounts } from './counts';
export type { SkipgramCounts, CountSkipgramsOptions, SkipgramCountStats, HeldOutFromCountsOptions } from './counts';
export { saveSkipgramCounts, loadSkipgramCounts, encodeSkipgramCounts, decodeSkipgramCounts, COUNTS_FORMAT } from './counts-file';
