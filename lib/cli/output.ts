/** How the CLI talks: JSON on stdout with --json, text otherwise, coded errors on stderr (progress: ./progress.ts, Ctrl-C: ./interrupt.ts). */
import { isBiEmbedError } from '../errors';

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

