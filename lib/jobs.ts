/**
 * Glue between a native job and its caller: an AbortSignal becomes the job's cancel flag
 * (polled in the hot loop), and progress is forwarded to an optional callback.
 */
import { BiEmbedError, ErrorCodes, fail } from './errors';
import { checkOptions, shown } from './validate';

export interface JobOptions {
  /** Cancels the job; the Promise then rejects with code E_ABORTED. */
  signal?: AbortSignal;
  /** Called on the main thread with the work done so far and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** Runs `start(cancelFlag)` with the signal wired to the flag. */
export async function runJob<T>(
  opts: JobOptions,
  start: (cancel: Int32Array, onProgress: JobOptions['onProgress']) => Promise<T>,
): Promise<T> {
  const { signal, onProgress } = checkOptions('job', opts);
  if (signal !== undefined && !(signal instanceof AbortSignal)) fail(ErrorCodes.OPTION, `signal must be an AbortSignal, got ${shown(signal)}`);
  if (onProgress !== undefined && typeof onProgress !== 'function') fail(ErrorCodes.OPTION, `onProgress must be a function, got ${shown(onProgress)}`);
  if (signal?.aborted) throw new BiEmbedError(ErrorCodes.ABORTED, 'aborted before it started');
  // SharedArrayBuffer: the native thread reads the flag while JS writes it.
  const cancel = new Int32Array(new SharedArrayBuffer(4));
  const onAbort = (): void => void Atomics.store(cancel, 0, 1);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await start(cancel, onProgress);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
