/** Public API of the train module: train(), the recipes, checkpoints. */
export { train } from './train';
export type { TrainOptions, TrainProgress, TrainResult, TrainCallbacks } from './train';
export { RECIPES, RECIPE_DEFAULTS, initTrainModel, windowsPerCycle } from './recipes';
export type { Recipe, RecipeDefaults } from './recipes';
export { loadCheckpoint, saveCheckpoint, checkpointPathFor } from './checkpoint';
export type { CheckpointInfo, LoadedCheckpoint } from './checkpoint';
export { fmaPeak, trainFlopsPerByte } from './peak';
export { trainMemoryBytes, DEFAULT_TRAIN_MAX_BYTES } from './memory';
export type { TrainShape } from './memory';
