/** φ — every weight of the RNN constructed from counts (docs/definitions.md, φ). */
export { PHI_HIDDEN, PHI_ALPHAS, PHI_SCALES, countPhi, buildPhiModel } from './construct';
export type { PhiCounts, PhiBuildOptions } from './construct';
export { samplePhiRows, phiGridSearch, fitPhiReadout } from './fit';
export type { PhiRows, PhiGrid, PhiReadoutFit, PhiFitOptions, PhiComputeOptions } from './fit';
export { construct, constructResultJson, PHI_STUDY_FIGURES, DEFAULT_GRID_POSITIONS, DEFAULT_FIT_POSITIONS, DEFAULT_PHI_EPOCHS } from './run';
export type { ConstructMode, ConstructOptions, ConstructResult, AnalyticResult, OptimisedResult, PhiRowResult } from './run';
