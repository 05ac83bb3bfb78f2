/** `bi-embed study`: the whole study in one command (SPEC §8) → DIR/results.json and DIR/report.html. */
import { Command, Option } from 'commander';
import { MultiBar, Presets, SingleBar } from 'cli-progress';
import { ErrorCodes, fail } from '../errors';
import { DEFAULT_STUDY_THREADS, DEFAULT_TRAIN_SECONDS } from '../study/defaults';
import type { StudyEvent } from '../study/runner';
import { checkMode, corpusOption, intFlag, isaOption, jsonOption, modeOption, modelOption, threadsOption } from './options';
import { printJson } from './output';

interface StudyFlags {
  corpus?: string;
  model?: string;
  trainSeconds?: string;
  mode?: string;
  out: string;
  threads: string;
  isa?: string;
  force?: boolean;
  json?: boolean;
}

export function registerStudy(program: Command): void {
  program
    .command('study')
    .description('run the whole study (eval, φ, ψ, skip-k-grams) on a corpus and a model → DIR/results.json and DIR/report.html')
    .addOption(corpusOption('corpus file (default: the study\'s 1 KB text shipped with bi-embed, study mode)'))
    .addOption(modelOption('model file (.bin raw or .safetensors); default: the study\'s sat_model.bin for the default text when found, else one trained here'))
    .addOption(new Option('--train-seconds <s>', `when no --model: the scale recipe's training budget (default ${DEFAULT_TRAIN_SECONDS})`).conflicts('model'))
    .addOption(modeOption('study (the study\'s in-sample definitions) or scale (held-out split); default: study up to 64 KiB'))
    .option('--out <dir>', 'output folder (results.json, report.html, cache/)', 'bi-embed-study')
    .addOption(threadsOption('worker threads', DEFAULT_STUDY_THREADS))
    .addOption(isaOption())
    .option('--force', 'recompute every stage (and retrain), ignoring the cache')
    .addOption(jsonOption('print results.json\'s path, the report\'s path and the figures as one JSON object'))
    .action(async (flags: StudyFlags) => {
      checkMode(flags.mode);
      const trainSeconds = flags.trainSeconds === undefined ? undefined : Number(flags.trainSeconds);
      if (trainSeconds !== undefined && !(trainSeconds > 0 && Number.isFinite(trainSeconds))) {
        fail(ErrorCodes.OPTION, `--train-seconds must be a positive number, got '${flags.trainSeconds}'`);
      }
      // loaded on use: the study pulls in zod and, for the report, vega (slow to load for every command)
      const { runStudy } = await import('../study/runner');
      const display = progressDisplay(!flags.json);
      const controller = new AbortController();
      const onSignal = (): void => controller.abort();
      process.once('SIGINT', onSignal);
      const run = await runStudy({
        corpus: flags.corpus, model: flags.model, trainSeconds, mode: flags.mode, out: flags.out,
        threads: intFlag('--threads', flags.threads), isa: flags.isa, force: flags.force,
        command: ['bi-embed', ...process.argv.slice(2)].join(' '),
        signal: controller.signal, onEvent: display.event,
      }).finally(() => { display.stop(); process.off('SIGINT', onSignal); });
      if (flags.json) return printJson({ results: run.resultsPath, report: run.reportPath, figures: run.results.figures });
      const f = run.results.figures;
      const count = (m: string): number => f.filter((x) => x.mark === m).length;
      process.stdout.write(`model: ${run.results.model.description}\n` +
        `figures against the study: ${count('reproduces')} reproduce, ${count('differs')} differ, ${count('not-reproducible')} not reproducible, ${count('not-comparable')} not comparable\n` +
        `wrote ${run.resultsPath}\nwrote ${run.reportPath}\n`);
    });
}

/**
 * One display across stages: on a terminal a bar per stage ("[2/5] φ …" with its progress,
 * elapsed time and ETA); otherwise one line per finished stage.
 */
function progressDisplay(enabled: boolean): { event: (e: StudyEvent) => void; stop: () => void } {
  if (!enabled) return { event: () => undefined, stop: () => undefined };
  const tty = process.stderr.isTTY === true;
  const multi = tty ? new MultiBar({
    format: '{label} [{bar}] {percentage}% | {duration_formatted} | ETA {eta_formatted}', stream: process.stderr,
    hideCursor: true, clearOnComplete: false, etaBuffer: 20,
  }, Presets.shades_classic) : undefined;
  let bar: SingleBar | undefined;
  let label = '';
  return {
    event: (e) => {
      if (e.type === 'start') {
        label = `[${e.index + 1}/${e.count}] ${e.title}`;
        bar = multi?.create(1, 0, { label });
      } else if (e.type === 'progress') {
        if (bar && e.total > 0) { bar.setTotal(e.total); bar.update(Math.min(e.done, e.total), { label }); }
      } else {
        if (bar) { bar.setTotal(1); bar.update(1, { label: `${label} (${e.status})` }); bar.stop(); }
        if (!tty) process.stderr.write(`${label}: ${e.status === 'cached' ? `cached (computed in ${e.seconds.toFixed(1)} s)` : `${e.status}, ${e.seconds.toFixed(1)} s`}\n`);
        bar = undefined;
      }
    },
    stop: () => multi?.stop(),
  };
}
