/**
 * The study runner's own default, in a module light enough for the CLI to load at start. Mode and
 * threads are the shared ones (lib/defaults.ts: study mode only for the study's own text; the cores).
 */
/** Scale recipe's wall-clock budget when the study trains its model, seconds. */
export const DEFAULT_TRAIN_SECONDS = 120;
