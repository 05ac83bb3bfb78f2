import { Command } from 'commander';
import { parseRange } from '../corpus';
import { evaluate, splitRange } from '../evaluate';
import { loadModelAndCorpus } from './inputs';
import { corpusOption, intFlag, isaOption, jsonOption, modelOption, studyOption, threadsOption } from './options';
import { interruptible } from './interrupt';
import { baseline, besideOrder0 } from './baseline';
import { printJson } from './output';
import { progressOption, startProgress } from './progress';

interface EvalFlags {
  model?: string;
  corpus?: string;
  study?: boolean;
  range?: string;
  streams: string;
  threads: string;
  isa?: string;
  json?: boolean;
  progress?: string;
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('bits per character of a model on a corpus (one pass from h = 0: mean −log2 p(x_{t+1}), p floored at 1e-30)')
    .addOption(modelOption())
    .addOption(corpusOption())
    .addOption(studyOption())
    .option('--range <A:B>', 'evaluate bytes [A, B) only')
    .option('--streams <n>', 'split the range into n streams evaluated as a batch (each from h = 0)', '1')
    .addOption(threadsOption('worker threads'))
    .addOption(isaOption())
    .addOption(jsonOption())
    .addOption(progressOption())
    .action(async (flags: EvalFlags) => {
      const { model, corpus, modelPath, corpusPath } = loadModelAndCorpus(flags, 'eval');
      const range = flags.range ? parseRange(flags.range, corpus.size) : ([0, corpus.size] as [number, number]);
      const streams = intFlag('--streams', flags.streams);
      const positions = range[1] - range[0] - 1;
      const bar = startProgress(flags, 'eval', 'bytes');
      const r = await interruptible((signal) => evaluate(model, corpus, {
        ranges: streams === 1 ? [range] : splitRange(range, streams),
        threads: intFlag('--threads', flags.threads),
        isa: flags.isa,
        signal,
        onProgress: (done, total) => bar.update(Math.round((positions * done) / Math.max(total, 1)), positions),
      }).finally(bar.stop), () => 'nothing to save (an evaluation keeps no partial result)');
      if (!r) return;
      const b = await baseline(r.bpc, corpus, range);
      const out = {
        model: modelPath, corpus: corpusPath, range, streams, hidden: model.hidden,
        bpc: r.bpc, positions: r.positions, bits: r.bits, order0: b.order0, beatsOrder0: b.beatsOrder0,
        isa: r.isa, threads: r.threads, seconds: r.seconds, bytesPerSecond: r.bytesPerSecond,
      };
      if (flags.json) return printJson(out);
      process.stdout.write(
        `bpc ${r.bpc.toFixed(4)}${besideOrder0(b, 'model', flags.json)} over ${r.positions} positions (${range[0]}:${range[1]}, ${streams} stream${streams > 1 ? 's' : ''})\n` +
          `${(r.bytesPerSecond / 1e3).toFixed(0)}k bytes/s, ${r.isa}, ${r.threads} thread${r.threads > 1 ? 's' : ''}\n`,
      );
    });
}
