/** Validation of skip-gram options: one message format, coded errors. */
import { ErrorCodes, fail } from '../errors';

/** A context packs into 8 bytes: at most 8 offsets. */
export const MAX_ORDER = 8;
export const MAX_OFFSET = 1 << 20;
/** Greedy candidates d ∈ 1 … 30 (the study's). */
export const DEFAULT_MAX_OFFSET = 30;
/** Table memory bound of one job. */
export const DEFAULT_MAX_BYTES = 8 * 2 ** 30;

export type Smoothing = 'kneser-ney' | 'witten-bell';
/** Modified Kneser–Ney is the default (docs/skipgram.md). */
export const DEFAULT_SMOOTHING: Smoothing = 'kneser-ney';

export function checkOffsets(offsets: unknown, name = 'offsets'): number[] {
  if (!Array.isArray(offsets)) fail(ErrorCodes.OPTION, `${name} must be an array of integers`);
  if (offsets.length > MAX_ORDER) fail(ErrorCodes.OPTION, `${name} holds at most ${MAX_ORDER} offsets, got ${offsets.length}`);
  const seen = new Set<number>();
  for (const d of offsets) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 1 || d > MAX_OFFSET) {
      fail(ErrorCodes.OPTION, `${name} must be integers in 1…${MAX_OFFSET}, got ${String(d)}`);
    }
    if (seen.has(d)) fail(ErrorCodes.OPTION, `${name}: offset ${d} appears twice`);
    seen.add(d);
  }
  return offsets as number[];
}

export function checkOrder(order: unknown, min: number): number {
  if (typeof order !== 'number' || !Number.isInteger(order) || order < min || order > MAX_ORDER) {
    fail(ErrorCodes.OPTION, `greedy order must be an integer in ${min}…${MAX_ORDER}, got ${String(order)}`);
  }
  return order;
}

export function checkMaxOffset(v: unknown, order: number): number {
  const m = v ?? DEFAULT_MAX_OFFSET;
  if (typeof m !== 'number' || !Number.isInteger(m) || m < Math.max(1, order) || m > MAX_OFFSET) {
    fail(ErrorCodes.OPTION, `maxOffset must be an integer in ${Math.max(1, order)}…${MAX_OFFSET}, got ${String(m)}`);
  }
  return m;
}

export function checkSmoothing(v: unknown): Smoothing {
  if (v === undefined) return DEFAULT_SMOOTHING;
  if (v !== 'kneser-ney' && v !== 'witten-bell') fail(ErrorCodes.OPTION, `smoothing must be kneser-ney or witten-bell, got ${String(v)}`);
  return v;
}

export function checkMaxBytes(v: unknown): number {
  if (v === undefined) return DEFAULT_MAX_BYTES;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 4096) fail(ErrorCodes.OPTION, `maxBytes must be an integer ≥ 4096, got ${String(v)}`);
  return v;
}

export function checkFraction(name: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !(v > 0 && v < 1)) fail(ErrorCodes.OPTION, `${name} must be in (0, 1), got ${String(v)}`);
  return v;
}

/** NaN (not a candidate) → null, for JSON. */
export function nanToNull(a: ArrayLike<number>): Array<number | null> {
  return Array.from(a, (v) => (Number.isNaN(v) ? null : v));
}
