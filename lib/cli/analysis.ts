/**
 * What `boolean`, `attribute` and `errors` share: --model/--corpus or --study, --mode (decided by
 * the corpus without it, as everywhere: lib/defaults.ts), --test-fraction, --threads, --isa, --json, and the loading.
 */
import { Command } from 'commander';
import { Corpus } from '../corpus';
import { loadModel } from '../io/model-file';
import { Model } from '../model';
import { AnalysisMode } from '../boolean';
import { modelAndCorpusPaths } from './inputs';
import {
  corpusOption, fractionFlag, isaOption, jsonOption, modeOption, modelOption, studyOption, testFractionOption, threadsOption, resolveMode,
} from './options';

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
    .addOption(modeOption('study (in-sample on the whole corpus) or scale (train = first 90%, test = last 10%)'))
    .addOption(testFractionOption('scale mode: test share of the corpus'))
    .addOption(threadsOption('worker threads'))
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
  const model = loadModel(modelPath);
  const corpus = Corpus.open(corpusPath);
  const mode: AnalysisMode = resolveMode(flags.mode, corpus, flags.json);
  return { model, corpus, modelPath, mode, testFraction: fractionFlag('--test-fraction', flags.testFraction ?? '0.1') };
}

export const pct = (v: number | null, d = 1): string => (v === null ? 'n/a' : `${(100 * v).toFixed(d)}%`);
export const num = (v: number | null, d = 3): string => (v === null ? 'n/a' : v.toFixed(d));
