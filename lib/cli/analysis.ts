/**
 * What `boolean`, `attribute` and `errors` share: --model/--corpus or --study, --mode (study up
 * to 64 KiB without it, as `read`), --test-fraction, --threads, --isa, --json, and the loading.
 */
import { Command } from 'commander';
import { Corpus } from '../corpus';
import { loadModel } from '../io/model-file';
import { Model } from '../model';
import { AnalysisMode } from '../boolean';
import { modelAndCorpusPaths } from './inputs';
import {
  checkMode, corpusOption, fractionFlag, isaOption, jsonOption, modeOption, modelOption, studyOption, testFractionOption, threadsOption,
} from './options';
import { STUDY_MODE_MAX_BYTES } from './read';

export interface AnalysisFlags {
  model?: string;
  corpus?: string;
  study?: boolean;
  mode?: string;
  testFraction?: string;
  threads: string;
  isa?: string;
  json?: boolean;
}

export function addAnalysisOptions(cmd: Command): Command {
  return cmd
    .addOption(modelOption())
    .addOption(corpusOption())
    .addOption(studyOption())
    .addOption(modeOption(`study (in-sample on the whole corpus) or scale (SPEC §0 split); default: study up to ${STUDY_MODE_MAX_BYTES} bytes`))
    .addOption(testFractionOption('scale mode: test share of the corpus', '0.1'))
    .addOption(threadsOption('worker threads', '2'))
    .addOption(isaOption())
    .addOption(jsonOption());
}

export interface AnalysisInputs {
  model: Model;
  corpus: Corpus;
  modelPath: string;
  mode: AnalysisMode;
  testFraction: number;
}

export function analysisInputs(flags: AnalysisFlags, command: string): AnalysisInputs {
  const { modelPath, corpusPath } = modelAndCorpusPaths(flags, command);
  checkMode(flags.mode);
  const model = loadModel(modelPath);
  const corpus = Corpus.open(corpusPath);
  const mode = flags.mode ?? (corpus.size <= STUDY_MODE_MAX_BYTES ? 'study' : 'scale');
  return { model, corpus, modelPath, mode, testFraction: fractionFlag('--test-fraction', flags.testFraction ?? '0.1') };
}

export const pct = (v: number | null, d = 1): string => (v === null ? 'n/a' : `${(100 * v).toFixed(d)}%`);
export const num = (v: number | null, d = 3): string => (v === null ? 'n/a' : v.toFixed(d));
