/** `bi-embed train`: the study and scale recipes, progress, Ctrl-C → checkpoint. */
import { Command } from 'commander';
import { Corpus, DEFAULT_TEST_FRACTION } from '../corpus';
import { ErrorCodes, fail } from '../errors';
import { TrainOptions, TrainProgress, train } from '../train';
import { RECIPE_DEFAULTS, Recipe } from '../train/recipes';
import { DEFAULT_HIDDEN } from '../model';
import { DEFAULT_TRAIN_THREADS } from '../defaults';
import { baseline, besideOrder0 } from './baseline';
import {
  corpusOption, epochsOption, isaOption, jsonOption, modeOption, numberFlag, resolveMode, seedOption, testFractionOption, threadsOption,
} from './options';
import { interruptible } from './interrupt';
import { printJson } from './output';
import { progressOption, startProgress } from './progress';

interface TrainFlags {
  corpus?: string;
  recipe?: string;
  mode?: string;
  hidden: string;
  batch?: string;
  threads: string;
  window: string;
  epochs?: string;
  steps?: string;
  seconds?: string;
  lr?: string;
  schedule?: string;
  warmup?: string;
  decay?: string;
  init?: string;
  clip?: string;
  seed: string;
  testFraction?: string;
  evalEvery?: string;
  testBytes?: string;
  out: string;
  checkpoint?: string;
  checkpointEvery?: string;
  resume?: boolean;
  maxMb?: string;
  isa?: string;
  json?: boolean;
  progress?: string;
}

/** An optional numeric flag (range checks are train()'s). */
function num(name: string, v: string | undefined, integer: boolean): number | undefined {
  return v === undefined ? undefined : numberFlag(name, v, { integer });
}

function fmt(n: number | null | undefined, digits: number): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(digits);
}

/** Progress of a run: steps, or with --seconds the elapsed time against the budget. */
function trainProgress(flags: TrainFlags, budget: number | undefined): { onProgress: (p: TrainProgress) => void; stop: () => void } {
  const bar = startProgress(flags, 'train', budget !== undefined ? 's' : 'steps');
  const onProgress = (p: TrainProgress): void => {
    const extra = {
      step: p.step, 'bytes/s': `${(p.bytesPerSecond / 1e3).toFixed(0)}k`, loss: fmt(p.trainLoss, 3),
      [p.testBpc !== null ? 'test bpc' : 'best bpc']: fmt(p.testBpc ?? p.bestBpc, 4),
    };
    if (budget !== undefined) bar.update(Math.min(p.seconds, budget), budget, extra);
    else bar.update(p.step, p.totalSteps ?? Math.max(1, p.step), extra);
  };
  return { onProgress, stop: bar.stop };
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train an Elman RNN (h_t = tanh(Wx[:, x_t] + Wh·h_{t−1} + bh), p = softmax(Wy·h_t + by)): --mode study (the study\'s SGD on its 1 KB, in-sample) or scale (B streams, Adam, held-out test split)')
    .addOption(corpusOption())
    .addOption(modeOption('the recipe: study (SGD, cosine rate, one stream, best epoch kept) or scale (B streams, Adam, test split)'))
    .option('--recipe <name>', 'the same as --mode (kept as an alias)')
    .option('--hidden <n>', 'hidden size H', String(DEFAULT_HIDDEN))
    .option('--batch <n>', 'parallel streams B (study: 1, scale: 64)')
    .addOption(threadsOption('worker threads (results are bitwise reproducible for a fixed count)', DEFAULT_TRAIN_THREADS))
    .option('--window <n>', 'BPTT window T (both recipes)', String(RECIPE_DEFAULTS.scale.window))
    .addOption(epochsOption('epochs (study default 4000; scale: passes over the train split, default 1)'))
    .option('--steps <n>', 'total optimiser steps instead of epochs')
    .option('--seconds <s>', 'wall-clock budget for this run')
    .option('--lr <x>', `learning rate (study: cosine peak ${RECIPE_DEFAULTS.study.lr}; scale: Adam peak ${RECIPE_DEFAULTS.scale.lr})`)
    .option('--schedule <name>', 'scale: warmup-cosine (warm-up, constant, then a cosine to 0 at the end of the budget) | constant')
    .option('--warmup <n>', `scale: warm-up steps (default ${RECIPE_DEFAULTS.scale.warmup}, at most a tenth of --steps/--epochs)`)
    .option('--decay <f>', `scale: share of the budget after the warm-up over which the cosine decays (default ${RECIPE_DEFAULTS.scale.decay})`)
    .option('--init <scheme>', 'initialisation: study | pytorch | orthogonal (default: study for the study recipe, pytorch for scale)')
    .option('--clip <x>', `global gradient-norm clip (study ${RECIPE_DEFAULTS.study.clip}, scale ${RECIPE_DEFAULTS.scale.clip}; 0 = none)`)
    .addOption(seedOption('initialisation seed (mulberry32)'))
    .addOption(testFractionOption('scale: held-out share at the end of the corpus'))
    .option('--eval-every <n>', 'scale: test-sample evaluation every n steps (default: about 1 % of the training time; 512 at batch 64)')
    .option('--test-bytes <n>', 'scale: bytes of the fixed test sample evaluated periodically (default 32768; 0 = the whole test split); the final test bpc is on the whole split')
    .option('--out <file>', 'model file (.safetensors): study keeps the best model, scale the last', 'model.safetensors')
    .option('--checkpoint <file>', 'checkpoint file (default: <out>.ckpt.safetensors)')
    .option('--checkpoint-every <n>', 'checkpoint every n steps (default: every 60 s)')
    .option('--max-mb <n>', 'refuse a run whose estimated memory exceeds this many MiB (default 2048)')
    .option('--resume', 'continue from the checkpoint (same corpus, recipe, batch, threads, isa, seed)')
    .addOption(isaOption())
    .addOption(jsonOption('print one JSON object at the end'))
    .addOption(progressOption())
    .action(async (flags: TrainFlags, cmd: Command) => {
      if (!flags.corpus) fail(ErrorCodes.OPTION, 'train needs --corpus FILE');
      if (flags.mode !== undefined && flags.recipe !== undefined && flags.mode !== flags.recipe) {
        fail(ErrorCodes.OPTION, `--mode ${flags.mode} and --recipe ${flags.recipe} disagree (--recipe is an alias of --mode)`);
      }
      const corpus = Corpus.open(flags.corpus);
      const recipe: Recipe = resolveMode(flags.mode ?? flags.recipe, corpus, flags.json);
      const opts: TrainOptions = {
        corpus, recipe,
        hidden: num('--hidden', flags.hidden, true), batch: num('--batch', flags.batch, true),
        threads: num('--threads', flags.threads, true), window: num('--window', flags.window, true),
        epochs: num('--epochs', flags.epochs, true), steps: num('--steps', flags.steps, true),
        seconds: num('--seconds', flags.seconds, false), lr: num('--lr', flags.lr, false),
        clip: num('--clip', flags.clip, false),
        // Only a seed given on the command line: a resumed run keeps its checkpoint's seed.
        seed: cmd.getOptionValueSource('seed') === 'default' ? undefined : num('--seed', flags.seed, true),
        schedule: flags.schedule as TrainOptions['schedule'], warmup: num('--warmup', flags.warmup, true),
        decay: num('--decay', flags.decay, false),
        initScheme: flags.init as TrainOptions['initScheme'],
        testFraction: recipe === 'scale' ? num('--test-fraction', flags.testFraction, false) : undefined,
        evalEvery: num('--eval-every', flags.evalEvery, true), testBytes: num('--test-bytes', flags.testBytes, true),
        out: flags.out, checkpoint: flags.checkpoint, checkpointEvery: num('--checkpoint-every', flags.checkpointEvery, true),
        resume: flags.resume, isa: flags.isa,
        maxBytes: flags.maxMb === undefined ? undefined : num('--max-mb', flags.maxMb, false)! * 2 ** 20,
      };
      // SIGINT (Ctrl-C) and SIGTERM both stop at the next poll and save (lib/cli/interrupt.ts); a
      // second signal exits at once (the atomic writes leave either the old files or the new).
      const bar = trainProgress(flags, opts.seconds);
      const r = await interruptible((signal) => train(opts, { signal, onProgress: bar.onProgress }).finally(bar.stop),
        (e) => e.message, bar.stop);
      if (!r) return;
      // The order-0 entropy of the bytes each bpc is measured on.
      const split = r.recipe === 'scale' ? corpus.split(opts.testFraction ?? DEFAULT_TEST_FRACTION) : undefined;
      const trainBase = await baseline(r.trainBpc, corpus, split ? split.train : [0, corpus.size]);
      // The final test bpc is on the whole test split (the periodic one on a sample).
      const testRange: [number, number] | undefined = split?.test;
      const testBase = r.testBpc !== null && testRange ? await baseline(r.testBpc, corpus, testRange) : undefined;
      const out = {
        recipe: r.recipe, corpus: flags.corpus, hidden: r.hidden, batch: r.batch, threads: r.threads, isa: r.isa,
        trainBpc: r.trainBpc, testBpc: r.testBpc, bytesPerSecond: r.bytesPerSecond, steps: r.steps, epochs: r.epochs,
        bestStep: r.bestStep, seconds: r.seconds, stopped: r.stopped, out: r.out, checkpoint: r.checkpoint,
        testCurve: r.testCurve, trainOrder0: trainBase.order0, testOrder0: testBase?.order0 ?? null, mode: r.recipe,
      };
      if (flags.json) return printJson(out);
      process.stdout.write(
        `${r.recipe}: ${r.steps} steps (${r.epochs.toFixed(2)} epochs) in ${r.seconds.toFixed(1)} s, ` +
          `${(r.bytesPerSecond / 1e3).toFixed(0)}k bytes/s (${r.isa}, batch ${r.batch}, ${r.threads} thread${r.threads > 1 ? 's' : ''})\n` +
          `train bpc ${fmt(r.trainBpc, 4)}${r.recipe === 'study' ? ' (best epoch, whole corpus)' : ' (training loss, last 100 steps)'}` +
          besideOrder0(trainBase, 'training bpc', false) + '\n' +
          (r.testBpc !== null && testBase ? `test bpc ${fmt(r.testBpc, 4)}${besideOrder0(testBase, 'test bpc', false)}\n` : '') +
          (r.out ? `model: ${r.out}\n` : '') + (r.checkpoint ? `checkpoint: ${r.checkpoint}\n` : ''),
      );
    });
}
