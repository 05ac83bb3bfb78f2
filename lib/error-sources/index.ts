export { pairwiseSynergy, SYNERGY_MAX_OFFSET } from './synergy';
export type { SynergyOptions, SynergyReport, SynergyPair } from './synergy';
export { errorSources, STUDY_ERROR_FIGURES, DEFAULT_HEBBIAN_POSITIONS, DEFAULT_SYNERGY_BYTES } from './run';
export type { ErrorSourcesOptions, ErrorSourcesResult } from './run';
