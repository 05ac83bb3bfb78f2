/** How the CLI talks: JSON on stdout with --json, text otherwise, coded errors on stderr. */
import { SingleBar, Presets } from 'cli-progress';
import { isBiEmbedError } from '../errors';

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value) + '\n');
}

/** A progress bar on stderr when it is a terminal and the output is not JSON. */
export function progressBar(enabled: boolean, label: string): { update: (done: number, total: number) => void; stop: () => void } {
  if (!enabled || !process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar({ format: `${label} [{bar}] {percentage}% | ETA {eta}s`, stream: process.stderr }, Presets.shades_classic);
  let started = false;
  return {
    update: (done, total) => {
      if (!started) { bar.start(total, 0); started = true; }
      bar.setTotal(total);
      bar.update(done);
    },
    stop: () => { if (started) bar.stop(); },
  };
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
