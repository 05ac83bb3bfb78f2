/** How the CLI talks: JSON on stdout with --json, text otherwise, coded errors on stderr (progress: ./progress.ts). */
import { isBiEmbedError } from '../errors';
import { startProgress } from './progress';

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value) + '\n');
}

/** Prints an error and sets the exit code: 2 for bad input (coded), 1 for anything else. */
export function reportError(e: unknown): void {
  if (isBiEmbedError(e)) {
    process.stderr.write(`bi-embed: ${e.code}: ${e.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`bi-embed: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 1;
  }
}

/**
 * The progress of a command without its own --progress flag: lib/cli/progress.ts in auto mode (a bar on
 * a terminal, timestamped lines otherwise); nothing when `enabled` is false (JSON output).
 */
export function progressBar(enabled: boolean, label: string): { update: (done: number, total: number) => void; stop: () => void } {
  if (!enabled) return { update: () => undefined, stop: () => undefined };
  const p = startProgress({}, label, 'steps');
  return { update: p.onProgress, stop: p.stop };
}
