/**
 * φ end to end: count, construct, grid-search (α, s), fit the optimised readout, evaluate.
 * Study mode: the §2 definitions on the whole (small) corpus, in-sample, real trajectory.
 * Scale mode: fit on the train split, states rebuilt at sampled positions (stated), every
 * model evaluated on train and test like any other model.
 */
import { Corpus } from '../corpus';
import { ErrorCodes, fail } from '../errors';
import { evaluate, sampleRanges } from '../evaluate';
import { JobOptions } from '../jobs';
import { Model } from '../model';
import { train as trainModel } from '../train';
import { captureTrajectory } from '../trajectory';
import { defaultThreads } from '../defaults';
import { checkOptions, checkPositiveInt, checkThreads, shown } from '../validate';
import { PHI_HIDDEN, PhiCounts, buildPhiModel, countPhi } from './construct';
import { PhiGrid, PhiRows, fitPhiReadout, phiGridSearch, samplePhiRows } from './fit';

export type ConstructMode = 'study' | 'scale';

/** The study's own figures (not reproducible from the public model and data): printed beside ours. */
export const PHI_STUDY_FIGURES = { analytic: 1.89, optimised: 0.59 } as const;

/** Defaults of construct (the CLI's too): scale-mode sampled positions of the grid and of the readout fit, readout epochs (the study's). */
export const DEFAULT_GRID_POSITIONS = 50_000;
export const DEFAULT_FIT_POSITIONS = 20_000;
export const DEFAULT_PHI_EPOCHS = 1000;

export interface ConstructOptions extends JobOptions {
  mode?: ConstructMode;
  /** Scale mode: the held-out share (default 0.1). */
  testFraction?: number;
  /** Scale mode: sampled positions for the (α, s) grid (default DEFAULT_GRID_POSITIONS, 50,000). */
  gridPositions?: number;
  /** Scale mode: sampled positions for the optimised readout (default DEFAULT_FIT_POSITIONS, 20,000). */
  fitPositions?: number;
  /** Readout epochs (default 1000, the study's). */
  epochs?: number;
  /** Also construct the sign log-odds bh variant (default true). */
  signBias?: boolean;
  seed?: number;
  threads?: number;
  isa?: string;
  /** Scale mode: also train (the scale recipe: B streams, Adam) from the recipe's init and from the analytic model. */
  trained?: boolean;
  /** Wall-clock budget of each training run (default: the construction's own wall-clock). */
  trainSeconds?: number;
  /** Each row as it finishes, with its model: a cancelled run keeps (and can save) the rows it finished. */
  onRow?: (row: PhiRowResult, model: Model) => void;
  /** Scale mode: each row's train bpc on at most this many bytes of train, in 64 evenly spaced streams (default: all of train). */
  evalBytes?: number;
}

export interface TrainedRowResult extends PhiRowResult {
  steps: number;
  init: 'recipe' | 'analytic';
}

export interface PhiRowResult {
  name: string;
  trainBpc: number;
  testBpc?: number;
  /** Parameters whose values come from the data, and how. */
  paramsFromData: number;
  fittedBy: string;
  seconds: number;
  /** Estimated floating-point (and counting) operations of the fit, see docs/phi.md. */
  flops: number;
}

export interface AnalyticResult extends PhiRowResult {
  alpha: number;
  scale: number;
  bh: 'zero' | 'sign-log-odds';
  grid: PhiGrid;
}

export interface OptimisedResult extends PhiRowResult {
  epochs: number;
  lr: number;
  positions: number;
  /** Mean cross-entropy (bits) on the fitting positions before the first and after the last epoch. */
  fitLossFirst: number;
  fitLossLast: number;
}

export interface ConstructResult {
  mode: ConstructMode;
  corpus: { name: string; size: number; sha256: string };
  /** Fitting bytes and evaluation ranges. */
  train: [number, number];
  test?: [number, number];
  testFraction?: number;
  /** How the fitting positions were chosen. */
  sampling: string;
  counting: { seconds: number; bytesPerSecond: number };
  analytic: AnalyticResult;
  analyticSignBias?: AnalyticResult;
  optimised: OptimisedResult;
  /** Study mode: the study's figures, ours, and whether they agree to the printed digits. */
  /** Scale mode with `trained`: the training engine's rows, or null with the reason. */
  trained?: TrainedRowResult | null;
  trainedFromConstruction?: TrainedRowResult | null;
  trainedReason?: string;
  /** Wall-clock budget given to each training run, seconds. */
  trainBudgetSeconds?: number;
  /** Which way "every construction beats training" came out (scale mode with trained rows). */
  claim?: string;
  study?: { analytic: number; optimised: number; reproduced: { analytic: boolean; optimised: boolean }; verdict: string };
  models: { analytic: Model; optimised: Model; analyticSignBias?: Model; trained?: Model; trainedFromConstruction?: Model };
}

const now = (): number => Number(process.hrtime.bigint()) / 1e9;

/** Grid cost: per α one 128×256 product per row, per (α, s) 256 logits + softmax per row. */
function gridFlops(S: number, na: number, ns: number): number {
  return S * na * (2 * PHI_HIDDEN * 256 + ns * 256 * 4);
}
function fitFlops(S: number, epochs: number): number {
  return epochs * S * (2 * 2 * PHI_HIDDEN * 256 + 256 * 5);
}

/** Train/test bpc of an ordinary model, the train range as ≤ 64 streams (each from h = 0). */
async function bpcOf(model: Model, corpus: Corpus, ranges: Array<[number, number]>, threads: number, isa?: string): Promise<number> {
  const r = await evaluate(model, corpus, { ranges, threads, isa });
  return r.bpc;
}

export async function construct(corpus: Corpus, options?: ConstructOptions): Promise<ConstructResult> {
  if (!(corpus instanceof Corpus)) fail(ErrorCodes.OPTION, `corpus must be a Corpus, got ${shown(corpus)}`);
  const opts = checkOptions('construct', options);
  const mode = opts.mode ?? 'scale';
  if (mode !== 'study' && mode !== 'scale') fail(ErrorCodes.OPTION, `mode must be study or scale, got ${String(mode)}`);
  const threads = checkThreads(opts.threads ?? defaultThreads());
  const epochs = opts.epochs ?? DEFAULT_PHI_EPOCHS;
  const seed = opts.seed ?? 1;
  const isa = opts.isa;
  const job = { signal: opts.signal, threads, isa };
  const progress = (stage: number) => (done: number, of: number): void =>
    opts.onProgress?.(stage + (of > 0 ? done / of : 0), total);
  const split = mode === 'scale' ? corpus.split(opts.testFraction) : undefined;
  const train: [number, number] = split ? split.train : [0, corpus.size];
  // the rows' bpc: train on at most evalBytes (a sample of evenly spaced streams), test whole
  const trainScored = sampleRanges(train, opts.evalBytes ?? Infinity), testScored = split && sampleRanges(split.test, Infinity);
  if (train[1] - train[0] < 32) fail(ErrorCodes.CORPUS_TOO_SHORT, `φ needs ≥ 32 fitting bytes, got ${train[1] - train[0]}`);
  const gridS = checkPositiveInt('gridPositions', opts.gridPositions ?? DEFAULT_GRID_POSITIONS, 2 ** 24);
  const fitS = checkPositiveInt('fitPositions', opts.fitPositions ?? DEFAULT_FIT_POSITIONS, 2 ** 24);
  const stages = 6;
  // with the two training rows (scale mode), 8: the total is known from the start, so the bar never moves back
  const total = mode === 'scale' && opts.trained ? stages + 2 : stages;

  const t0 = now();
  const counts = await countPhi(corpus, train, { signal: opts.signal, onProgress: progress(0) });
  const tCount = now() - t0;

  // Rows for the grid and for the readout fit, for a given bh.
  const rowsFor = async (base: Model, purpose: 'grid' | 'fit', stage: number): Promise<PhiRows> => {
    if (mode === 'scale') {
      return samplePhiRows(corpus, train, base.bh, purpose === 'grid' ? gridS : fitS, seed + (purpose === 'fit' ? 1 : 0),
        { ...job, onProgress: progress(stage) });
    }
    // Study: the real trajectory over all bytes from h = 0. Grid: t = 0 … n−2 (the bpc
    // positions); readout fit: t = 16 … n−3 (the study's).
    const n = corpus.size;
    const tr = await captureTrajectory(base, corpus, { capture: ['hidden'], signal: opts.signal, isa });
    const H = PHI_HIDDEN;
    return purpose === 'grid'
      ? { states: tr.states!.subarray(0, (n - 1) * H), targets: corpus.bytes.subarray(1, n) }
      : { states: tr.states!.subarray(16 * H, (n - 2) * H), targets: corpus.bytes.subarray(17, n - 1) };
  };

  const analyticFor = async (signBias: boolean, stage: number): Promise<{ result: AnalyticResult; model: Model }> => {
    const t = now();
    const base = buildPhiModel(counts, { alpha: 1, scale: 0, signBias });
    const rows = await rowsFor(base, 'grid', stage);
    const grid = await phiGridSearch(counts, base.by, rows, { ...job, onProgress: progress(stage) });
    const model = buildPhiModel(counts, { alpha: grid.best.alpha, scale: grid.best.scale, signBias });
    const seconds = now() - t + tCount;
    const result: AnalyticResult = {
      name: signBias ? 'analytic (sign log-odds bh)' : 'analytic',
      trainBpc: await bpcOf(model, corpus, trainScored, threads, isa),
      testBpc: testScored ? await bpcOf(model, corpus, testScored, threads, isa) : undefined,
      paramsFromData: 256 + 256 * PHI_HIDDEN + (signBias ? PHI_HIDDEN : 0),
      fittedBy: 'counts; (α, s) by grid search',
      seconds,
      flops: 16 * counts.n + gridFlops(grid.positions, grid.alphas.length, grid.scales.length),
      alpha: grid.best.alpha, scale: grid.best.scale, bh: signBias ? 'sign-log-odds' : 'zero', grid,
    };
    opts.onRow?.(result, model);
    return { result, model };
  };

  const analytic = await analyticFor(false, 1);
  const variant = opts.signBias === false ? undefined : await analyticFor(true, 2);

  // Optimised: Wx, Wh, bh as constructed, Wy = 0, by from counts, then gradient descent.
  const t1 = now();
  const optimisedModel = buildPhiModel(counts, { alpha: 1, scale: 0 });
  const fitRows = await rowsFor(optimisedModel, 'fit', 3);
  const fit = await fitPhiReadout(optimisedModel, fitRows, { ...job, epochs, onProgress: progress(4) });
  const tFit = now() - t1;
  optimisedModel.metadata = { ...optimisedModel.metadata, readout: `gradient descent, ${epochs} epochs on ${fit.positions} positions` };
  const optimised: OptimisedResult = {
    name: 'optimised',
    trainBpc: await bpcOf(optimisedModel, corpus, trainScored, threads, isa),
    testBpc: testScored ? await bpcOf(optimisedModel, corpus, testScored, threads, isa) : undefined,
    paramsFromData: 256 + 256 * PHI_HIDDEN,
    fittedBy: 'full-batch gradient descent on Wy, by (Wx, Wh, bh constructed)',
    seconds: tFit + tCount,
    flops: 16 * counts.n + fitFlops(fit.positions, epochs),
    epochs, lr: 0.5, positions: fit.positions,
    fitLossFirst: fit.lossBits[0] ?? NaN,
    fitLossLast: fit.lossBits[fit.lossBits.length - 1] ?? NaN,
  };
  opts.onRow?.(optimised, optimisedModel);
  opts.onProgress?.(stages, total);

  const result: ConstructResult = {
    mode,
    corpus: { name: corpus.name, size: corpus.size, sha256: corpus.hash() },
    train, test: split?.test, testFraction: split?.testFraction,
    sampling: mode === 'study'
      ? 'all positions, in-sample: grid over t = 0 … n−2 of the real trajectory, readout over t = 16 … n−3'
      : `grid on ${gridS} and readout on ${fitS} positions sampled uniformly (with replacement, seeds ${seed} and ${seed + 1}) from t ∈ [15, train end − 2]; states rebuilt from the last 16 bytes` +
        (trainScored.length === 64 && trainScored[63][1] < train[1] ? `; each row's train bpc on ${trainScored.reduce((a, [b, e]) => a + e - b, 0)} bytes in 64 evenly spaced streams` : ''),
    counting: { seconds: tCount, bytesPerSecond: counts.n / tCount },
    analytic: analytic.result,
    analyticSignBias: variant?.result,
    optimised,
    models: { analytic: analytic.model, optimised: optimisedModel, analyticSignBias: variant?.model },
  };
  if (mode === 'scale' && opts.trained) {
    // Default budget: the whole construction's fitting wall-clock (counting once, every
    // grid, the readout fit; evaluations excluded).
    const budget = opts.trainSeconds ??
      (analytic.result.seconds + (variant ? variant.result.seconds - tCount : 0) + optimised.seconds - tCount);
    result.trainBudgetSeconds = budget;
    const trainRow = async (init: Model | undefined, stage: number): Promise<{ row: TrainedRowResult; model: Model }> => {
      const r = await trainModel({
        corpus, recipe: 'scale', seconds: budget, seed, threads, isa, testFraction: split!.testFraction, init,
      }, { signal: opts.signal, onProgress: (p) => opts.onProgress?.(stage + Math.min(1, p.seconds / budget), total) });
      const H = r.model.hidden;
      const finished: { row: TrainedRowResult; model: Model } = {
        model: r.model,
        row: {
          name: init ? 'trained from construction' : 'trained',
          trainBpc: await bpcOf(r.model, corpus, trainScored, threads, isa),
          testBpc: await bpcOf(r.model, corpus, testScored!, threads, isa),
          paramsFromData: r.model.paramCount,
          fittedBy: `Adam (scale recipe), ${r.steps} steps, ${r.batch} streams × BPTT-50` + (init ? ', started at the analytic model' : ''),
          seconds: r.seconds,
          // forward + backward ≈ 3 × the forward's 2·(H² + 256·H) per trained position
          flops: 3 * 2 * (H * H + 256 * H) * r.steps * r.batch * 50,
          steps: r.steps,
          init: init ? 'analytic' : 'recipe',
        },
      };
      opts.onRow?.(finished.row, finished.model);
      return finished;
    };
    try {
      const a = await trainRow(undefined, stages);
      const b = await trainRow(analytic.model, stages + 1);
      result.trained = a.row;
      result.trainedFromConstruction = b.row;
      result.models.trained = a.model;
      result.models.trainedFromConstruction = b.model;
      const rows: PhiRowResult[] = [analytic.result, optimised, ...(variant ? [variant.result] : [])];
      const beaten = rows.filter((r) => (r.testBpc ?? Infinity) < a.row.testBpc!);
      result.claim = beaten.length === rows.length
        ? `holds: every construction's test bpc is below training's ${a.row.testBpc!.toFixed(3)} (same wall-clock, ${budget.toFixed(1)} s)`
        : `does not hold: training (${a.row.testBpc!.toFixed(3)} test bpc in ${budget.toFixed(1)} s) beats ` +
          rows.filter((r) => !beaten.includes(r)).map((r) => `${r.name} (${r.testBpc!.toFixed(3)})`).join(', ');
    } catch (e) {
      if ((e as { code?: string }).code === ErrorCodes.ABORTED) throw e;
      result.trained = null;
      result.trainedFromConstruction = null;
      result.trainedReason = `the training engine failed: ${(e as Error).message}`;
    }
  }
  if (mode === 'study') {
    const a = analytic.result.trainBpc.toFixed(2) === PHI_STUDY_FIGURES.analytic.toFixed(2);
    const o = optimised.trainBpc.toFixed(2) === PHI_STUDY_FIGURES.optimised.toFixed(2);
    result.study = {
      ...PHI_STUDY_FIGURES,
      reproduced: { analytic: a, optimised: o },
      verdict: `analytic ${analytic.result.trainBpc.toFixed(2)} vs the study's ${PHI_STUDY_FIGURES.analytic}: ${a ? 'reproduced' : 'not reproduced'}; ` +
        `optimised ${optimised.trainBpc.toFixed(2)} vs the study's ${PHI_STUDY_FIGURES.optimised}: ${o ? 'reproduced' : 'not reproduced'}`,
    };
  }
  return result;
}

/** The JSON form of a result (what `bi-embed construct --json` prints): everything but the models. */
export function constructResultJson(r: ConstructResult): Omit<ConstructResult, 'models'> {
  const { models, ...rest } = r;
  void models;
  return rest;
}
