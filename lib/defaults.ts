/**
 * The defaults the API and the CLI share (the CLI's --help shows these values; a test checks
 * that both sides use them). Two are decided by the input rather than fixed:
 * - mode: 'study' only for the study's own text (enwik_1024.txt, recognised by its SHA-256), where
 *   the study's in-sample definitions are the point; 'scale' (held-out test split) for any other
 *   corpus, so a small file never "reaches" an in-sample figure by default.
 * - threads: the machine's cores (os.availableParallelism). Results are bitwise reproducible for a
 *   fixed thread count; pass threads to pin it.
 */
import * as os from 'node:os';
import { Corpus } from './corpus';
import { STUDY_FILES } from './fetch/sources';
import { MAX_THREADS } from './validate';

export type Mode = 'study' | 'scale';
export const MODES: readonly Mode[] = ['study', 'scale'];

/** The study's enwik_1024.txt (the first 1024 bytes of enwik8): its size and SHA-256, pinned once in lib/fetch/sources.ts. */
const STUDY_TEXT = STUDY_FILES.find((f) => f.name === 'enwik_1024.txt')!;

/** Is this the study's own text? */
export function isStudyText(corpus: Corpus): boolean {
  return corpus.size === STUDY_TEXT.size && corpus.hash() === STUDY_TEXT.sha256;
}

/** The mode a command or function runs in when none is given. */
export function defaultMode(corpus: Corpus): Mode {
  return isStudyText(corpus) ? 'study' : 'scale';
}

/** Why `mode` was chosen, in one line (printed by the CLI). */
export function modeReason(mode: Mode, given: boolean): string {
  if (given) return `mode ${mode} (--mode)`;
  return mode === 'study'
    ? "mode study (default for the study's own enwik_1024.txt: its in-sample definitions; --mode scale for a held-out split)"
    : 'mode scale (default for any corpus but the study\'s: train on the first 90%, report on the held-out 10%; --mode study for in-sample figures)';
}

/** Worker threads when none are given: the machine's cores. */
export function defaultThreads(): number {
  const n = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(MAX_THREADS, n));
}

/**
 * Training's worker threads when none are given: 1. A run is bitwise reproducible only for a fixed
 * thread count, so the default does not change with the machine (pass threads to use more cores);
 * also, with more native threads a Ctrl-C followed at once by SIGTERM can reach the process in either
 * order, which test/reliability-signals.test.ts relies on.
 */
export const DEFAULT_TRAIN_THREADS = 1;
