/**
 * Scale mode's counterfactual positions: drawn from the whole attribution range (the test split),
 * not only from the part the Jacobian's trajectory covers. A position inside that trajectory is
 * rerun from its stored states (so the two attributions compare like with like); the others are
 * grouped and each group runs its own trajectory from h = 0, `COUNTERFACTUAL_WARMUP` bytes before
 * its first position (the state a byte d ≤ 20 back sees has then forgotten the zero start).
 */
import { Corpus } from '../corpus';
import { JobOptions } from '../jobs';
import { Model } from '../model';
import { mulberry32 } from '../random';
import { Trajectory, captureTrajectory } from '../trajectory';
import { COUNTERFACTUAL_OFFSETS, CounterfactualReport, counterfactualAttribution } from './counterfactual';

/** Bytes a window's trajectory runs from h = 0 before its first counterfactual position. */
export const COUNTERFACTUAL_WARMUP = 1024;
/** Positions at most this far apart share one window trajectory. */
const WINDOW_GAP = 4096;

/**
 * `samples` distinct positions t drawn uniformly (mulberry32(seed), with replacement, duplicates
 * dropped) from [begin + 20, end − 1), so that every offset d ≤ 20 has its byte in the range and
 * x_{t+1} exists; sorted.
 */
export function sampleCounterfactualPositions(range: [number, number], samples: number, seed: number): number[] {
  const rnd = mulberry32(seed);
  const lo = range[0] + COUNTERFACTUAL_OFFSETS, span = range[1] - 1 - lo;
  const set = new Set<number>();
  for (let i = 0; i < samples && span > 0; i++) set.add(lo + Math.floor(rnd() * span));
  return [...set].sort((a, b) => a - b);
}

export interface WindowedCounterfactualOptions extends JobOptions {
  maxOffset: number;
  /** The start of the range a window may not precede (the test split's first byte). */
  rangeBegin: number;
  threads?: number;
  isa?: string;
}

/**
 * The counterfactual at sorted `positions`: those inside `trajectory` (t + 1 < its end) from its
 * rows, the rest in windows (see the file's comment). One report, positions in order.
 */
export async function windowedCounterfactual(model: Model, corpus: Corpus, trajectory: Trajectory, positions: number[],
  opts: WindowedCounterfactualOptions): Promise<CounterfactualReport> {
  const common = { maxOffset: opts.maxOffset, threads: opts.threads, isa: opts.isa, signal: opts.signal };
  const inside = positions.filter((t) => t >= trajectory.begin + COUNTERFACTUAL_OFFSETS && t + 1 < trajectory.end);
  const isInside = new Set(inside);
  const outside = positions.filter((t) => !isInside.has(t));
  const groups: number[][] = [];
  for (const t of outside) {
    const g = groups[groups.length - 1];
    if (g && t - g[g.length - 1] <= WINDOW_GAP) g.push(t);
    else groups.push([t]);
  }
  const parts: CounterfactualReport[] = [];
  const total = groups.length + (inside.length ? 1 : 0);
  const progress = (done: number) => opts.onProgress?.(done, total);
  if (inside.length) {
    parts.push(await counterfactualAttribution(model, corpus, trajectory, inside, common));
    progress(1);
  }
  for (const g of groups) {
    const from = Math.max(opts.rangeBegin, g[0] - COUNTERFACTUAL_WARMUP);
    const window = await captureTrajectory(model, corpus, { range: [from, g[g.length - 1] + 1], capture: ['hidden'], isa: opts.isa, signal: opts.signal });
    parts.push(await counterfactualAttribution(model, corpus, window, g, common));
    progress(parts.length);
  }
  const merged: CounterfactualReport = { positions: [], maxOffset: opts.maxOffset, alpha: [], bits: [] };
  for (const p of parts) {  // inside positions precede the others (the trajectory starts the range)
    merged.positions.push(...p.positions);
    merged.alpha.push(...p.alpha);
    merged.bits.push(...p.bits);
  }
  return merged;
}
