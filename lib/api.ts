/**
 * The public form of every long call, made in one place: `fn(inputs…, options)` with `signal` and
 * `onProgress` inside the options; unknown option keys fail with E_OPTION and a did-you-mean; progress
 * arrives as one event shape `{ stage, done, total, unit, etaSeconds }` (lib/progress.ts); `isa` is
 * typed as the union of ISA names; unset options get the defaults the CLI shows (lib/defaults.ts:
 * threads = the machine's cores, mode decided by the corpus). The modules keep their internal (done, total) callbacks; the
 * wrappers below translate at the boundary, so no function body had to change.
 */
import * as attrCf from './attribution/counterfactual';
import * as attrJac from './attribution/jacobian';
import * as attrPmi from './attribution/pmi';
import * as attrRun from './attribution/run';
import * as boolAbl from './boolean/ablation';
import * as boolRun from './boolean/run';
import * as boolSv from './boolean/sign-vectors';
import { Corpus } from './corpus';
import * as errRun from './error-sources/run';
import * as errSyn from './error-sources/synergy';
import { DEFAULT_TRAIN_THREADS, defaultMode, defaultThreads } from './defaults';
import * as ev from './evaluate';
import { LoadOptions, SaveOptions } from './io/model-file';
import * as io from './io/model-file';
import { JobOptions } from './jobs';
import * as lm from './lm';
import { Model } from './model';
import { JOB_OPTION_KEYS, checkOptionKeys } from './option-keys';
import * as phi from './phi/run';
import { ProgressEvent, ProgressListener, ProgressTracker } from './progress';
import * as psi from './psi/read';
import * as sgCounts from './skipgram/counts';
import * as sgLm from './skipgram/lm';
import * as sgRun from './skipgram/run';
import * as sgStats from './skipgram/stats';
import * as sgWitness from './skipgram/witness';
import * as study from './study/runner';
import * as tr from './trajectory';
import * as trn from './train/train';
import { IsaName } from './validate';

/** An internal options type as the public API takes it: events for progress, ISA names for isa. */
export type Public<O> = Omit<O, 'onProgress' | 'isa'> &
  ('onProgress' extends keyof O ? { onProgress?: ProgressListener } : unknown) &
  ('isa' extends keyof O ? { isa?: IsaName } : unknown);

/** Every key of T, listed once: the compiler rejects a missing or an unknown one. */
const keysOf = <T>(keys: { [K in keyof Required<T>]: true }): readonly string[] => Object.keys(keys);
const job = { signal: true, onProgress: true } as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFn = (...args: any[]) => any;

/** The shared defaults (lib/defaults.ts) an options object gets for keys left unset. */
type Fill = (args: unknown[]) => Record<string, unknown>;
const threadsDefault: Fill = () => ({ threads: defaultThreads() });
const modeDefault = (corpusAt: number): Fill => (args) => ({
  mode: args[corpusAt] instanceof Corpus ? defaultMode(args[corpusAt] as Corpus) : undefined,
  threads: defaultThreads(),
});

/**
 * Wraps `fn` whose options are argument `at`: strict keys, the shared defaults (`fill`) for unset
 * keys, progress events named `stage` in `unit`s.
 */
function strict(stage: string, unit: string, keys: readonly string[], at: number, fn: AnyFn, fill?: Fill): AnyFn {
  return ((...args: unknown[]) => {
    checkOptionKeys(stage, args[at], keys);
    if (fill) {
      const given = (args[at] ?? {}) as Record<string, unknown>;
      const defaults = Object.entries(fill(args)).filter(([k, v]) => v !== undefined && given[k] === undefined);
      if (defaults.length > 0) args[at] = { ...given, ...Object.fromEntries(defaults) };
    }
    const opts = args[at] as (JobOptions & { onProgress?: unknown }) | undefined;
    if (opts && typeof opts.onProgress === 'function') {
      const listener = opts.onProgress as unknown as ProgressListener;
      args[at] = { ...opts, onProgress: new ProgressTracker(stage, unit).forward(listener) };
    }
    return fn(...args);
  });
}

// ───── evaluation, trajectories, language-model use ─────
export const EVALUATE_KEYS = keysOf<ev.EvaluateOptions>({ ranges: true, threads: true, isa: true, losses: true, ...job });
/** bpc of a model on byte ranges of a corpus, each run from h = 0 (mean −log2 p(x_{t+1}), p ≥ 1e-30). */
export const evaluate: (model: Model, corpus: Corpus, opts?: Public<ev.EvaluateOptions>) => Promise<ev.EvaluateResult> =
  strict('evaluate', 'chunks', EVALUATE_KEYS, 2, ev.evaluate, threadsDefault);

export const TRAJECTORY_KEYS = keysOf<tr.TrajectoryOptions>({ range: true, capture: true, maxBytes: true, losses: true, isa: true, ...job });
/** What one forward pass over a range leaves behind (states, pre-activations, sign bits), memory-bounded. */
export const captureTrajectory: (model: Model, corpus: Corpus, opts: Public<tr.TrajectoryOptions>) => Promise<tr.Trajectory> =
  strict('captureTrajectory', 'chunks', TRAJECTORY_KEYS, 2, tr.captureTrajectory);

export const NEXT_BYTE_KEYS = keysOf<lm.NextByteOptions>({ isa: true, ...job });
/** p(next byte | prompt) after running the prompt from h = 0. */
export const nextByteProbabilities: (model: Model, prompt: lm.TextInput, opts?: Public<lm.NextByteOptions>) => Promise<lm.NextByteResult> =
  strict('nextByteProbabilities', 'bytes', NEXT_BYTE_KEYS, 2, lm.nextByteProbabilities);

export const SAMPLE_KEYS = keysOf<lm.SampleOptions>({ bytes: true, temperature: true, seed: true, isa: true, ...job });
/** Seeded sampling after a prompt: each byte drawn from p ∝ exp(logit / temperature), fed back. */
export const sample: (model: Model, prompt: lm.TextInput, opts: Public<lm.SampleOptions>) => Promise<lm.SampleResult> =
  strict('sample', 'bytes', SAMPLE_KEYS, 2, lm.sample);

export const SCORE_TEXT_KEYS = keysOf<lm.ScoreTextOptions>({ threads: true, isa: true, losses: true, ...job });
/** bpc of any text (one pass from h = 0), beside the order-0 entropy of the same bytes. */
export const scoreText: (model: Model, text: lm.TextInput, opts?: Public<lm.ScoreTextOptions>) => Promise<lm.ScoreTextResult> =
  strict('scoreText', 'chunks', SCORE_TEXT_KEYS, 2, lm.scoreText, threadsDefault);

/** Order-0 entropy −Σ f_b log2 f_b of the bytes in [begin, end) (default: the whole corpus). */
export const order0Entropy: (corpus: Corpus, range?: [number, number], opts?: Public<JobOptions>) => Promise<number> =
  strict('order0Entropy', 'bytes', JOB_OPTION_KEYS, 2, lm.order0Entropy);

// ───── training ─────
/** Training options of the public API: the run's settings plus `signal` and `onProgress`. */
export type TrainOptions = Omit<trn.TrainOptions, 'nanAtStep' | 'isa'> & {
  isa?: IsaName;
  /** Cancels the run; the model and checkpoint are saved first, then the Promise rejects with E_ABORTED. */
  signal?: AbortSignal;
  /** Progress: the one event shape (steps, or seconds of the budget) plus the run's own figures. */
  onProgress?: (event: TrainProgressEvent) => void;
};
/** A training progress event: `{ stage: 'train', done, total, unit, etaSeconds }` and TrainProgress's fields. */
export type TrainProgressEvent = ProgressEvent & trn.TrainProgress;

export const TRAIN_KEYS = keysOf<TrainOptions>({
  corpus: true, recipe: true, hidden: true, batch: true, threads: true, window: true, epochs: true, steps: true, seconds: true,
  lr: true, clip: true, seed: true, testFraction: true, evalEvery: true, testBytes: true, out: true, checkpoint: true,
  checkpointEvery: true, resume: true, isa: true, init: true, maxBytes: true, schedule: true, warmup: true, decay: true, initScheme: true, ...job,
});

let warnedTrainCallbacks = false;

/**
 * Trains an Elman RNN on a corpus (`recipe`: 'scale' — B streams, Adam, held-out test split — or
 * 'study' — the study's SGD on one stream, in-sample; by default study only for the study's own text). The old form `train(opts, { signal, onProgress })`
 * still works and warns once (DeprecationWarning).
 */
export async function train(opts: TrainOptions, callbacks?: { signal?: AbortSignal; onProgress?: (p: trn.TrainProgress) => void }): Promise<trn.TrainResult> {
  checkOptionKeys('train', opts, TRAIN_KEYS);
  const { signal, onProgress, ...run } = opts;
  if (callbacks !== undefined) {
    checkOptionKeys('train (second argument)', callbacks, JOB_OPTION_KEYS);
    if (!warnedTrainCallbacks) {
      warnedTrainCallbacks = true;
      process.emitWarning('train(opts, { signal, onProgress }) is deprecated: put signal and onProgress in the options', 'DeprecationWarning');
    }
  }
  const listener = onProgress ?? (callbacks?.onProgress as ((e: TrainProgressEvent) => void) | undefined);
  const budget = run.seconds;
  const corpus = typeof run.corpus === 'string' ? Corpus.open(run.corpus) : run.corpus;
  const recipe = run.recipe ?? (corpus instanceof Corpus ? defaultMode(corpus) : undefined);
  return trn.train({ ...run, corpus, recipe, threads: run.threads ?? DEFAULT_TRAIN_THREADS }, {
    signal: signal ?? callbacks?.signal,
    onProgress: listener && ((p) => {
      const byTime = p.totalSteps === null && budget !== undefined;
      listener({
        stage: 'train', unit: byTime ? 's' : 'steps', done: byTime ? Math.min(p.seconds, budget) : p.step,
        total: byTime ? budget : p.totalSteps ?? p.step, etaSeconds: p.eta, ...p,
      });
    }),
  });
}

// ───── φ, ψ, skip-grams ─────
export const CONSTRUCT_KEYS = keysOf<phi.ConstructOptions>({
  mode: true, testFraction: true, gridPositions: true, fitPositions: true, epochs: true, signBias: true, seed: true,
  threads: true, isa: true, trained: true, trainSeconds: true, onRow: true, evalBytes: true, ...job,
});
/** φ: every weight constructed from counts (analytic and optimised readout), beside training. */
export const construct: (corpus: Corpus, opts?: Public<phi.ConstructOptions>) => Promise<phi.ConstructResult> =
  strict('construct', 'stages', CONSTRUCT_KEYS, 1, phi.construct, modeDefault(0));

export const READ_KEYS = keysOf<psi.ReadOptions>({
  mode: true, positions: true, testFraction: true, threads: true, isa: true, maxBytes: true, stateFeatures: true, ...job,
});
/** ψ: reads a trained model back into the events it encodes (Wx norms, Hebbian, factor map, read-back). */
export const readModel: (model: Model, corpus: Corpus, opts?: Public<psi.ReadOptions>) => Promise<psi.ReadResult> =
  strict('readModel', 'stages', READ_KEYS, 2, psi.readModel, modeDefault(1));

export const SKIPGRAM_RUN_KEYS = keysOf<sgRun.SkipgramRunOptions>({
  mode: true, offsets: true, greedy: true, maxOffset: true, testFraction: true, validFraction: true, smoothing: true,
  maxBytes: true, model: true, isa: true, threads: true, selectionBytes: true, countBytes: true, ...job,
});
/** Skip-k-gram statistics (study) or held-out language models (scale) for fixed or greedy offsets. */
export const runSkipgram: (corpus: Corpus, opts: Public<sgRun.SkipgramRunOptions>) => Promise<sgRun.SkipgramRunResult> =
  strict('runSkipgram', 'stages', SKIPGRAM_RUN_KEYS, 1, sgRun.runSkipgram, modeDefault(0));

export const STATS_KEYS = keysOf<sgStats.StatsOptions>({ range: true, maxBytes: true, ...job });
/** Plug-in H(Y | X_D), patterns and contexts of an offset list, in-sample. */
export const skipgramStats: (corpus: Corpus, offsets: number[], opts?: Public<sgStats.StatsOptions>) => Promise<sgStats.SkipgramStats> =
  strict('skipgramStats', 'steps', STATS_KEYS, 2, sgStats.skipgramStats);

export const MI_KEYS = keysOf<sgStats.MiProfileOptions>({ range: true, maxOffset: true, ...job });
/** MI(d) = H(Y) − H(Y | X_d) for d = 1 … maxOffset. */
export const miProfile: (corpus: Corpus, opts?: Public<sgStats.MiProfileOptions>) => Promise<Array<number | null>> =
  strict('miProfile', 'steps', MI_KEYS, 1, sgStats.miProfile);

export const GREEDY_STUDY_KEYS = keysOf<sgStats.GreedyStudyOptions>({ range: true, maxBytes: true, order: true, maxOffset: true, start: true, ...job });
/** The study's greedy offset search: add the d that lowers H(Y | X_D) most. */
export const greedyStudy: (corpus: Corpus, opts: Public<sgStats.GreedyStudyOptions>) => Promise<sgStats.GreedyStep[]> =
  strict('greedyStudy', 'steps', GREEDY_STUDY_KEYS, 1, sgStats.greedyStudy);

export const HELD_OUT_KEYS = keysOf<sgLm.HeldOutOptions>({ train: true, test: true, smoothing: true, maxBytes: true, ...job });
/** Held-out bpc of the interpolated back-off skip-gram model trained on `train`, scored on `test`. */
export const heldOutBpc: (corpus: Corpus, offsets: number[], opts: Public<sgLm.HeldOutOptions>) => Promise<sgLm.HeldOutResult> =
  strict('heldOutBpc', 'steps', HELD_OUT_KEYS, 2, sgLm.heldOutBpc);

export const GREEDY_HELD_OUT_KEYS = keysOf<sgLm.GreedyHeldOutOptions>({
  order: true, maxOffset: true, fit: true, valid: true, smoothing: true, maxBytes: true, threads: true, start: true, ...job,
});
/** Greedy offsets chosen by validation bpc of the held-out model. */
export const greedyHeldOut: (corpus: Corpus, opts: Public<sgLm.GreedyHeldOutOptions>) => Promise<sgStats.GreedyStep[]> =
  strict('greedyHeldOut', 'steps', GREEDY_HELD_OUT_KEYS, 1, sgLm.greedyHeldOut, threadsDefault);

export const WITNESS_KEYS = keysOf<sgWitness.WitnessOptions>({ range: true, train: true, isa: true, maxBytes: true, ...job });
/** Pattern witnesses: trie contexts whose most frequent continuation is the RNN's argmax. */
export const patternWitness: (model: Model, corpus: Corpus, offsets: number[], opts?: Public<sgWitness.WitnessOptions>) => Promise<sgWitness.WitnessResult> =
  strict('patternWitness', 'steps', WITNESS_KEYS, 3, sgWitness.patternWitness);

export const COUNT_KEYS = keysOf<sgCounts.CountSkipgramsOptions>({ offsets: true, range: true, maxBytes: true, ...job });
/** Skip-gram count table of one shard (merge shards with mergeSkipgramCounts). */
export const countSkipgrams: (corpus: Corpus | Uint8Array, opts: Public<sgCounts.CountSkipgramsOptions>) => Promise<sgCounts.SkipgramCounts> =
  strict('countSkipgrams', 'steps', COUNT_KEYS, 1, sgCounts.countSkipgrams);

/** The count table of the union of shards counted separately. */
export const mergeSkipgramCounts: (parts: sgCounts.SkipgramCounts[], opts?: Public<JobOptions>) => Promise<sgCounts.SkipgramCounts> =
  strict('mergeSkipgramCounts', 'steps', JOB_OPTION_KEYS, 1, sgCounts.mergeSkipgramCounts);

/** The plug-in statistics of a count table. */
export const skipgramCountStats: (counts: sgCounts.SkipgramCounts, opts?: Public<JobOptions>) => Promise<sgCounts.SkipgramCountStats> =
  strict('skipgramCountStats', 'steps', JOB_OPTION_KEYS, 1, sgCounts.skipgramCountStats);

export const HELD_OUT_COUNTS_KEYS = keysOf<sgCounts.HeldOutFromCountsOptions>({ test: true, smoothing: true, maxBytes: true, ...job });
/** Held-out bpc of the back-off model trained on a count table. */
export const heldOutFromCounts: (counts: sgCounts.SkipgramCounts, corpus: Corpus | Uint8Array, opts: Public<sgCounts.HeldOutFromCountsOptions>) => Promise<sgLm.HeldOutResult> =
  strict('heldOutFromCounts', 'steps', HELD_OUT_COUNTS_KEYS, 2, sgCounts.heldOutFromCounts);

// ───── Boolean structure, temporal attribution, the three sources of error ─────
export const BOOLEAN_KEYS = keysOf<boolRun.BooleanOptions>({
  mode: true, testFraction: true, streams: true, maxMemory: true, ablationPositions: true, threads: true, isa: true, ...job,
});
/** The network as a Boolean automaton: sign vectors (true and sign-only dynamics), margins, neuron ablation. */
export const booleanStructure: (model: Model, corpus: Corpus, opts?: Public<boolRun.BooleanOptions>) => Promise<boolRun.BooleanResult> =
  strict('booleanStructure', 'stages', BOOLEAN_KEYS, 2, boolRun.booleanStructure, modeDefault(1));

export const SIGN_VECTOR_KEYS = keysOf<boolSv.SignVectorOptions>({
  range: true, dynamics: true, streams: true, maxMemory: true, score: true, threads: true, isa: true, ...job,
});
/** Sign vectors σ_t = sgn h_t of one dynamics over a range: distinct count, entropy, transitions, margins, bpc. */
export const signVectors: (model: Model, corpus: Corpus, opts?: Public<boolSv.SignVectorOptions>) => Promise<boolSv.SignVectorReport> =
  strict('signVectors', 'steps', SIGN_VECTOR_KEYS, 2, boolSv.signVectors, threadsDefault);

export const ABLATION_KEYS = keysOf<boolAbl.AblationOptions>({ range: true, threads: true, isa: true, ...job });
/** bpc with each neuron knocked out, and with only one kept. */
export const ablateNeurons: (model: Model, corpus: Corpus, opts?: Public<boolAbl.AblationOptions>) => Promise<boolAbl.AblationReport> =
  strict('ablateNeurons', 'steps', ABLATION_KEYS, 2, boolAbl.ablateNeurons, threadsDefault);

export const ATTRIBUTE_KEYS = keysOf<attrRun.AttributeOptions>({
  mode: true, testFraction: true, maxOffset: true, positions: true, samples: true, seed: true, threads: true, isa: true, maxBytes: true, ...job,
});
/** Counterfactual and Jacobian attribution α(t, d), their PMI alignment, shallow vs deep offsets. */
export const attribute: (model: Model, corpus: Corpus, opts?: Public<attrRun.AttributeOptions>) => Promise<attrRun.AttributionResult> =
  strict('attribute', 'stages', ATTRIBUTE_KEYS, 2, attrRun.attribute, modeDefault(1));

export const PMI_KEYS = keysOf<attrPmi.PmiOptions>({ range: true, maxOffset: true, ...job });
/** PMI_d(a, b) of byte pairs at offsets d = 1 … maxOffset. */
export const pmiTables: (corpus: Corpus, opts?: Public<attrPmi.PmiOptions>) => Promise<attrPmi.PmiTables> =
  strict('pmiTables', 'steps', PMI_KEYS, 1, attrPmi.pmiTables);

export const COUNTERFACTUAL_KEYS = keysOf<attrCf.CounterfactualOptions>({ maxOffset: true, threads: true, isa: true, ...job });
/** α(t, d) by flipping the byte d back (x → x + 128 mod 256) at the given positions of a trajectory. */
export const counterfactualAttribution: (model: Model, corpus: Corpus, trajectory: tr.Trajectory, positions: number[],
  opts?: Public<attrCf.CounterfactualOptions>) => Promise<attrCf.CounterfactualReport> =
  strict('counterfactualAttribution', 'steps', COUNTERFACTUAL_KEYS, 4, attrCf.counterfactualAttribution, threadsDefault);

export const JACOBIAN_KEYS = keysOf<attrJac.JacobianOptions>({ maxOffset: true, aligned: true, keepAlpha: true, threads: true, isa: true, ...job });
/** α(t, d) from the Jacobian of the log-probability with respect to the input d bytes back. */
export const jacobianAttribution: (model: Model, corpus: Corpus, rows: Parameters<typeof attrJac.jacobianAttribution>[2],
  opts?: Public<attrJac.JacobianOptions>) => Promise<attrJac.JacobianReport> =
  strict('jacobianAttribution', 'steps', JACOBIAN_KEYS, 3, attrJac.jacobianAttribution, threadsDefault);

export const ERROR_SOURCES_KEYS = keysOf<errRun.ErrorSourcesOptions>({
  mode: true, testFraction: true, positions: true, synergyBytes: true, threads: true, isa: true, maxBytes: true, ...job,
});
/** The three sources of error: first-order (Hebbian 1 − r²), pairwise synergy, Boolean (sign-only vs full bpc). */
export const errorSources: (model: Model, corpus: Corpus, opts?: Public<errRun.ErrorSourcesOptions>) => Promise<errRun.ErrorSourcesResult> =
  strict('errorSources', 'stages', ERROR_SOURCES_KEYS, 2, errRun.errorSources, modeDefault(1));

export const SYNERGY_KEYS = keysOf<errSyn.SynergyOptions>({ range: true, maxOffset: true, top: true, ...job });
/** Pairwise synergy I(Y; X_a, X_b) − I(Y; X_a) − I(Y; X_b) of offsets a < b ≤ maxOffset. */
export const pairwiseSynergy: (corpus: Corpus, opts?: Public<errSyn.SynergyOptions>) => Promise<errSyn.SynergyReport> =
  strict('pairwiseSynergy', 'steps', SYNERGY_KEYS, 1, errSyn.pairwiseSynergy);

// ───── the whole study ─────
/** runStudy's options in the public form: progress as one event shape per stage (no onEvent). */
export type StudyOptions = Omit<study.StudyOptions, 'onEvent' | 'isa' | 'mode'> & {
  /** study (the study's in-sample definitions) or scale (held-out split); default: study only for the study's own text. */
  mode?: 'study' | 'scale';
  isa?: IsaName;
  /** Each stage's progress in percent: `{ stage, done, total: 100, unit: '%', etaSeconds }` with the stage's place and, at its end, status. */
  onProgress?: (event: StudyProgressEvent) => void;
};
/** A study progress event: stage 'study [i/n] title', done of 100 %; `status` on the stage's last event. */
export type StudyProgressEvent = ProgressEvent & { index: number; count: number; status?: 'computed' | 'cached' | 'loaded' };

export const STUDY_KEYS = keysOf<StudyOptions>({
  corpus: true, model: true, trainSeconds: true, mode: true, out: true, threads: true, isa: true, testFraction: true, tuning: true,
  force: true, command: true, ...job,
});

/**
 * The whole study on a corpus and a model (each stage cached in out/cache, so a cancelled run resumes)
 * → out/results.json and out/report.html. Defaults as the CLI's: the embedded study text, mode by the
 * corpus, threads = the machine's cores.
 */
export async function runStudy(opts: StudyOptions): Promise<study.StudyRun> {
  checkOptionKeys('runStudy', opts, STUDY_KEYS);
  const { onProgress, ...run } = opts ?? ({} as StudyOptions);
  let tracker: ProgressTracker | undefined;
  let place = { index: 0, count: 0 };
  const onEvent = onProgress && ((e: study.StudyEvent): void => {
    if (e.type === 'start') {
      tracker = new ProgressTracker(`study [${e.index + 1}/${e.count}] ${e.title}`, '%');
      place = { index: e.index, count: e.count };
      onProgress({ ...tracker.event(0, 100), ...place });
    } else if (e.type === 'progress' && tracker && e.total > 0) {
      onProgress({ ...tracker.event(Math.min(100, (100 * e.done) / e.total), 100), ...place });
    } else if (e.type === 'end' && tracker) {
      onProgress({ ...tracker.event(100, 100), ...place, status: e.status });
    }
  });
  return study.runStudy({ ...run, onEvent } as study.StudyOptions);
}

// ───── model files (synchronous, strict options too) ─────
export const LOAD_KEYS = keysOf<LoadOptions>({ format: true, hidden: true });
export const SAVE_KEYS = keysOf<SaveOptions>({ format: true, extra: true });
/** Reads a model file (raw .bin or .safetensors). */
export const loadModel: (file: string, opts?: LoadOptions) => Model = strict('loadModel', '', LOAD_KEYS, 1, io.loadModel);
/** Reads a model file with its extra tensors (e.g. optimiser state). */
export const loadModelFile: (file: string, opts?: LoadOptions) => io.LoadedModelFile = strict('loadModelFile', '', LOAD_KEYS, 1, io.loadModelFile);
/** Writes a model atomically (format from the extension, or `format`). */
export const saveModel: (model: Model, file: string, opts?: SaveOptions) => void = strict('saveModel', '', SAVE_KEYS, 2, io.saveModel);
/** Converts between raw and safetensors by extension. */
export const convertModel: (inPath: string, outPath: string, opts?: { hidden?: number }) => void =
  strict('convertModel', '', ['hidden'], 2, io.convertModel);
