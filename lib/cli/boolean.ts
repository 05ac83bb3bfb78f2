/** `bi-embed boolean`: the network as a Boolean automaton — sign vectors, sign-only bpc, margins, ablation (docs/definitions.md). */
import { Command } from 'commander';
import {
  BooleanResult, DEFAULT_ABLATION_POSITIONS, DEFAULT_SCALE_STREAMS, DEFAULT_SIGN_MAX_MEMORY, SignVectorReport, booleanStructure, scoredBpc,
} from '../boolean';
import { AnalysisFlags, addAnalysisOptions, num, pct, runAnalysis } from './analysis';
import { intFlag } from './options';

interface BooleanFlags extends AnalysisFlags {
  maxMemory: string;
  streams: string;
  ablationPositions: string;
}

export function registerBoolean(program: Command): void {
  addAnalysisOptions(program
    .command('boolean')
    .description('sign vectors under the true and sign-only dynamics, transition map, margins, neuron ablation (definitions: docs/definitions.md, Boolean structure)'))
    .option('--max-memory <bytes>', 'exact sign-vector tables up to this many bytes, then HyperLogLog estimates', String(DEFAULT_SIGN_MAX_MEMORY))
    .option('--streams <n>', 'scale mode: sign-vector streams (each from h = 0)', String(DEFAULT_SCALE_STREAMS))
    .option('--ablation-positions <n>', 'scale mode: positions of the ablation', String(DEFAULT_ABLATION_POSITIONS))
    .action((flags: BooleanFlags) => runAnalysis(flags, 'boolean', (model, corpus, job) => booleanStructure(model, corpus, {
      ...job, maxMemory: intFlag('--max-memory', flags.maxMemory), streams: intFlag('--streams', flags.streams),
      ablationPositions: intFlag('--ablation-positions', flags.ablationPositions),
    }), booleanSummary));
}

function signLine(s: SignVectorReport): string {
  const est = s.estimated ? ` (estimated; exact figures over the first ${s.exactPositions} states)` : '';
  return `  ${s.dynamics.padEnd(9)} bpc ${scoredBpc(s).toFixed(4)}; ${Math.round(s.distinct)} distinct σ${est}, entropy ${s.entropy.toFixed(2)} bits; ` +
    `${Math.round(s.transitionKeys)} transition keys, ${pct(s.deterministicKeyShare)} deterministic (${pct(s.deterministicTransitionShare)} of transitions)`;
}

export function booleanSummary(r: BooleanResult): string {
  const s = r.study;
  const m = r.trueDynamics.margins;
  const a = r.ablation;
  const top = (list: typeof a.knockout): string => list.slice(0, 5).map((k) => `#${k.neuron} ${k.bpc.toFixed(3)}`).join(', ');
  const lines = [
    `Boolean structure, ${r.mode} mode on ${r.corpus.name} (${r.corpus.size} bytes), ${r.split}, H = ${r.hidden}, H0 ${r.h0.toFixed(3)}`,
    `Sign vectors over ${r.trueDynamics.positions} states (${r.trueDynamics.streams} stream${r.trueDynamics.streams > 1 ? 's' : ''}):`,
    signLine(r.trueDynamics),
    signLine(r.signOnly),
    ...(s ? [`  (study: ${s.signVectors} unique sign vectors — ${s.note}; the definitions give ${Math.round(r.trueDynamics.distinct)} under the true and ${Math.round(r.signOnly.distinct)} under the sign-only dynamics)`] : []),
    `Sign bits' share of the gain (H0 − sign-only bpc)/(H0 − bpc): ${pct(r.signShareOfGain)}` +
      (s ? `   (study: ${pct(s.signShareOfGain)} — ${s.note})` : ''),
    `Readout of sgn h_t on the true trajectory (not the sign-only dynamics), over the ablation's positions: ${a.signReadout.bpc.toFixed(4)} bpc, ` +
      `${pct(a.signReadout.shareOfGap)} of the gain` + (s ? `   (study: sign bits carry ${pct(s.signShareOfGain)})` : ''),
    `Margins |z|: mean ${num(m.mean)}, median ${num(m.median)}${m.medianExact ? '' : ' (from a histogram)'}, < 1: ${pct(m.shareBelow1)}, < 0.1: ${pct(m.shareBelow01)}` +
      (s ? `   (study: mean ${s.meanMargin} — ${s.note})` : ''),
    `  histogram: ${m.histogram.map((b) => `[${b.from}, ${b.to ?? '∞'}) ${b.count}`).join(', ')}`,
    `Ablation over ${a.positions} positions [${a.range.join(', ')}), model ${a.bpc.toFixed(4)} bpc, gap H0 − bpc ${a.gap.toFixed(3)}:`,
    `  knock-out: mean Δbpc ${a.meanKnockoutDelta.toFixed(3)}; costliest ${top(a.topKnockout)} bpc`,
    `  keep-only-one: best ${top(a.topKeepOnly)} bpc (best recovers ${pct(a.topKeepOnly[0].shareOfGap)} of the gap)`,
    `${r.seconds.toFixed(1)} s`,
  ];
  return lines.join('\n') + '\n';
}
