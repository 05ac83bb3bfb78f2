/** `bi-embed fetch study|enwik8`: the study's public files or enwik8 into the per-user cache. */
import { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { ErrorCodes, fail } from '../errors';
import { cacheDir } from '../fetch/cache-dir';
import { fetchEnwik8, fetchStudy, FetchedFile } from '../fetch/fetch';
import { jsonOption } from './options';
import { printJson } from './output';

export function registerFetch(program: Command): void {
  program
    .command('fetch')
    .argument('<what>', 'study (the study\'s enwik_1024.txt and sat_model.bin) or enwik8 (100 MB of Wikipedia, the Hutter Prize text)')
    .description(`download into the per-user cache (${cacheDir()}; $BI_EMBED_CACHE overrides), resumable, verified`)
    .addOption(jsonOption())
    .action(async (what: string, flags: { json?: boolean }) => {
      if (what !== 'study' && what !== 'enwik8') fail(ErrorCodes.OPTION, `fetch takes study or enwik8, got '${what}'`);
      const bar = byteBar(!flags.json);
      const files: FetchedFile[] = await (what === 'study'
        ? fetchStudy({ onProgress: bar.update })
        : fetchEnwik8({ onProgress: bar.update }).then((f) => [f])).finally(bar.stop);
      if (flags.json) return printJson({ what, files });
      for (const f of files) {
        process.stdout.write(`${f.downloaded ? 'fetched' : 'already cached'} ${f.path} (${f.bytes} bytes, SHA-256 ${f.sha256})\n`);
      }
      if (what === 'study') process.stdout.write('bi-embed study now uses the study\'s model for its default text.\n');
      else process.stdout.write(`try: bi-embed study --corpus ${files[0].path}\n`);
    });
}

/** A byte progress bar on a terminal, one per file. */
function byteBar(enabled: boolean): { update: (file: string, done: number, total: number | null) => void; stop: () => void } {
  if (!enabled || !process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  let bar: SingleBar | undefined;
  let current = '';
  return {
    update: (file, done, total) => {
      if (file !== current) {
        bar?.stop();
        current = file;
        bar = new SingleBar({ format: `${file} [{bar}] {percentage}% | {value}/{total} bytes | ETA {eta_formatted}`, stream: process.stderr }, Presets.shades_classic);
        bar.start(total ?? done, 0);
      }
      if (total !== null) bar!.setTotal(total);
      bar!.update(done);
    },
    stop: () => bar?.stop(),
  };
}
