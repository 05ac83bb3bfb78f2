/** `bi-embed study`: the whole study in one command → DIR/results.json and DIR/report.html (docs/study.md). */
import * as path from 'node:path';
import { Command, Option } from 'commander';
import { Corpus } from '../corpus';
import { DEFAULT_TRAIN_SECONDS } from '../study/defaults';
import type { StudyEvent } from '../study/runner';
import { corpusOption, intFlag, isaOption, jsonOption, modeOption, modelOption, numberFlag, resolveMode, threadsOption } from './options';
import { interruptible } from './interrupt';
import { printJson } from './output';
import { CliProgress, progressOption, startProgress } from './progress';

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
  progress?: string;
}

export function registerStudy(program: Command): void {
  program
    .command('study')
    .description('run the whole study (eval, φ, ψ, skip-k-grams, Boolean structure, attribution, sources of error) on a corpus and a model → DIR/results.json and DIR/report.html')
    .addOption(corpusOption('corpus file (default: the study\'s 1 KB text shipped with bi-embed)'))
    .addOption(modelOption('model file (.bin raw or .safetensors); default: the study\'s sat_model.bin for the default text when found, else one trained here'))
    .addOption(new Option('--train-seconds <s>', `when no --model: the scale recipe's training budget (default ${DEFAULT_TRAIN_SECONDS})`).conflicts('model'))
    .addOption(modeOption('study (the study\'s in-sample definitions) or scale (held-out split)'))
    .option('--out <dir>', 'output folder (results.json, report.html, cache/)', 'bi-embed-study')
    .addOption(threadsOption('worker threads'))
    .addOption(isaOption())
    .option('--force', 'recompute every stage (and retrain), ignoring the cache')
    .addOption(jsonOption('print results.json\'s path, the report\'s path and the figures as one JSON object'))
    .addOption(progressOption())
    .action(async (flags: StudyFlags) => {
      const trainSeconds = flags.trainSeconds === undefined ? undefined : numberFlag('--train-seconds', flags.trainSeconds, { positive: true });
      const threads = intFlag('--threads', flags.threads);
      // loaded on use: the study pulls in zod and, for the report, vega (slow to load for every command)
      const { runStudy, EMBEDDED_TEXT } = await import('../study/runner');
      const mode = resolveMode(flags.mode, Corpus.open(flags.corpus ?? EMBEDDED_TEXT), flags.json);
      const display = stageDisplay(flags);
      const run = await interruptible((signal) => runStudy({
        corpus: flags.corpus, model: flags.model, trainSeconds, mode, out: flags.out, threads, isa: flags.isa, force: flags.force,
        command: ['bi-embed', ...process.argv.slice(2)].join(' '), signal, onEvent: display.event,
      }).finally(display.stop), () => display.kept(flags.out), display.stop);
      if (!run) return;
      if (flags.json) return printJson({ results: run.resultsPath, report: run.reportPath, figures: run.results.figures });
      const f = run.results.figures;
      const count = (m: string): number => f.filter((x) => x.mark === m).length;
      process.stdout.write(`model: ${run.results.model.description}\n` +
        `figures against the study: ${count('reproduces')} reproduce, ${count('differs')} differ, ${count('not-reproducible')} not reproducible, ${count('not-comparable')} not comparable\n` +
        `wrote ${run.resultsPath}\nwrote ${run.reportPath}\n`);
    });
}

/**
 * One display across stages (--progress): each stage as "study [2/8] φ: …" with its progress in
 * percent, elapsed time and ETA; a finished stage says whether it was computed or read from the cache.
 * `kept` says on Ctrl-C what was saved and how to resume.
 */
function stageDisplay(flags: StudyFlags): { event: (e: StudyEvent) => void; stop: () => void; kept: (out: string) => string } {
  let current: CliProgress | undefined;
  let title = '';
  const finished: string[] = [];
  const stop = (): void => { current?.stop(); current = undefined; };
  return {
    event: (e) => {
      if (e.type === 'start') {
        stop();
        title = e.title;
        current = startProgress(flags, `study [${e.index + 1}/${e.count}] ${e.title}`, '%');
        current.update(0, 100);
      } else if (e.type === 'progress') {
        if (e.total > 0) current?.update(Math.min(100, (100 * e.done) / e.total), 100);
      } else {
        current?.update(100, 100, { [e.status]: `${e.seconds.toFixed(1)} s` });
        stop();
        finished.push(title);
      }
    },
    stop,
    kept: (out) => {
      const cache = path.join(out, 'cache');
      const stages = finished.length > 0 ? `finished stages saved in ${cache}: ${finished.join(', ')}` : 'no stage had finished';
      const training = !finished.includes('model') ? `; a training run in progress keeps its checkpoint in ${out}` : '';
      return `${stages}${training}. Run the same command again to resume from there (--force recomputes everything).`;
    },
  };
}
