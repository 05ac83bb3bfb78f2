/** `bi-embed errors`: the three sources of error in one table (docs/definitions.md). */
import { Command } from 'commander';
import { DEFAULT_HEBBIAN_POSITIONS, DEFAULT_SYNERGY_BYTES, ErrorSourcesResult, errorSources } from '../error-sources';
import { AnalysisFlags, addAnalysisOptions, num, pct, runAnalysis } from './analysis';
import { intFlag } from './options';

interface ErrorsFlags extends AnalysisFlags {
  positions: string;
  synergyBytes: string;
}

export function registerErrors(program: Command): void {
  addAnalysisOptions(program
    .command('errors')
    .description('three sources of error: Hebbian 1 − r², pairwise synergy of offsets ≤ 30, sign-only vs full bpc (definitions: docs/definitions.md)'))
    .option('--positions <n>', 'scale mode: train states of the Hebbian fit', String(DEFAULT_HEBBIAN_POSITIONS))
    .option('--synergy-bytes <n>', 'scale mode: train bytes of the synergy counts', String(DEFAULT_SYNERGY_BYTES))
    .action((flags: ErrorsFlags) => runAnalysis(flags, 'errors', (model, corpus, job) => errorSources(model, corpus, {
      ...job, positions: intFlag('--positions', flags.positions), synergyBytes: intFlag('--synergy-bytes', flags.synergyBytes),
    }), errorsSummary));
}

export function errorsSummary(r: ErrorSourcesResult): string {
  const s = r.study;
  const f = r.firstOrder, p = r.pairwise, b = r.boolean;
  const row = (name: string, ours: string, study: string): string => `  ${name.padEnd(42)} ${ours.padEnd(44)} ${study}`;
  const lines = [
    `Three sources of error, ${r.mode} mode on ${r.corpus.name} (${r.corpus.size} bytes), H = ${r.hidden}`,
    row('source', 'bi-embed', s ? 'study' : ''),
    row('1 first-order: 1 − r² (Hebbian C vs Wh)', `${num(f.oneMinusR2)} (r ${num(f.r)}, all ${f.hebbian.Wh.entries} entries)`, s ? `${s.oneMinusR2} (r ${s.hebbianR} at |w| ≥ 3)` : ''),
    row('  at |Wh| ≥ 3', f.strongEntries ? `${num(f.oneMinusR2Strong)} (r ${num(f.rStrong)}, ${f.strongEntries} entries)` : 'empty set (no |Wh| ≥ 3)', ''),
    row('2 pairwise: synergy, offsets ≤ 30', `mean ${p.mean.toFixed(3)} bits over ${p.pairs} pairs; > 1 bit: ${pct(p.shareAbove1)}`, s ? `${s.synergy}` : ''),
    row('  top pairs (a, b)', p.top.slice(0, 5).map((q) => `(${q.a},${q.b}) ${q.synergy.toFixed(2)}`).join(' '), ''),
    row('3 Boolean: sign-only vs full bpc', `${b.signOnlyBpc.toFixed(4)} vs ${b.bpc.toFixed(4)} (Δ ${b.delta.toFixed(3)})`, ''),
    row('  sign share of gain', pct(b.signShareOfGain), s ? pct(s.signShareOfGain) : ''),
    ...(s ? [`  (${s.note})`] : []),
    `Hebbian over states [${f.states.join(', ')}), synergy over positions [${p.positions.join(', ')}), Boolean over [${b.range.join(', ')}); ${r.seconds.toFixed(1)} s`,
  ];
  return lines.join('\n') + '\n';
}
