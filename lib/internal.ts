/**
 * Internal steps, for the benchmarks (scripts/bench) and tests: not part of the public API
 * (lib/index.ts) and free to change. Their options take the internal (done, total) progress callback.
 */
export { countPhi, buildPhiModel, PHI_HIDDEN, PHI_ALPHAS, PHI_SCALES } from './phi/construct';
export { samplePhiRows, phiGridSearch, fitPhiReadout } from './phi/fit';
export { wxInputNorms } from './psi/wx';
export { byteName } from './psi/bytes';
export { hebbianEstimates, compareWeights, pearson } from './psi/hebbian';
export { factorMap, lagOnePartners, STUDY_LAGS, SCALE_LAGS, R2_THRESHOLD } from './psi/factor-map';
export { readBack, READBACK_LEVELS } from './psi/readback';
export { stateFeatureMap, STATE_FEATURES } from './psi/features';
export { initTrainModel, windowsPerCycle } from './train/recipes';
export { saveCheckpoint } from './train/checkpoint';
export { fmaPeak, trainFlopsPerByte } from './train/peak';
export { train as trainInternal } from './train/train';
export type { TrainOptions as InternalTrainOptions } from './train/train';
