/**
 * bi-embed's public API. Every name here is listed in docs/api.md (a test keeps the two equal).
 * Long calls take `(inputs…, options)` with `signal` and `onProgress` in the options, reject unknown
 * option keys with E_OPTION, and report progress as `{ stage, done, total, unit, etaSeconds }`
 * (lib/api.ts). Internal steps (φ's counting and fitting, ψ's single analyses, training internals)
 * are in lib/internal.ts for benchmarks and tests, not here.
 */
export { BiEmbedError, ErrorCodes, isBiEmbedError } from './errors';
export type { ErrorCode } from './errors';
export { Model, paramCount, tensorLayout, DEFAULT_HIDDEN, MIN_HIDDEN, MAX_HIDDEN, VOCAB } from './model';
export type { TensorName, TensorLayout, ModelMetadata } from './model';
export { Corpus, DEFAULT_TEST_FRACTION, parseRange } from './corpus';
export type { Split } from './corpus';
export { splitRange } from './evaluate';
export type { EvaluateResult, RangeResult } from './evaluate';
export { trajectoryBytes, DEFAULT_TRAJECTORY_MAX_BYTES } from './trajectory';
export type { Trajectory, CaptureKind } from './trajectory';
export { importTorchStateDict, torchStateDict } from './io/torch';
export type { TorchImport } from './io/torch';
export type { LoadOptions, SaveOptions, LoadedModelFile, ModelFormat } from './io/model-file';
export { info } from './info';
export type { Info } from './info';
export { studyDir, studyFiles } from './study';
export { ISA_NAMES } from './validate';
export type { IsaName } from './validate';
export type { ProgressEvent, ProgressListener } from './progress';
export { DEFAULT_TEMPERATURE, DEFAULT_SAMPLE_SEED } from './lm';
export type { TextInput, NextByteResult, SampleResult, ScoreTextResult } from './lm';
export type {
  EvaluateOptions, TrajectoryOptions, NextByteOptions, SampleOptions, ScoreTextOptions, ConstructOptions, ReadOptions,
  SkipgramRunOptions, StatsOptions, MiProfileOptions, GreedyStudyOptions, HeldOutOptions, GreedyHeldOutOptions,
  WitnessOptions, CountSkipgramsOptions, HeldOutFromCountsOptions,
} from './public-types';
// The long calls, in their public form (strict options, progress events).
export {
  evaluate, captureTrajectory, nextByteProbabilities, sample, scoreText, order0Entropy, train, construct, readModel,
  runSkipgram, skipgramStats, miProfile, greedyStudy, heldOutBpc, greedyHeldOut, patternWitness, countSkipgrams,
  mergeSkipgramCounts, skipgramCountStats, heldOutFromCounts, loadModel, loadModelFile, saveModel, convertModel,
} from './api';
export type { Public, TrainOptions, TrainProgressEvent } from './api';
// Training
export type { TrainProgress, TrainResult } from './train/train';
export { RECIPES, RECIPE_DEFAULTS } from './train/recipes';
export type { Recipe, RecipeDefaults } from './train/recipes';
export { loadCheckpoint, checkpointPathFor } from './train/checkpoint';
export type { CheckpointInfo, LoadedCheckpoint, TrainStateArrays } from './train/checkpoint';
// φ
export { constructResultJson, PHI_STUDY_FIGURES } from './phi/run';
export type { ConstructMode, ConstructResult, AnalyticResult, OptimisedResult, PhiRowResult, TrainedRowResult } from './phi/run';
// ψ
export { STUDY_FIGURES, DEFAULT_SCALE_POSITIONS } from './psi/read';
export type { ReadMode, ReadResult } from './psi/read';
export type { ByteNorm, WxReport } from './psi/wx';
export type { HebbianReport, WeightComparison, Subset } from './psi/hebbian';
export type { FitScoreRanges } from './psi/rows';
export type { FactorMapReport, NeuronFactor, PairRow } from './psi/factor-map';
export type { ReadBackReport, ReadBackLevel } from './psi/readback';
export type { StateFeatureReport, StateFeatureName } from './psi/features';
// Skip-k-grams
export type { SkipgramStats, GreedyStep } from './skipgram/stats';
export type { HeldOutResult } from './skipgram/lm';
export type { WitnessResult } from './skipgram/witness';
export { DEFAULT_VALID_FRACTION } from './skipgram/run';
export type { SkipgramRunResult, GreedyTrace, OrderRow } from './skipgram/run';
export { DEFAULT_SMOOTHING, DEFAULT_MAX_OFFSET, MAX_ORDER as MAX_SKIP_ORDER } from './skipgram/options';
export type { Smoothing } from './skipgram/options';
export type { SkipgramCounts, SkipgramCountStats } from './skipgram/counts';
export { saveSkipgramCounts, loadSkipgramCounts, encodeSkipgramCounts, decodeSkipgramCounts, COUNTS_FORMAT } from './skipgram/counts-file';
// Boolean structure, temporal attribution, error sources (their own strict entry points)
export * from './boolean';
export * from './attribution';
export * from './error-sources';
export { runStudy, readResults, EMBEDDED_TEXT } from './study/runner';
export type { StudyOptions, StudyEvent, StudyRun } from './study/runner';
export { resultsSchema, validateResults, resultsJsonSchema, RESULTS_SCHEMA_ID, RESULTS_SCHEMA_VERSION } from './study/schema';
export type { StudyResults, StudyFigure } from './study/schema';
export type { StudyTuning, StudyMode } from './study/stage';
