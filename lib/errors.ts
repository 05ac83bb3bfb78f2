/**
 * Every bad input ends in a BiEmbedError with a stable `code`. Tests assert the code,
 * not `instanceof` (jest runs test files in separate realms). The native addon builds
 * these through the constructor registered in lib/native.ts, so C++ errors carry codes too.
 */
export const ErrorCodes = {
  FILE_NOT_FOUND: 'E_FILE_NOT_FOUND',
  FILE_READ: 'E_FILE_READ',
  FILE_WRITE: 'E_FILE_WRITE',
  CORPUS_EMPTY: 'E_CORPUS_EMPTY',
  CORPUS_TOO_SHORT: 'E_CORPUS_TOO_SHORT',
  RAW_SIZE: 'E_RAW_SIZE',
  SAFETENSORS_TRUNCATED: 'E_SAFETENSORS_TRUNCATED',
  SAFETENSORS_HEADER: 'E_SAFETENSORS_HEADER',
  SAFETENSORS_TENSOR: 'E_SAFETENSORS_TENSOR',
  MODEL_FORMAT: 'E_MODEL_FORMAT',
  SHAPE: 'E_SHAPE',
  DTYPE: 'E_DTYPE',
  HIDDEN_RANGE: 'E_HIDDEN_RANGE',
  RANGE: 'E_RANGE',
  OPTION: 'E_OPTION',
  ISA_UNAVAILABLE: 'E_ISA_UNAVAILABLE',
  ABORTED: 'E_ABORTED',
  NON_FINITE: 'E_NON_FINITE',
  MEMORY_LIMIT: 'E_MEMORY_LIMIT',
  /** A skip-gram count table (in memory or in a file) breaks its invariants (docs/skipgram.md). */
  COUNT_TABLE: 'E_COUNT_TABLE',
  STUDY_DIR: 'E_STUDY_DIR',
  /** results.json (or a cached stage) does not match its schema (lib/study/schema.ts). */
  RESULTS_SCHEMA: 'E_RESULTS_SCHEMA',
  /** `bi-embed fetch`: a download failed, was cut short or did not verify. */
  FETCH: 'E_FETCH',
  CHECKPOINT: 'E_CHECKPOINT',
  NATIVE: 'E_NATIVE',
  ADDON_LOAD: 'E_ADDON_LOAD',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export class BiEmbedError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'BiEmbedError';
    this.code = code;
  }
}

/** Throws a BiEmbedError; a short form for validation code. */
export function fail(code: ErrorCode, message: string): never {
  throw new BiEmbedError(code, message);
}

/** True for an error with a bi-embed code, across realms. */
export function isBiEmbedError(e: unknown): e is BiEmbedError {
  return (
    typeof e === 'object' && e !== null && 'code' in e &&
    typeof (e as { code: unknown }).code === 'string' &&
    (e as { name?: unknown }).name === 'BiEmbedError'
  );
}
