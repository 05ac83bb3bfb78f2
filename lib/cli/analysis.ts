/**
 * What `boolean`, `attribute` and `errors` share: --model/--corpus or --study, --mode (decided by
 * the corpus without it, as everywhere: lib/defaults.ts), --test-fraction, --threads, --isa, --json,
 * --progress, the loading, Ctrl-C, and printing the result (JSON or the command's summary).
 */
import { Command } from 'commander';
import { Corpus, DEFAULT_TEST_FRACTION } from '../corpus';
import { JobOptions } from '../jobs';
import { Model } from '../model';
import { AnalysisMode } from '../boolean';
import { loadModelAndCorpus } from './inputs';
import { interruptible } from './interrupt';
import {
  corpusOption, fractionFlag, intFlag, isaOption, jsonOption, modeOption, modelOption, studyOption, testFractionOption, threadsOption, resolveMode,
} from './options';
import { printJson } from './output';
import { progressOption, startProgress } from './progress';

export interface AnalysisFlags {
  model?: string;
  corpus?: string;
  study?: boolean;
  mode?: string;
  testFraction?: string;
  threads: string;
  isa?: string;
  json?: boolean;
  progress?: string;
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
    .addOption(jsonOption())
    .addOption(progressOption());
}

/** The options every analysis takes, from the shared flags, with the command's signal and progress. */
export interface AnalysisJob extends Required<JobOptions> {
  mode: AnalysisMode;
  testFraction: number;
  threads: number;
  isa?: string;
}

/**
 * Loads the inputs, runs `analysis` with a progress display (in stages) and Ctrl-C wired, and prints
 * `{ model, ...result }` with --json or `summary(result)` otherwise.
 */
export async function runAnalysis<R extends object>(flags: AnalysisFlags, command: string,
  analysis: (model: Model, corpus: Corpus, job: AnalysisJob) => Promise<R>, summary: (r: R) => string): Promise<void> {
  const { model, corpus, modelPath } = loadModelAndCorpus(flags, command);
  const mode: AnalysisMode = resolveMode(flags.mode, corpus, flags.json);
  const testFraction = fractionFlag('--test-fraction', flags.testFraction ?? String(DEFAULT_TEST_FRACTION));
  const threads = intFlag('--threads', flags.threads);
  const bar = startProgress(flags, command, 'stages');
  const r = await interruptible((signal) => analysis(model, corpus, { mode, testFraction, threads, isa: flags.isa, signal, onProgress: bar.onProgress })
    .finally(bar.stop), () => `nothing written (${command} keeps no partial result)`, bar.stop);
  if (!r) return;
  if (flags.json) return printJson({ model: modelPath, ...r });
  process.stdout.write(summary(r));
}

export const pct = (v: number | null, d = 1): string => (v === null ? 'n/a' : `${(100 * v).toFixed(d)}%`);
export const num = (v: number | null, d = 3): string => (v === null ? 'n/a' : v.toFixed(d));
