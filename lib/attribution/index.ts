export { pmiTables, alignedMask, pmiSummary, PMI_THRESHOLD } from './pmi';
export type { PmiOptions, PmiTables } from './pmi';
export { counterfactualAttribution, STUDY_POSITIONS, COUNTERFACTUAL_OFFSETS } from './counterfactual';
export type { CounterfactualOptions, CounterfactualReport } from './counterfactual';
export { jacobianAttribution, jacobianFlopsPerPosition } from './jacobian';
export type { JacobianOptions, JacobianReport, JacobianCurvePoint } from './jacobian';
export { attribute, DEFAULT_ATTRIBUTION_POSITIONS, DEFAULT_COUNTERFACTUAL_SAMPLES, STUDY_ATTRIBUTION_FIGURES } from './run';
export type { AttributeOptions, AttributionResult, CounterfactualSummary, PooledAlignment } from './run';
