/**
 * One analysis of the study runner (SPEC §8): a named step that reads the shared inputs
 * and returns a JSON-serialisable result. The runner caches each result under a key of
 * the inputs' hashes, the stage's options and versions, so adding an analysis is one
 * more entry in `STAGES` (lib/study/stages.ts).
 */
import { Corpus } from '../corpus';
import { Model } from '../model';

export type StudyMode = 'study' | 'scale';

/** What every stage sees. */
export interface StageContext {
  mode: StudyMode;
  corpus: Corpus;
  model: Model;
  threads: number;
  isa?: string;
  /** Scale mode: the test share at the end of the corpus. */
  testFraction: number;
  /** Scale mode: wall-clock budget of each training run φ compares against (seconds). */
  trainSeconds: number;
  signal?: AbortSignal;
  /** Progress of this stage, in any unit. */
  onProgress: (done: number, total: number) => void;
}

export interface Stage<R = unknown> {
  id: string;
  title: string;
  /** Bump when the stage's result changes meaning: old cache entries are then ignored. */
  version: number;
  /** The options that change the result, part of the cache key. */
  options: (ctx: StageContext) => Record<string, unknown>;
  run: (ctx: StageContext) => Promise<R>;
}

/** A stage whose analysis has not landed yet: listed in the report, never computed. */
export interface PendingStage {
  id: string;
  title: string;
  pending: string;
}
