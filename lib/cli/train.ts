/** `bi-embed train`: the study and scale recipes (SPEC §1), progress, Ctrl-C → checkpoint. */
import * as os from 'node:os';
import { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { ErrorCodes, fail, isBiEmbedError } from '../errors';
import { TrainOptions, TrainProgress, train } from '../train';
import { Recipe } from '../train/recipes';
import { corpusOption, epochsOption, isaOption, jsonOption, numberFlag, seedOption, testFractionOption, threadsOption } from './options';
import { printJson, reportError } from './output';

interface TrainFlags {
  corpus?: string;
  recipe: string;
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
}

/** An optional numeric flag (range checks are train()'s). */
function num(name: string, v: string | undefined, integer: boolean): number | undefined {
  return v === undefined ? undefined : numberFlag(name, v, { integer });
}

/** 130 for SIGINT, 143 for SIGTERM: 128 + the signal's number, as shells report it. */
function signalExitCode(sig: NodeJS.Signals): number {
  return 128 + (os.constants.signals[sig] ?? 2);
}

function fmt(n: number | null | undefined, digits: number): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(digits);
}

function progressLine(enabled: boolean): { update: (p: TrainProgress) => void; stop: () => void } {
  if (!enabled || !process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar({
    format: 'train [{bar}] {step} steps | {rate} bytes/s | loss {loss} | {bpcLabel} {bpc} | ETA {etaText}',
    stream: process.stderr, hideCursor: true,
  });
  let started = false;
  return {
    update: (p) => {
      const total = p.totalSteps ?? Math.max(1, p.step);
      const payload = {
        step: p.step, rate: `${(p.bytesPerSecond / 1e3).toFixed(0)}k`, loss: fmt(p.trainLoss, 3),
        bpcLabel: p.testBpc !== null ? 'test bpc' : 'best bpc', bpc: fmt(p.testBpc ?? p.bestBpc, 4),
        etaText: p.eta === null ? '?' : `${Math.round(p.eta)}s`,
      };
      if (!started) { bar.start(total, p.step, payload); started = true; }
      bar.setTotal(total);
      bar.update(p.step, payload);
    },
    stop: () => { if (started) bar.stop(); },
  };
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train a sat-rnn (SPEC §1): --recipe study (the study\'s SGD on its 1 KB) or scale (B streams, Adam, test split)')
    .addOption(corpusOption())
    .option('--recipe <name>', 'study | scale', 'scale')
    .option('--hidden <n>', 'hidden size H', '128')
    .option('--batch <n>', 'parallel streams B (study: 1, scale: 64)')
    .addOption(threadsOption('worker threads (results are bitwise reproducible for a fixed count)', '1'))
    .option('--window <n>', 'BPTT window T', '50')
    .addOption(epochsOption('epochs (study default 4000; scale: passes over the train split, default 1)'))
    .option('--steps <n>', 'total optimiser steps instead of epochs')
    .option('--seconds <s>', 'wall-clock budget for this run')
    .option('--lr <x>', 'learning rate (study: cosine peak 0.01; scale: Adam peak 5e-3)')
    .option('--schedule <name>', 'scale: warmup-cosine (warm-up, constant, then a cosine to 0 at the end of the budget) | constant')
    .option('--warmup <n>', 'scale: warm-up steps (default 100, at most a tenth of --steps/--epochs)')
    .option('--decay <f>', 'scale: share of the budget after the warm-up over which the cosine decays (default 0.2)')
    .option('--init <scheme>', 'initialisation: study | pytorch | orthogonal (default: study for the study recipe, pytorch for scale)')
    .option('--clip <x>', 'global gradient-norm clip (default 5; 0 = none)')
    .addOption(seedOption('initialisation seed (mulberry32)'))
    .addOption(testFractionOption('scale: held-out share at the end of the corpus', '0.1'))
    .option('--eval-every <n>', 'scale: test-sample evaluation every n steps (default: about 1 % of the training time; 512 at batch 64)')
    .option('--test-bytes <n>', 'scale: bytes of the fixed test sample evaluated periodically (default 32768; 0 = the whole test split); the final test bpc is on the whole split')
    .option('--out <file>', 'model file (.safetensors): study keeps the best model, scale the last', 'model.safetensors')
    .option('--checkpoint <file>', 'checkpoint file (default: <out>.ckpt.safetensors)')
    .option('--checkpoint-every <n>', 'checkpoint every n steps (default: every 60 s)')
    .option('--max-mb <n>', 'refuse a run whose estimated memory exceeds this many MiB (default 2048)')
    .option('--resume', 'continue from the checkpoint (same corpus, recipe, batch, threads, isa, seed)')
    .addOption(isaOption())
    .addOption(jsonOption('print one JSON object at the end'))
    .action(async (flags: TrainFlags, cmd: Command) => {
      if (!flags.corpus) fail(ErrorCodes.OPTION, 'train needs --corpus FILE');
      const recipe = flags.recipe as Recipe;
      const opts: TrainOptions = {
        corpus: flags.corpus, recipe,
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
      // SIGINT (Ctrl-C) and SIGTERM (kill, timeout, containers) both stop at the next poll and save;
      // a second signal exits at once (the atomic writes leave either the old files or the new, and
      // the save itself is synchronous, so a signal cannot cut it).
      const controller = new AbortController();
      const bar = progressLine(!flags.json);
      let signalled: NodeJS.Signals | undefined;
      const onSignal = (sig: NodeJS.Signals): void => {
        if (signalled) {
          bar.stop();
          process.stderr.write(`\nbi-embed: ${sig} again: exiting now\n`);
          process.exit(signalExitCode(sig));
        }
        signalled = sig;
        controller.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      let r;
      try {
        r = await train(opts, { signal: controller.signal, onProgress: bar.update });
      } catch (e) {
        bar.stop();
        if (isBiEmbedError(e) && e.code === ErrorCodes.ABORTED) {
          // Ctrl-C or SIGTERM: the checkpoint and model are saved; exit 128 + signal like any interrupted tool.
          process.stderr.write(`bi-embed: ${e.message}\n`);
          process.exitCode = signalExitCode(signalled ?? 'SIGINT');
          return;
        }
        reportError(e);
        return;
      }
      // On success only: after a stop, a second signal still exits at once (with its own status).
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      bar.stop();
      const out = {
        recipe: r.recipe, corpus: flags.corpus, hidden: r.hidden, batch: r.batch, threads: r.threads, isa: r.isa,
        trainBpc: r.trainBpc, testBpc: r.testBpc, bytesPerSecond: r.bytesPerSecond, steps: r.steps, epochs: r.epochs,
        bestStep: r.bestStep, seconds: r.seconds, stopped: r.stopped, out: r.out, checkpoint: r.checkpoint,
        testCurve: r.testCurve,
      };
      if (flags.json) return printJson(out);
      process.stdout.write(
        `${r.recipe}: ${r.steps} steps (${r.epochs.toFixed(2)} epochs) in ${r.seconds.toFixed(1)} s, ` +
          `${(r.bytesPerSecond / 1e3).toFixed(0)}k bytes/s (${r.isa}, batch ${r.batch}, ${r.threads} thread${r.threads > 1 ? 's' : ''})\n` +
          `train bpc ${fmt(r.trainBpc, 4)}${r.recipe === 'study' ? ' (best epoch, whole corpus)' : ' (training loss, last 100 steps)'}` +
          (r.testBpc !== null ? `, test bpc ${fmt(r.testBpc, 4)}` : '') + '\n' +
          (r.out ? `model: ${r.out}\n` : '') + (r.checkpoint ? `checkpoint: ${r.checkpoint}\n` : ''),
      );
    });
}
