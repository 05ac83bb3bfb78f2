/**
 * The study's analyses in the order of the study and of the report: eval, φ, ψ, skip-k-grams,
 * Boolean, alignment, errors. An analysis is one entry here (a file lib/study/stage-NAME.ts).
 */
import { PendingStage, Stage } from './stage';
import { attributionStage } from './stage-attribution';
import { booleanStage } from './stage-boolean';
import { errorsStage } from './stage-errors';
import { evalStage } from './stage-eval';
import { phiStage } from './stage-phi';
import { psiStage } from './stage-psi';
import { skipgramStage } from './stage-skipgram';

export const STAGES: ReadonlyArray<Stage> = [evalStage, phiStage, psiStage, skipgramStage, booleanStage, attributionStage, errorsStage];

/** Analyses listed by the study whose code has not landed: the report names them without numbers. None at present. */
export const PENDING_STAGES: ReadonlyArray<PendingStage> = [];
