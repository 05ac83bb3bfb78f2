import { Command } from 'commander';
import { Corpus, DEFAULT_TEST_FRACTION } from '../corpus';
import { BiEmbedError, ErrorCodes, fail, isBiEmbedError } from '../errors';
import { loadModel } from '../io/model-file';
import { runSkipgram, SkipgramRunResult } from '../skipgram';
import { DEFAULT_MAX_BYTES, DEFAULT_MAX_OFFSET, DEFAULT_SMOOTHING, Smoothing } from '../skipgram/options';
import { DEFAULT_VALID_FRACTION } from '../skipgram/run';
import { studyFiles } from '../study';
import {
  corpusOption, isaOption, jsonOption, modeOption, modelOption, numberFlag, studyOption, testFractionOption, threadsOption, resolveMode,
} from './options';
import { interruptible } from './interrupt';
import { baseline, besideOrder0 } from './baseline';
import { printJson } from './output';
import { progressOption, startProgress } from './progress';

interface SkipgramFlags {
  corpus?: string;
  study?: boolean;
  offsets?: string;
  greedy?: string;
  maxOffset: string;
  mode?: string;
  model?: string;
  smoothing: string;
  testFraction?: string;
  validFraction?: string;
  maxMb?: string;
  isa?: string;
  threads: string;
  json?: boolean;
  progress?: string;
}

export function registerSkipgram(program: Command): void {
  program
    .command('skipgram')
    .description('skip-k-gram statistics and language models over byte offsets (context x_{s−d}, d ∈ offsets, predicts x_s): offsets, bpc, patterns, MI profile, witnesses')
    .addOption(corpusOption())
    .addOption(studyOption("use the study's enwik_1024.txt (and sat_model.bin for witnesses) from $BI_EMBED_STUDY_DIR"))
    .option('--offsets <list>', 'offsets d (context byte x_{s−d}), comma-separated, e.g. 1,8,20,3')
    .option('--greedy <K>', 'choose K offsets greedily from [1] over d = 1 … --max-offset')
    .option('--max-offset <n>', 'largest candidate offset', String(DEFAULT_MAX_OFFSET))
    .addOption(modeOption('study (in-sample, unsmoothed) or scale (held-out LM: train = first 90%, test = last 10%)'))
    .addOption(modelOption('pattern witnesses for this model'))
    .option('--smoothing <name>', 'scale mode: kneser-ney (modified) or witten-bell', DEFAULT_SMOOTHING)
    .addOption(testFractionOption('scale mode: test share at the end of the corpus'))
    .option('--valid-fraction <f>', 'scale mode: validation share at the end of train (greedy selection)', String(DEFAULT_VALID_FRACTION))
    .option('--max-mb <n>', 'memory bound of the count tables, MiB', String(DEFAULT_MAX_BYTES / 2 ** 20))
    .addOption(isaOption('kernels for the witness pass'))
    .addOption(threadsOption('scale mode: greedy candidates evaluated in parallel'))
    .addOption(jsonOption())
    .addOption(progressOption())
    .action(async (flags: SkipgramFlags) => {
      let corpusPath = flags.corpus, modelPath = flags.model;
      if (flags.study) {
        const f = studyFiles();
        corpusPath ??= f.text;
        modelPath ??= f.model;
      }
      if (!corpusPath) fail(ErrorCodes.OPTION, 'skipgram needs --corpus (or --study)');
      if ((flags.offsets === undefined) === (flags.greedy === undefined)) fail(ErrorCodes.OPTION, 'give either --offsets or --greedy');
      const corpus = Corpus.open(corpusPath);
      const mode = resolveMode(flags.mode, corpus, flags.json);
      const model = modelPath ? loadModel(modelPath) : undefined;
      const bar = startProgress(flags, 'skipgram', 'stages');
      const r = await interruptible((signal) => runSkipgram(corpus, {
        mode,
        offsets: flags.offsets !== undefined ? parseList('--offsets', flags.offsets) : undefined,
        greedy: flags.greedy !== undefined ? numberFlag('--greedy', flags.greedy, { integer: true, positive: true }) : undefined,
        maxOffset: numberFlag('--max-offset', flags.maxOffset, { integer: true, positive: true }),
        smoothing: flags.smoothing as Smoothing,
        testFraction: numberFlag('--test-fraction', flags.testFraction ?? String(DEFAULT_TEST_FRACTION), { positive: true }),
        validFraction: numberFlag('--valid-fraction', flags.validFraction ?? String(DEFAULT_VALID_FRACTION), { positive: true }),
        maxBytes: Math.round(numberFlag('--max-mb', flags.maxMb ?? String(DEFAULT_MAX_BYTES / 2 ** 20), { positive: true }) * 2 ** 20),
        model,
        isa: flags.isa,
        threads: numberFlag('--threads', flags.threads, { integer: true, positive: true }),
        signal, onProgress: bar.onProgress,
      }).catch(withFlagNames).finally(bar.stop), () => 'nothing written (the counts keep no partial result)');
      if (!r) return;
      if (flags.json) return printJson(r);
      // The plug-in bpc is in-sample over positions max D … n−1 (train in scale mode); the held-out one is on the test split.
      const fit: [number, number] = r.split ? r.split.train : [0, corpus.size];
      const inSample = await baseline(r.bpc, corpus, [Math.max(fit[0], Math.max(...r.offsets) - 1), fit[1]]);
      const heldOut = r.split && r.testBpc !== undefined ? await baseline(r.testBpc, corpus, r.split.test) : undefined;
      if (heldOut) besideOrder0(heldOut, 'held-out skip-gram bpc', false);
      process.stdout.write(describe(r) + `order-0 entropy of the same bytes: ${inSample.order0.toFixed(4)} (in-sample)` +
        (heldOut ? `, ${heldOut.order0.toFixed(4)} (test split)` : '') + '\n');
    });
}

/** A memory error names the API's option (maxBytes): here it is the CLI's --max-mb. */
function withFlagNames(e: unknown): never {
  if (isBiEmbedError(e) && e.code === ErrorCodes.MEMORY_LIMIT) throw new BiEmbedError(e.code, e.message.replace(/\bmaxBytes\b/g, '--max-mb'));
  throw e;
}

function parseList(name: string, v: string): number[] {
  const parts = v.split(',').map((s) => s.trim());
  if (parts.some((p) => !/^\d+$/.test(p))) fail(ErrorCodes.OPTION, `${name} must be comma-separated positive integers, got '${v}'`);
  return parts.map(Number);
}

function describe(r: SkipgramRunResult): string {
  const lines = [
    `offsets [${r.offsets.join(',')}]  (${r.mode} mode, ${r.corpus})`,
    `in-sample H(Y|X_D) ${r.bpc.toFixed(3)} bpc, ${r.patterns} patterns, ${r.contexts} contexts over ${r.positions} positions (${(r.bytes / 2 ** 20).toFixed(1)} MiB counted)`,
  ];
  for (const g of r.miProfile.greedy) lines.push(`  greedy [${g.offsets.join(',')}] + ${g.added} → ${g.score.toFixed(4)}`);
  if (r.orders) {
    lines.push(`held-out test bpc (${r.smoothing}):   k  skip        contiguous`);
    for (const o of r.orders) {
      lines.push(`  ${String(o.k).padStart(2)}  ${o.testBpc.toFixed(4)} [${o.offsets.join(',')}]  ${o.contiguous.testBpc.toFixed(4)} (${o.contexts} vs ${o.contiguous.contexts} contexts)`);
    }
  }
  if (r.witness) {
    const w = r.witness;
    lines.push(`witnesses: coverage ${(100 * w.coverage).toFixed(1)}% (RNN correct ${pct(w.coverageCorrect)}, incorrect ${pct(w.coverageIncorrect)}), RNN accuracy ${(100 * w.rnnAccuracy).toFixed(1)}%`);
    lines.push(`  by depth: ${w.byDepth.map((d) => `${d.depth}:${(100 * d.share).toFixed(1)}%`).join(' ')}`);
  }
  return lines.join('\n') + '\n';
}

function pct(v: number | null): string {
  return v === null ? 'n/a' : `${(100 * v).toFixed(1)}%`;
}
