/** Public API of ψ — reading a trained model back into the events it encodes (docs/definitions.md, ψ). */
export { readModel, STUDY_FIGURES, DEFAULT_SCALE_POSITIONS } from './read';
export type { ReadMode, ReadOptions, ReadResult } from './read';
export { wxInputNorms } from './wx';
export type { ByteNorm, WxReport } from './wx';
export { byteName } from './bytes';
export { hebbianEstimates, compareWeights, pearson } from './hebbian';
export type { HebbianReport, HebbianOptions, WeightComparison, Subset } from './hebbian';
export { factorMap, lagOnePartners, STUDY_LAGS, SCALE_LAGS, R2_THRESHOLD } from './factor-map';
export type { FactorMapOptions, FactorMapReport, NeuronFactor, PairRow } from './factor-map';
export { readBack, READBACK_LEVELS } from './readback';
export type { ReadBackReport, ReadBackLevel, ReadBackOptions } from './readback';
export { stateFeatureMap, STATE_FEATURES } from './features';
export type { StateFeatureReport, StateFeatureName } from './features';
export type { StateRange } from './rows';
