/** `bi-embed construct`: φ — every weight from counts, beside the study's figures and training. */
import * as path from 'node:path';
import { Command } from 'commander';
import { Corpus } from '../corpus';
import { ErrorCodes, fail } from '../errors';
import { writeFileAtomic } from '../io/atomic';
import { saveModel } from '../io/model-file';
import { prepareOutputFolder } from '../io/outputs';
import { Model } from '../model';
import {
  ConstructMode, ConstructResult, DEFAULT_FIT_POSITIONS, DEFAULT_GRID_POSITIONS, DEFAULT_PHI_EPOCHS, PhiRowResult, construct, constructResultJson,
} from '../phi';
import { studyFiles } from '../study';
import {
  checkMode, corpusOption, epochsOption, fractionFlag, intFlag, isaOption, jsonOption, modeOption, numberFlag, seedOption, studyOption,
  testFractionOption, threadsOption, resolveMode,
} from './options';
import { interruptible } from './interrupt';
import { baseline } from './baseline';
import { printJson } from './output';
import { progressOption, startProgress } from './progress';

interface ConstructFlags {
  corpus?: string;
  study?: boolean;
  mode?: string;
  outDir?: string;
  testFraction?: string;
  gridPositions: string;
  fitPositions: string;
  epochs: string;
  threads: string;
  seed: string;
  signBias: boolean;
  trained: boolean;
  trainSeconds?: string;
  isa?: string;
  json?: boolean;
  progress?: string;
}

function fmt(v: number | undefined | null, digits = 3): string {
  return v === undefined || v === null || !Number.isFinite(v) ? '—' : v.toFixed(digits);
}

/** The comparison table: train bpc, test bpc, parameters fitted, time, FLOPs. */
export function constructTable(r: ConstructResult): string {
  const rows: Array<PhiRowResult & { hyper: string }> = [
    { ...r.analytic, hyper: `α ${r.analytic.alpha}, s ${r.analytic.scale}` },
    ...(r.analyticSignBias ? [{ ...r.analyticSignBias, hyper: `α ${r.analyticSignBias.alpha}, s ${r.analyticSignBias.scale}` }] : []),
    { ...r.optimised, hyper: `${r.optimised.epochs} epochs, ${r.optimised.positions} positions` },
    ...(r.trained ? [{ ...r.trained, hyper: `${r.trained.steps} steps` }] : []),
    ...(r.trainedFromConstruction ? [{ ...r.trainedFromConstruction, hyper: `${r.trainedFromConstruction.steps} steps` }] : []),
  ];
  const head = ['model', 'train bpc', 'test bpc', 'params from data', 'time s', 'FLOPs', 'hyper-parameters'];
  const body = rows.map((x) => [x.name, fmt(x.trainBpc), fmt(x.testBpc), x.paramsFromData.toLocaleString('en-US'),
    x.seconds.toFixed(1), x.flops.toExponential(2), x.hyper]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]): string => '| ' + cells.map((c, i) => c.padEnd(w[i])).join(' | ') + ' |';
  return [line(head), '|' + w.map((n) => '-'.repeat(n + 2)).join('|') + '|', ...body.map(line)].join('\n');
}

/** Every file --out-dir may receive, checked before the computation (lib/io/outputs). */
const OUT_DIR_FILES = ['analytic.safetensors', 'optimised.safetensors', 'analytic-sign-bias.safetensors', 'trained.safetensors',
  'trained-from-construction.safetensors', 'construct.json'].map((f) => ({ path: f, what: `--out-dir file ${f}` }));

/** Each row's model file in --out-dir, by the row's name. */
const ROW_FILES: Record<string, string> = {
  analytic: 'analytic.safetensors', 'analytic (sign log-odds bh)': 'analytic-sign-bias.safetensors', optimised: 'optimised.safetensors',
  trained: 'trained.safetensors', 'trained from construction': 'trained-from-construction.safetensors',
};

/**
 * The rows as they finish: each model written to --out-dir at once (construct.json at the end), and
 * on Ctrl-C a line saying which rows were done, with their bpc, and where their models are.
 */
function rowKeeper(outDir: string | undefined): { onRow: (row: PhiRowResult, model: Model) => void; kept: () => string } {
  const rows: string[] = [];
  return {
    onRow: (row, model) => {
      const file = outDir ? path.join(outDir, ROW_FILES[row.name]) : undefined;
      if (file) saveModel(model, file);
      rows.push(`${row.name} (train bpc ${fmt(row.trainBpc, 4)}${row.testBpc !== undefined ? `, test ${fmt(row.testBpc, 4)}` : ''}${file ? ` → ${file}` : ''})`);
    },
    kept: () => rows.length === 0
      ? 'no row had finished; nothing written'
      : `finished rows: ${rows.join('; ')}${outDir ? `; construct.json is written only by a complete run` : ' (--out-dir saves their models)'}`,
  };
}

export function registerConstruct(program: Command): void {
  program
    .command('construct')
    .description('φ: construct every weight from counts (analytic, optimised readout) and compare with training')
    .addOption(corpusOption())
    .addOption(studyOption("the study's enwik_1024.txt from $BI_EMBED_STUDY_DIR, in study mode"))
    .addOption(modeOption('study (in-sample, exact definitions) or scale (train/test split, sampled fits)'))
    .option('--out-dir <dir>', 'write the constructed models (.safetensors) and construct.json here')
    .addOption(testFractionOption('scale mode: held-out share at the end'))
    .option('--grid-positions <n>', 'scale mode: sampled positions for the (α, s) grid', String(DEFAULT_GRID_POSITIONS))
    .option('--fit-positions <n>', 'scale mode: sampled positions for the optimised readout', String(DEFAULT_FIT_POSITIONS))
    .addOption(epochsOption('optimised readout epochs (the study\'s)', String(DEFAULT_PHI_EPOCHS)))
    .addOption(threadsOption('worker threads'))
    .addOption(seedOption('sampling and training seed'))
    .option('--no-sign-bias', 'skip the sign log-odds bh variant')
    .option('--no-trained', 'scale mode: skip the training rows')
    .option('--train-seconds <s>', 'scale mode: wall-clock of each training run (default: the construction\'s own)')
    .addOption(isaOption())
    .addOption(jsonOption())
    .addOption(progressOption())
    .action(async (flags: ConstructFlags) => {
      let file = flags.corpus;
      if (flags.study) file = studyFiles().text;
      if (!file) fail(ErrorCodes.OPTION, 'construct needs --corpus FILE (or --study)');
      checkMode(flags.mode);
      if (flags.outDir !== undefined) prepareOutputFolder(flags.outDir, OUT_DIR_FILES, [file]);
      const corpus = Corpus.open(file);
      const resolved = resolveMode(flags.mode, corpus, flags.json);
      const testFraction = flags.testFraction !== undefined ? fractionFlag('--test-fraction', flags.testFraction) : undefined;
      const trainSeconds =
        flags.trainSeconds !== undefined ? numberFlag('--train-seconds', flags.trainSeconds, { positive: true }) : undefined;
      const bar = startProgress(flags, 'construct', 'stages');
      const keeper = rowKeeper(flags.outDir);
      const r = await interruptible((signal) => construct(corpus, {
        mode: resolved as ConstructMode,
        testFraction,
        gridPositions: intFlag('--grid-positions', flags.gridPositions),
        fitPositions: intFlag('--fit-positions', flags.fitPositions),
        epochs: intFlag('--epochs', flags.epochs),
        threads: intFlag('--threads', flags.threads),
        seed: intFlag('--seed', flags.seed),
        signBias: flags.signBias,
        trained: flags.trained,
        trainSeconds,
        isa: flags.isa,
        signal, onProgress: bar.onProgress, onRow: keeper.onRow,
      }).finally(bar.stop), keeper.kept, bar.stop);
      if (!r) return;
      if (flags.outDir) writeFileAtomic(path.join(flags.outDir, 'construct.json'), Buffer.from(JSON.stringify(constructResultJson(r), null, 2) + '\n'));
      if (flags.json) return printJson(constructResultJson(r));
      const out: string[] = [
        `φ ${r.mode} mode on ${r.corpus.name} (${r.corpus.size} bytes); fitting bytes ${r.train[0]}:${r.train[1]}` +
          (r.test ? `, test ${r.test[0]}:${r.test[1]}` : ' (in-sample)'),
        `sampling: ${r.sampling}`,
        `counting: ${(r.counting.bytesPerSecond / 1e6).toFixed(1)} MB/s`,
        '',
        constructTable(r),
        '',
        `order-0 entropy of the same bytes: ${(await baseline(0, corpus, r.train)).order0.toFixed(4)} (fitting bytes)` +
          (r.test ? `, ${(await baseline(0, corpus, r.test)).order0.toFixed(4)} (test bytes)` : ''),
      ];
      if (r.study) {
        out.push('', `analytic  ${r.analytic.trainBpc.toFixed(4)} bpc (α ${r.analytic.alpha}, s ${r.analytic.scale})   study: ${r.study.analytic}`,
          `optimised ${r.optimised.trainBpc.toFixed(4)} bpc                 study: ${r.study.optimised}`,
          `(optimised readout loss on its own fitting positions t = 16 … n−3 at the last epoch: ${r.optimised.fitLossLast.toFixed(4)} bits)`,
          r.study.verdict);
      }
      if (r.trainedReason) out.push('', `trained rows left out: ${r.trainedReason}`);
      if (r.claim) out.push('', `"every construction beats training": ${r.claim}`);
      process.stdout.write(out.join('\n') + '\n');
    });
}
