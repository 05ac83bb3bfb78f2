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
  WitnessOptions, CountSkipgramsOptions, HeldOutFromCountsOptions, BooleanOptions, SignVectorOptions, AblationOptions,
  AttributeOptions, PmiOptions, CounterfactualOptions, JacobianOptions, ErrorSourcesOptions, SynergyOptions,
} from './public-types';
// The long calls, in their public form (strict options, progress events).
export {
  evaluate, captureTrajectory, nextByteProbabilities, sample, scoreText, order0Entropy, train, construct, readModel,
  runSkipgram, skipgramStats, miProfile, greedyStudy, heldOutBpc, greedyHeldOut, patternWitness, countSkipgrams,
  mergeSkipgramCounts, skipgramCountStats, heldOutFromCounts, loadModel, loadModelFile, saveModel, convertModel,
  booleanStructure, signVectors, ablateNeurons, attribute, pmiTables, counterfactualAttribution, jacobianAttribution,
  errorSources, pairwiseSynergy, runStudy,
} from './api';
export type { Public, TrainOptions, TrainProgressEvent, StudyOptions, StudyProgressEvent } from './api';
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
// Boolean structure, temporal attribution, error sources (the long calls are in lib/api.ts's list above)
export { scoredBpc, DEFAULT_SIGN_MAX_MEMORY, analysisRange, STUDY_BOOLEAN_FIGURES, DEFAULT_SCALE_STREAMS, DEFAULT_ABLATION_POSITIONS } from './boolean';
export type { Dynamics, SignVectorReport, MarginReport, AblationReport, NeuronEffect, AnalysisMode, BooleanResult } from './boolean';
export { alignedMask, pmiSummary, PMI_THRESHOLD, STUDY_POSITIONS, COUNTERFACTUAL_OFFSETS, jacobianFlopsPerPosition } from './attribution';
export { DEFAULT_ATTRIBUTION_POSITIONS, DEFAULT_COUNTERFACTUAL_SAMPLES, STUDY_ATTRIBUTION_FIGURES } from './attribution';
export type { PmiTables, CounterfactualReport, JacobianReport, JacobianCurvePoint, AttributionResult, CounterfactualSummary, PooledAlignment } from './attribution';
export { SYNERGY_MAX_OFFSET, STUDY_ERROR_FIGURES, DEFAULT_HEBBIAN_POSITIONS, DEFAULT_SYNERGY_BYTES } from './error-sources';
export type { SynergyReport, SynergyPair, ErrorSourcesResult } from './error-sources';
// The study runner (runStudy is in lib/api.ts's list above)
export { readResults, EMBEDDED_TEXT } from './study/runner';
export type { StudyEvent, StudyRun } from './study/runner';
export { resultsSchema, validateResults, resultsJsonSchema, RESULTS_SCHEMA_ID, RESULTS_SCHEMA_VERSION } from './study/schema';
export type { StudyResults, StudyFigure } from './study/schema';
export type { StudyTuning, StudyMode } from './study/stage';
