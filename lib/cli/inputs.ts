/** The files `eval` and `read` take: --model and --corpus, or the study's pair with --study. */
import { ErrorCodes, fail } from '../errors';
import { studyFiles } from '../study';

export interface ModelCorpusFlags {
  model?: string;
  corpus?: string;
  study?: boolean;
}

/** The model and corpus paths; `command` names the command in the error when one is missing. */
export function modelAndCorpusPaths(flags: ModelCorpusFlags, command: string): { modelPath: string; corpusPath: string } {
  let { model: modelPath, corpus: corpusPath } = flags;
  if (flags.study) ({ model: modelPath, text: corpusPath } = studyFiles());
  if (!modelPath || !corpusPath) fail(ErrorCodes.OPTION, `${command} needs --model and --corpus (or --study)`);
  return { modelPath, corpusPath };
}
