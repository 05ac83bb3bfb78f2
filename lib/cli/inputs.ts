/** The files `eval`, `read` and the analyses take: --model and --corpus, or the study's pair with --study. */
import { Corpus } from '../corpus';
import { ErrorCodes, fail } from '../errors';
import { loadModel } from '../io/model-file';
import { Model } from '../model';
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

/** The model and corpus, loaded, with their paths. */
export function loadModelAndCorpus(flags: ModelCorpusFlags, command: string): { model: Model; corpus: Corpus; modelPath: string; corpusPath: string } {
  const { modelPath, corpusPath } = modelAndCorpusPaths(flags, command);
  return { model: loadModel(modelPath), corpus: Corpus.open(corpusPath), modelPath, corpusPath };
}
