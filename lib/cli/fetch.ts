/** `bi-embed fetch study|enwik8`: the study's public files or enwik8 into the per-user cache. */
import { Command } from 'commander';
import { ErrorCodes, fail } from '../errors';
import { cacheDir } from '../fetch/cache-dir';
import { fetchEnwik8, fetchStudy, FetchedFile } from '../fetch/fetch';
import { interruptible } from './interrupt';
import { jsonOption } from './options';
import { printJson } from './output';
import { CliProgress, progressOption, startProgress } from './progress';

export function registerFetch(program: Command): void {
  program
    .command('fetch')
    .argument('<what>', 'study (the study\'s enwik_1024.txt and sat_model.bin) or enwik8 (100 MB of Wikipedia, the Hutter Prize text)')
    .description(`download into the per-user cache (${cacheDir()}; $BI_EMBED_CACHE overrides), resumable, verified`)
    .addOption(jsonOption())
    .addOption(progressOption())
    .action(async (what: string, flags: { json?: boolean; progress?: string }) => {
      if (what !== 'study' && what !== 'enwik8') fail(ErrorCodes.OPTION, `fetch takes study or enwik8, got '${what}'`);
      const bar = fileProgress(flags);
      const files = await interruptible((signal): Promise<FetchedFile[]> => (what === 'study'
        ? fetchStudy({ onProgress: bar.update, signal })
        : fetchEnwik8({ onProgress: bar.update, signal }).then((f) => [f])).finally(bar.stop), (e) => e.message, bar.stop);
      if (!files) return;
      if (flags.json) return printJson({ what, files });
      for (const f of files) {
        process.stdout.write(`${f.downloaded ? 'fetched' : 'already cached'} ${f.path} (${f.bytes} bytes, SHA-256 ${f.sha256})\n`);
      }
      if (what === 'study') process.stdout.write('bi-embed study now uses the study\'s model for its default text.\n');
      else process.stdout.write(`try: bi-embed study --corpus ${files[0].path}\n`);
    });
}

/** --progress per file: "fetch FILE" in bytes (a total the server did not send shows as the bytes so far). */
function fileProgress(flags: { json?: boolean; progress?: string }): { update: (file: string, done: number, total: number | null) => void; stop: () => void } {
  let current: CliProgress | undefined;
  let name = '';
  const stop = (): void => { current?.stop(); current = undefined; };
  return {
    update: (file, done, total) => {
      if (file !== name) {
        stop();
        name = file;
        current = startProgress(flags, `fetch ${file}`, 'bytes');
      }
      current!.update(done, total ?? done);
    },
    stop,
  };
}
