/**
 * Strict options: every public function names the keys it accepts, and a key it does not
 * know is an E_OPTION error with the nearest known key, instead of being silently ignored
 * (`evaluate(m, c, { rnages })` would otherwise score the whole corpus).
 */
import { ErrorCodes, fail } from './errors';

/** Keys every long call takes (lib/jobs.ts). */
export const JOB_OPTION_KEYS = ['signal', 'onProgress'] as const;

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

/** The known key closest to `key`, when it is close enough to be a typo. */
export function didYouMean(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestD) { bestD = d; best = k; }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

/**
 * Checks that `opts` is an object (or undefined) whose own keys are all in `known`.
 * `fn` names the function in the message. Keys whose value is undefined count as unset.
 */
export function checkOptionKeys(fn: string, opts: unknown, known: readonly string[]): void {
  if (opts === undefined) return;
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    fail(ErrorCodes.OPTION, `${fn}: options must be an object, got ${opts === null ? 'null' : Array.isArray(opts) ? 'an array' : typeof opts}`);
  }
  for (const key of Object.keys(opts)) {
    if (known.includes(key) || (opts as Record<string, unknown>)[key] === undefined) continue;
    const guess = didYouMean(key, known);
    fail(ErrorCodes.OPTION, `${fn}: unknown option '${key}'${guess ? ` (did you mean '${guess}'?)` : ''}; known: ${[...known].sort().join(', ')}`);
  }
}
