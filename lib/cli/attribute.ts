/** `bi-embed attribute`: temporal attribution and PMI alignment (docs/definitions.md). */
import { Command } from 'commander';
import { AttributionResult, DEFAULT_ATTRIBUTION_POSITIONS, DEFAULT_COUNTERFACTUAL_SAMPLES, PooledAlignment, attribute } from '../attribution';
import { AnalysisFlags, addAnalysisOptions, num, pct, runAnalysis } from './analysis';
import { intFlag } from './options';

interface AttributeFlags extends AnalysisFlags {
  maxOffset: string;
  positions: string;
  samples: string;
  seed: string;
}

export function registerAttribute(program: Command): void {
  addAnalysisOptions(program
    .command('attribute')
    .description('counterfactual and Jacobian attribution α(t, d), PMI alignment curve, shallow vs deep (definitions: docs/definitions.md, temporal attribution)'))
    .option('--max-offset <d>', 'Jacobian offsets d = 1 … d', '32')
    .option('--positions <n>', 'scale mode: positions of the Jacobian sweep (test split)', String(DEFAULT_ATTRIBUTION_POSITIONS))
    .option('--samples <n>', 'scale mode: counterfactual positions sampled from them', String(DEFAULT_COUNTERFACTUAL_SAMPLES))
    .option('--seed <n>', 'scale mode: sampling seed', '1')
    .action((flags: AttributeFlags) => runAnalysis(flags, 'attribute', (model, corpus, job) => attribute(model, corpus, {
      ...job, maxOffset: intFlag('--max-offset', flags.maxOffset),
      positions: intFlag('--positions', flags.positions), samples: intFlag('--samples', flags.samples), seed: intFlag('--seed', flags.seed),
    }), attributionSummary));
}

const pool = (p: PooledAlignment): string =>
  `${pct(p.alignment)} (d ${p.offsets[0]}–${p.offsets[1]}; per d ${pct(p.min, 0)}–${pct(p.max, 0)})`;

export function attributionSummary(r: AttributionResult): string {
  const s = r.study;
  const j = r.jacobian, c = r.counterfactual;
  const lines = [
    `Temporal attribution, ${r.mode} mode on ${r.corpus.name} (${r.corpus.size} bytes), H = ${r.hidden}; PMI over [${r.split.pmi.join(', ')}), ` +
      `attribution over positions [${r.split.attribution.join(', ')})`,
    `Jacobian α(t, d) over ${j.positions} positions, d = 1…${j.maxOffset} (${j.seconds.toFixed(2)} s):`,
    `  d    mean|α|  alignment`,
    ...j.curve.map((p) => `  ${String(p.d).padStart(2)}   ${p.meanAbs.toFixed(4)}   ${pct(p.alignment)}`),
    `  shallow ${pool(j.shallow)}; deep ${pool(j.deep)}`,
    `Counterfactual (byte → byte + 128) at ${c.positions.length} positions${r.mode === 'study' ? ` {${c.positions.join(', ')}}` : ' (sampled)'}, d = 1…${c.maxOffset}:`,
    `  mean|α| by d: ${c.curve.map((p) => num(p.meanAbs, 2)).join(' ')}`,
    `  alignment by d: ${c.curve.map((p) => pct(p.alignment, 0)).join(' ')}`,
    `  shallow ${pool(c.shallow)}; deep ${pool(c.deep)}`,
    ...(s ? [`  (study: shallow d ${s.shallow.offsets.join('–')} ${pct(s.shallow.alignment, 0)}, deep d ≥ ${s.deep.offsets[0]} ${s.deep.alignment.map((v) => pct(v, 0)).join('–')} — ${s.note})`] : []),
    `Counterfactual vs Jacobian over ${r.correlation.pairs} (t, d): Pearson r ${num(r.correlation.r)}, same sign ${pct(r.correlation.signAgreement)}`,
    `PMI > ${r.pmi.threshold}: ${r.pmi.perOffset.slice(0, 8).map((p) => `d${p.d} ${p.aligned}/${p.pairs}`).join(', ')}, … byte pairs`,
    `${r.seconds.toFixed(1)} s`,
  ];
  return lines.join('\n') + '\n';
}
