/** `bi-embed read`: ψ — read a trained model back into the events it encodes. */
import { Command } from 'commander';
import { DEFAULT_SCALE_POSITIONS, ReadMode, ReadResult, readModel } from '../psi';
import { loadModelAndCorpus } from './inputs';
import {
  corpusOption, fractionFlag, intFlag, isaOption, jsonOption, modeOption, modelOption, studyOption, testFractionOption,
  threadsOption, resolveMode,
} from './options';
import { interruptible } from './interrupt';
import { printJson } from './output';
import { progressOption, startProgress } from './progress';

interface ReadFlags {
  model?: string;
  corpus?: string;
  study?: boolean;
  mode?: string;
  positions?: string;
  testFraction?: string;
  threads: string;
  isa?: string;
  stateFeatures: boolean;
  json?: boolean;
  progress?: string;
}

export function registerRead(program: Command): void {
  program
    .command('read')
    .description('read a trained model: Wx input norms, Hebbian estimates, factor map, bytes read back (docs/definitions.md, ψ)')
    .addOption(modelOption())
    .addOption(corpusOption())
    .addOption(studyOption())
    .addOption(modeOption("study (in-sample, the study's lags) or scale (lags 0…20, train → test)"))
    .option('--positions <n>', 'scale mode: positions analysed, train and test together', String(DEFAULT_SCALE_POSITIONS))
    .addOption(testFractionOption('scale mode: test share of the corpus'))
    .addOption(threadsOption('worker threads for the factor map'))
    .addOption(isaOption())
    .option('--no-state-features', 'skip the best state feature per neuron')
    .addOption(jsonOption())
    .addOption(progressOption())
    .action(async (flags: ReadFlags) => {
      const { model, corpus, modelPath } = loadModelAndCorpus(flags, 'read');
      const mode: ReadMode = resolveMode(flags.mode, corpus, flags.json);
      const testFraction = fractionFlag('--test-fraction', flags.testFraction);
      const bar = startProgress(flags, 'read', 'stages');
      const r = await interruptible((signal) => readModel(model, corpus, {
        mode, positions: intFlag('--positions', flags.positions ?? String(DEFAULT_SCALE_POSITIONS)), testFraction,
        threads: intFlag('--threads', flags.threads), isa: flags.isa, stateFeatures: flags.stateFeatures,
        signal, onProgress: bar.onProgress,
      }).finally(bar.stop), () => 'nothing written (ψ keeps no partial result)');
      if (!r) return;
      if (flags.json) return printJson({ model: modelPath, ...r });
      process.stdout.write(summary(r));
    });
}

const pct = (v: number | null): string => (v === null ? 'empty' : `${(100 * v).toFixed(1)}%`);
const num = (v: number | null, d = 3): string => (v === null ? 'empty' : v.toFixed(d));

/** A plain-text summary, each figure beside the study's own where it has one. */
export function summary(r: ReadResult): string {
  const s = r.study;
  const fm = r.factorMap, rb = r.readBack;
  const lines = [
    `ψ ${r.mode} mode on ${r.corpus.name} (${r.corpus.size} bytes), H = ${r.hidden}, factor map ${fm.split}`,
    `Wx top bytes: ${r.wxTop.slice(0, 5).map((b) => `${b.name} ${b.norm.toFixed(2)}`).join(', ')}` +
      (s ? `   (study: ${s.wxTop.map((b) => `${b.name} ${b.norm}`).join(', ')})` : ''),
    'Hebbian estimates (r all | r |w|≥3 | sign acc |w|≥0.5 | |w|≥3):',
    ...(['Wh', 'Wx', 'Wy'] as const).map((k) => {
      const c = r.hebbian[k];
      return `  ${k}: ${num(c.r)} | ${num(c.rStrong.value)} (n=${c.rStrong.n}) | ${pct(c.signAccuracy[0].value)} (n=${c.signAccuracy[0].n}) | ${pct(c.signAccuracy[1].value)} (n=${c.signAccuracy[1].n})`;
    }),
    ...(s ? [`  (study: Wh r = ${s.hebbian.rStrong} at |w| ≥ 3, sign accuracy ${100 * s.hebbian.signAccuracy}% — ${s.hebbian.note})`] : []),
    `Factor map over lags [${fm.lags.join(', ')}], positions ${fm.scorePositions.join(':')}: mean R² ${fm.meanR2.toFixed(3)}, ` +
      `${fm.countAbove}/${r.hidden} ≥ ${fm.threshold.toFixed(2)}, mean best single-lag R² ${fm.meanSingleR2.toFixed(3)}` +
      (s ? `   (study: ${s.factorMap.meanR2}, ${s.factorMap.countAbove}/128)` : ''),
    `  best pairs: ${fm.pairHistogram.slice(0, 8).map((p) => `(${p.pair.join(',')}) ${p.neurons}`).join(', ')}` +
      (s ? `   (study: (1,7) ${s.factorMap.bestPair.neurons})` : ''),
    `Read-back over ${rb.positions} positions (${rb.split}), H0 ${rb.h0.toFixed(3)}, model ${rb.bpcRnn.toFixed(3)} bpc:`,
    ...rb.levels.map((l) => `  ${l.name.padEnd(18)} ${l.bpc.toFixed(3)} bpc, ${(100 * l.shareOfGain).toFixed(1)}% of gain`),
    ...(s ? [`  (study: +word_len ${s.readBack.wordLen.bpc.toFixed(2)} (${100 * s.readBack.wordLen.shareOfGain}%), +in_tag ${s.readBack.inTag.bpc.toFixed(2)} (${100 * s.readBack.inTag.shareOfGain}%))`] : []),
  ];
  if (r.stateFeatures) {
    const w = Object.entries(r.stateFeatures.wins).filter(([, n]) => n > 0).map(([f, n]) => `${f} ${n}`).join(', ');
    lines.push(`Best state feature per neuron: ${w}` + (s ? `   (study: word_len ${s.stateFeatures.wordLenWins})` : ''));
  }
  lines.push(`memory: trajectories ${(r.memory.trajectoryBytes / 2 ** 20).toFixed(1)} MiB, largest cell table ${(r.memory.peakCellBytes / 2 ** 20).toFixed(1)} MiB; ${r.seconds.toFixed(1)} s`);
  return lines.join('\n') + '\n';
}
