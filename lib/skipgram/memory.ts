/**
 * The memory of a scale-mode skip-gram run, estimated before its work (as training and
 * captureTrajectory do), so a run whose tables cannot fit in `maxBytes` is refused at once with
 * E_MEMORY_LIMIT instead of failing after minutes of counting (docs/skipgram.md, "Memory").
 */
import { Corpus } from '../corpus';
import { ErrorCodes, fail } from '../errors';
import { heldOutBpc } from './lm';
import { Smoothing } from './options';

/** Bytes of train the probe counts (its end). */
export const PROBE_BYTES = 1 << 20;
const PROBE_MAX_BYTES = 512 * 2 ** 20;
/**
 * A generous upper bound of a held-out model's memory per counted position and offset: each
 * level holds at most one pair and one context per position, 16-byte slots at a load ≥ 3/8
 * (linear probing to 3/4, then doubling). A run below it for its largest count is not probed.
 */
const UPPER_BYTES_PER_POSITION_AND_OFFSET = 96;
/** count_trie sorts (16 B per position beside the trie) when 40 B per position and 64 MiB fit in its bound. */
const SORT_BYTES_PER_POSITION = 16;
function sorts(positions: number, bound: number): boolean {
  return positions * 40 + 64 * 2 ** 20 <= bound;
}

/** One count of the run: `offsets` offsets over `positions` positions, within `bound` bytes. */
export interface PlannedCount {
  what: string;
  offsets: number;
  positions: number;
  bound: number;
}

export interface MemoryEstimate {
  /** Table bytes per counted position at the probe (null: not probed, every count fits its upper bound). */
  probeBytesPerPosition: number | null;
  /** The largest estimated need among the counts, and its count. */
  bytes: number;
  count: PlannedCount | null;
}

export interface ProbeOptions {
  /** Offsets of the probe's model (contiguous 1 … order). */
  order: number;
  /** The count range: the probe counts its last PROBE_BYTES. */
  train: [number, number];
  /** Scored range (its first 4096 bytes are scored). */
  test: [number, number];
  smoothing?: Smoothing;
  maxBytes: number;
  signal?: AbortSignal;
}

/** Table bytes per position of a held-out model of contiguous offsets 1 … order on the last PROBE_BYTES of `train`. */
export async function probeBytesPerPosition(corpus: Corpus, probe: ProbeOptions): Promise<{ perPosition: number; positions: number }> {
  const train: [number, number] = [Math.max(probe.train[0], probe.train[1] - PROBE_BYTES), probe.train[1]];
  const test: [number, number] = [probe.test[0], Math.min(probe.test[1], probe.test[0] + 4096)];
  const offsets = Array.from({ length: probe.order }, (_, i) => i + 1);
  // The probe's own bound: enough for its tables whatever the run's bound (a bound below them is what it reports).
  const maxBytes = Math.max(probe.maxBytes, PROBE_MAX_BYTES);
  const r = await heldOutBpc(corpus, offsets, { train, test, smoothing: probe.smoothing, maxBytes, signal: probe.signal });
  return { perPosition: r.bytes / Math.max(1, r.trainPositions), positions: r.trainPositions };
}

/**
 * Measures a held-out model of `order` contiguous offsets on the last PROBE_BYTES of `train`
 * and extrapolates its bytes per position to every planned count (plus the sort buffers where
 * the count sorts). Tables per position shrink as a count grows (lower levels saturate: 38 B at
 * 1 MiB, 22 B at 4 MiB on mixed-100m), so the estimate errs high for counts much larger than
 * the probe. Fails with E_MEMORY_LIMIT naming the count and `maxBytes` when one does not fit.
 */
export async function checkSkipgramMemory(corpus: Corpus, counts: PlannedCount[],
  probe: ProbeOptions): Promise<MemoryEstimate> {
  const upper = (c: PlannedCount): number => c.positions * UPPER_BYTES_PER_POSITION_AND_OFFSET * c.offsets;
  if (counts.every((c) => upper(c) <= c.bound)) return { probeBytesPerPosition: null, bytes: Math.max(0, ...counts.map(upper)), count: null };
  const { perPosition, positions } = await probeBytesPerPosition(corpus, probe);
  let worst: MemoryEstimate = { probeBytesPerPosition: perPosition, bytes: 0, count: null };
  for (const c of counts) {
    const bytes = c.positions * (perPosition + (sorts(c.positions, c.bound) ? SORT_BYTES_PER_POSITION : 0));
    if (bytes > c.bound) {
      fail(ErrorCodes.MEMORY_LIMIT, `skip-gram tables for ${c.what} (${c.offsets} offsets over ${c.positions} positions) need about ` +
        `${mib(bytes)} MiB (${perPosition.toFixed(0)} B per position measured on ${positions} positions), over ` +
        `${c.bound === probe.maxBytes ? '' : `their share ${mib(c.bound)} MiB of `}maxBytes = ${mib(probe.maxBytes)} MiB; raise maxBytes` +
        `${c.bound === probe.maxBytes ? '' : ', use fewer threads'} or count fewer bytes`);
    }
    if (bytes > worst.bytes) worst = { ...worst, bytes, count: c };
  }
  return worst;
}

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(0);
}
