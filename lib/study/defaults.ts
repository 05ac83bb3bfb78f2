/** The study runner's defaults, in a module light enough for the CLI to load at start. */
/** Without --mode: study mode up to this size, scale mode above (as `bi-embed read`). */
export const STUDY_MODE_MAX_BYTES = 64 << 10;
/** Scale recipe's wall-clock budget when the study trains its model, seconds. */
export const DEFAULT_TRAIN_SECONDS = 120;
export const DEFAULT_STUDY_THREADS = 2;
