/**
 * The study's analyses in the order of the study and of the report. An analysis that lands
 * later moves from PENDING_STAGES to STAGES as one entry (a file lib/study/stage-NAME.ts).
 */
import { PendingStage, Stage } from './stage';
import { evalStage } from './stage-eval';
import { phiStage } from './stage-phi';
import { psiStage } from './stage-psi';
import { skipgramStage } from './stage-skipgram';

export const STAGES: ReadonlyArray<Stage> = [evalStage, phiStage, psiStage, skipgramStage];

/**
 * SPEC §5–§7: their analyses landed (lib/boolean, lib/attribution, lib/error-sources; issue 15)
 * after this runner was written and are not yet stages of it: the report says so and points to
 * their commands, never shows a number for them.
 */
export const PENDING_STAGES: ReadonlyArray<PendingStage> = [
  { id: 'boolean', title: 'Boolean structure (SPEC §5)', pending: 'not yet part of bi-embed study; run `bi-embed boolean`' },
  { id: 'alignment', title: 'Temporal attribution and PMI alignment (SPEC §6)', pending: 'not yet part of bi-embed study; run `bi-embed attribute`' },
  { id: 'errors', title: 'Three sources of error (SPEC §7)', pending: 'not yet part of bi-embed study; run `bi-embed errors`' },
];
