/** bi-embed's public API. */
export { BiEmbedError, ErrorCodes, isBiEmbedError } from './errors';
export type { ErrorCode } from './errors';
export { Model, paramCount, tensorLayout, DEFAULT_HIDDEN, MIN_HIDDEN, MAX_HIDDEN, VOCAB } from './model';
export type { TensorName, TensorLayout, ModelMetadata } from './model';
export { Corpus, DEFAULT_TEST_FRACTION, parseRange } from './corpus';
export type { Split } from './corpus';
export { evaluate, splitRange } from './evaluate';
export type { EvaluateOptions, EvaluateResult, RangeResult } from './evaluate';
export { captureTrajectory, trajectoryBytes, DEFAULT_TRAJECTORY_MAX_BYTES } from './trajectory';
export type { Trajectory, TrajectoryOptions, CaptureKind } from './trajectory';
export { loadModel, saveModel, loadModelFile, convertModel } from './io/model-file';
export { info } from './info';
export type { Info } from './info';
export { studyDir, studyFiles } from './study';
export type { JobOptions } from './jobs';
