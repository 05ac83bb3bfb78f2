export { signVectors, scoredBpc, DEFAULT_SIGN_MAX_MEMORY } from './sign-vectors';
export type { Dynamics, SignVectorOptions, SignVectorReport, MarginReport } from './sign-vectors';
export { ablateNeurons } from './ablation';
export type { AblationOptions, AblationReport, NeuronEffect } from './ablation';
export { booleanStructure, analysisRange, STUDY_BOOLEAN_FIGURES, DEFAULT_SCALE_STREAMS, DEFAULT_ABLATION_POSITIONS } from './run';
export type { AnalysisMode, BooleanOptions, BooleanResult } from './run';
