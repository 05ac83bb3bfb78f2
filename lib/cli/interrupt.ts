/**
 * Ctrl-C (SIGINT) and SIGTERM (kill, timeout, containers) in a long command: the first signal aborts
 * the running job (it stops at its next check, saves what it can and rejects with E_ABORTED); the
 * command then says what was kept and exits 128 + the signal's number (130, 143), as shells report
 * it. A second signal exits at once, after `beforeExit` (e.g. stopping a progress bar).
 */
import * as os from 'node:os';
import { ErrorCodes, isBiEmbedError } from '../errors';

/** 130 for SIGINT, 143 for SIGTERM. */
export function signalExitCode(sig: NodeJS.Signals): number {
  return 128 + (os.constants.signals[sig] ?? 2);
}

/**
 * Runs `work` with a signal wired to SIGINT and SIGTERM. On interruption prints
 * `bi-embed: interrupted: <kept>` (what was saved, or that nothing was) and returns undefined with
 * the exit code set. The handlers stay installed after an interruption, so a second signal during
 * the wind-down still exits at once.
 */
export async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>, kept: (e: Error) => string,
  beforeExit: () => void = () => undefined): Promise<T | undefined> {
  const controller = new AbortController();
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (signalled) {
      beforeExit();
      process.stderr.write(`\nbi-embed: ${sig} again: exiting now\n`);
      process.exit(signalExitCode(sig));
    }
    signalled = sig;
    // Said before the abort: whoever sent the signal knows it was taken, and that a second one is not lost.
    process.stderr.write(`\nbi-embed: ${sig}: stopping (saving what is done; ${sig} again exits at once)\n`);
    controller.abort();
  };
  const off = (): void => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const r = await work(controller.signal);
    off();
    return r;
  } catch (e) {
    if (isBiEmbedError(e) && e.code === ErrorCodes.ABORTED && signalled) {
      beforeExit();
      process.stderr.write(`\nbi-embed: interrupted: ${kept(e)}\n`);
      process.exitCode = signalExitCode(signalled);
      // One more turn of the event loop: a second signal that arrived during the wind-down is
      // handled (exits at once with its own status) instead of left unread in the signal pipe.
      await new Promise((resolve) => setImmediate(resolve));
      return undefined;
    }
    off();
    throw e;
  }
}
