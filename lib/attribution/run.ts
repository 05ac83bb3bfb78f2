/**
 * attribute: temporal attribution on one model and corpus — how much the byte x_{t+1−d} contributes
 * to −log2 p_t(x_{t+1}) (counterfactual and Jacobian α(t, d)), aligned with the data's PMI_d.
 *  - study: PMI, trajectory and attribution in-sample on the whole corpus; the counterfactual at
 *    the study's positions {42, 80, 100, 150, 200, 300, 400, 500}.
 *  - scale: PMI from the train split's counts; the Jacobian on the first `positions` positions
 *    of the test split; the counterfactual on `samples` positions drawn (seeded) from the whole
 *    test split (samples.ts), correlated with the Jacobian where both exist.
 * Alignment is reported per d and pooled over the shallow (d ≤ 4) and deep (d > 15) offsets.
 */
import { Corpus, DEFAULT_TEST_FRACTION } from '../corpus';
import { checkModelCorpus } from '../evaluate';
import { JobOptions } from '../jobs';
import { Model } from '../model';
import { pearson } from '../psi/hebbian';
import { captureTrajectory } from '../trajectory';
import { checkOptions, checkPositiveInt } from '../validate';
import { AnalysisMode, analysisRange, staged } from '../boolean/run';
import { COUNTERFACTUAL_OFFSETS, CounterfactualReport, STUDY_POSITIONS, counterfactualAttribution } from './counterfactual';
import { JacobianCurvePoint, jacobianAttribution } from './jacobian';
import { sampleCounterfactualPositions, windowedCounterfactual } from './samples';
import { PMI_THRESHOLD, PmiTables, alignedMask, checkMaxOffset, pmiSummary, pmiTables } from './pmi';

export const DEFAULT_ATTRIBUTION_POSITIONS = 1 << 18;
export const DEFAULT_COUNTERFACTUAL_SAMPLES = 1024;
export const SHALLOW_MAX = 4;
export const DEEP_MIN = 16;

export interface AttributeOptions extends JobOptions {
  mode?: AnalysisMode;
  testFraction?: number;
  /** Jacobian offsets d = 1 … maxOffset (default 32). */
  maxOffset?: number;
  /** Scale mode: positions of the Jacobian sweep (default 2^18). */
  positions?: number;
  /** Scale mode: counterfactual positions drawn from the whole test split (default 1024). */
  samples?: number;
  seed?: number;
  threads?: number;
  isa?: string;
  maxBytes?: number;
}

/** Alignment pooled over a set of offsets: Σ aligned |α| / Σ |α|, and the range of the per-d values. */
export interface PooledAlignment {
  offsets: [number, number];
  alignment: number | null;
  min: number | null;
  max: number | null;
}

export interface CounterfactualSummary extends CounterfactualReport {
  curve: Array<{ d: number; positions: number; meanAbs: number | null; alignment: number | null }>;
  shallow: PooledAlignment;
  deep: PooledAlignment;
}

export const STUDY_ATTRIBUTION_FIGURES = {
  shallow: { offsets: [1, 3], alignment: 0.88 },
  deep: { offsets: [15, null], alignment: [0.24, 0.37] },
  note: 'the study prints these without its positions set or PMI counts; not among the figures that must reproduce',
} as const;

export interface AttributionResult {
  mode: AnalysisMode;
  hidden: number;
  corpus: { name: string; size: number };
  split: { pmi: [number, number]; attribution: [number, number] };
  pmi: { threshold: number; perOffset: Array<{ d: number; pairs: number; aligned: number }> };
  jacobian: { positions: number; maxOffset: number; curve: JacobianCurvePoint[]; shallow: PooledAlignment; deep: PooledAlignment; seconds: number };
  counterfactual: CounterfactualSummary;
  /** Pearson r of counterfactual and Jacobian α over the (t, d) where both exist. */
  correlation: { r: number | null; pairs: number; signAgreement: number | null };
  study?: typeof STUDY_ATTRIBUTION_FIGURES;
  seconds: number;
}

function pooled(points: Array<{ d: number; alignedAbs: number; abs: number; alignment: number | null }>, lo: number, hi: number): PooledAlignment {
  const sel = points.filter((p) => p.d >= lo && p.d <= hi && p.alignment !== null);
  const abs = sel.reduce((s, p) => s + p.abs, 0);
  const vals = sel.map((p) => p.alignment as number);
  return {
    offsets: [lo, hi], alignment: abs > 0 ? sel.reduce((s, p) => s + p.alignedAbs, 0) / abs : null,
    min: vals.length ? Math.min(...vals) : null, max: vals.length ? Math.max(...vals) : null,
  };
}

/** The counterfactual's curve and alignment from its α and the PMI mask (positions × d values). */
function summariseCounterfactual(cf: CounterfactualReport, corpus: Corpus, pmi: PmiTables, mask: Uint8Array): CounterfactualSummary {
  const points = [];
  for (let d = 1; d <= cf.maxOffset; d++) {
    let n = 0, abs = 0, alignedAbs = 0;
    cf.positions.forEach((t, i) => {
      const a = cf.alpha[i][d - 1];
      if (a === null) return;
      n++;
      abs += Math.abs(a);
      if (d <= pmi.maxOffset && mask[(d - 1) * 65536 + corpus.bytes[t + 1 - d] * 256 + corpus.bytes[t + 1]]) alignedAbs += Math.abs(a);
    });
    points.push({ d, positions: n, meanAbs: n ? abs / n : null, alignment: abs > 0 && d <= pmi.maxOffset ? alignedAbs / abs : null, abs, alignedAbs });
  }
  return {
    ...cf, curve: points.map(({ d, positions, meanAbs, alignment }) => ({ d, positions, meanAbs, alignment })),
    shallow: pooled(points, 1, SHALLOW_MAX), deep: pooled(points, DEEP_MIN, cf.maxOffset),
  };
}

export async function attribute(model: Model, corpus: Corpus, options?: AttributeOptions): Promise<AttributionResult> {
  checkModelCorpus(model, corpus);
  const opts = checkOptions('attribute', options);
  const mode = opts.mode ?? 'study';
  const maxOffset = checkMaxOffset(opts.maxOffset, 32);
  const { range } = analysisRange(corpus, mode, opts.testFraction);
  const t0 = process.hrtime.bigint();
  const job = staged(opts, 4);
  let trajRange: [number, number], pmiRange: [number, number], cfPositions: number[];
  if (mode === 'study') {
    trajRange = range;
    pmiRange = range;
    cfPositions = STUDY_POSITIONS.filter((t) => t + 1 < corpus.size);
  } else {
    const positions = checkPositiveInt('positions', opts.positions ?? DEFAULT_ATTRIBUTION_POSITIONS);
    trajRange = [range[0], Math.min(range[1], range[0] + positions + 1)];
    pmiRange = corpus.split(opts.testFraction ?? DEFAULT_TEST_FRACTION).train;
    const samples = checkPositiveInt('samples', opts.samples ?? DEFAULT_COUNTERFACTUAL_SAMPLES);
    cfPositions = sampleCounterfactualPositions(range, samples, opts.seed ?? 1);
  }
  const common = { threads: opts.threads, isa: opts.isa };
  const pmi = await pmiTables(corpus, { range: pmiRange, maxOffset, ...job() });
  const mask = alignedMask(pmi);
  const trajectory = await captureTrajectory(model, corpus, { range: trajRange, capture: ['hidden'], maxBytes: opts.maxBytes, isa: opts.isa, ...job() });
  const rows = { trajectory, begin: trajRange[0], end: trajRange[1] - 1 };
  const jac = await jacobianAttribution(model, corpus, rows, { maxOffset, aligned: mask, keepAlpha: true, ...common, ...job() });
  const cfOffsets = Math.min(COUNTERFACTUAL_OFFSETS, maxOffset);
  const cf = mode === 'study'
    ? await counterfactualAttribution(model, corpus, trajectory, cfPositions, { maxOffset: cfOffsets, ...common, ...job() })
    : await windowedCounterfactual(model, corpus, trajectory, cfPositions, { maxOffset: cfOffsets, rangeBegin: range[0], ...common, ...job() });

  // Pairs (t, d) where both attributions exist.
  const a: number[] = [], b: number[] = [];
  cf.positions.forEach((t, i) => cf.alpha[i].forEach((v, k) => {
    if (t >= rows.end) return;  // beyond the Jacobian's positions (scale mode samples the whole test split)
    const j = jac.alpha![(t - rows.begin) * maxOffset + k];
    if (v !== null && !Number.isNaN(j)) { a.push(v); b.push(j); }
  }));
  const idx = a.map((_, i) => i);
  const agree = idx.filter((i) => a[i] * b[i] > 0).length;
  return {
    mode, hidden: model.hidden, corpus: { name: corpus.name, size: corpus.size },
    split: { pmi: pmiRange, attribution: [rows.begin, rows.end] },
    pmi: { threshold: PMI_THRESHOLD, perOffset: pmiSummary(pmi) },
    jacobian: {
      positions: jac.positions, maxOffset, curve: jac.curve, shallow: pooled(jac.curve, 1, SHALLOW_MAX),
      deep: pooled(jac.curve, DEEP_MIN, maxOffset), seconds: jac.seconds,
    },
    counterfactual: summariseCounterfactual(cf, corpus, pmi, mask),
    correlation: { r: pearson(a, b, idx), pairs: a.length, signAgreement: a.length ? agree / a.length : null },
    study: mode === 'study' ? STUDY_ATTRIBUTION_FIGURES : undefined,
    seconds: Number(process.hrtime.bigint() - t0) / 1e9,
  };
}
