/**
 * report.html: one self-contained page (inline CSS and SVG, no script, no network) in the
 * study's order — the bi-embedding summary, φ, ψ, skip-k-grams and witnesses, Boolean
 * structure, alignment, the three sources of error — each figure beside the study's number
 * with its mark (reproduces / differs / not reproducible from the public model and text / not comparable), then what made it: corpus, model, versions, ISA, times, command.
 */
import type { StudyFigure, StudyResults } from '../study/schema';
import { barChart, hbarChart, histogramChart, lineChart, renderSvg, scatterChart } from './charts';

/** The report's sections, in order; the browser test checks each id is present. */
export const REPORT_SECTIONS = [
  ['summary', 'The bi-embedding on this run'],
  ['phi', 'φ — every weight from counts'],
  ['psi', 'ψ — reading the trained weights'],
  ['skipgram', 'Skip-k-grams and pattern witnesses'],
  ['boolean', 'Boolean structure'],
  ['alignment', 'Temporal attribution and PMI alignment'],
  ['errors', 'Three sources of error'],
  ['provenance', 'How this report was made'],
] as const;

export const esc = (s: unknown): string =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const f = (v: number | null | undefined, d = 3): string => (v === null || v === undefined ? '—' : v.toFixed(d));
const rng = (r: unknown): string => (Array.isArray(r) ? `${Number(r[0]).toLocaleString('en')}–${Number(r[1]).toLocaleString('en')}` : '—');
const pct = (v: number | null | undefined, d = 1): string => (v === null || v === undefined ? '—' : `${(100 * v).toFixed(d)}%`);

const MARK_TEXT: Record<StudyFigure['mark'], string> = {
  reproduces: 'reproduces',
  differs: 'differs',
  'not-reproducible': 'not reproducible from the public artifacts',
  'not-comparable': 'not comparable (another corpus or model)',
};

function figureTable(figures: StudyFigure[]): string {
  if (figures.length === 0) return '';
  const rows = figures.map((x) => `<tr><td>${esc(x.name)}</td><td class="num">${esc(x.ours)}</td><td class="num">${esc(x.study)}</td>` +
    `<td><span class="mark ${x.mark}">${esc(MARK_TEXT[x.mark])}</span></td></tr>`).join('');
  return `<table class="figures"><thead><tr><th>figure</th><th>this run</th><th>the study</th><th>mark</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function table(head: string[], rows: Array<Array<string | number>>): string {
  const thead = head.length ? `<thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>` : '';
  return `<table>${thead}<tbody>` +
    rows.map((r) => `<tr>${r.map((c) => `<td${typeof c === 'number' ? ' class="num"' : ''}>${esc(c)}</td>`).join('')}</tr>`).join('') +
    '</tbody></table>';
}

async function chart(id: string, caption: string, spec: Parameters<typeof renderSvg>[0]): Promise<string> {
  return `<figure class="chart" id="chart-${esc(id)}">${await renderSvg(spec)}<figcaption>${esc(caption)}</figcaption></figure>`;
}

function section(id: string, body: string): string {
  const title = REPORT_SECTIONS.find(([s]) => s === id)![1];
  return `<section id="${id}"><h2>${esc(title)}</h2>${body}</section>`;
}

async function summary(r: StudyResults): Promise<string> {
  const e = r.stages.eval.result;
  const figs = r.figures.filter((x) => x.section === 'summary');
  const marks = r.figures.reduce<Record<string, number>>((m, x) => ({ ...m, [x.mark]: (m[x.mark] ?? 0) + 1 }), {});
  return section('summary', `
<p>φ writes every weight of a ${r.stages.psi.result.read.hidden}-neuron byte-level Elman RNN from counts of the data; ψ reads the
events back out of the trained weights. This report runs both directions on <b>${esc(r.corpus.name)}</b>
(${r.corpus.size.toLocaleString('en')} bytes, ${esc(r.mode)} mode) with <b>${esc(r.model.description)}</b>.</p>
<p>Model: ${f(e.trainBpc)} bpc ${r.mode === 'study' ? '(in-sample, whole text)' : `on train${e.trainBytes !== undefined ? ` (${e.trainBytes.toLocaleString('en')} bytes in 64 evenly spaced streams)` : ''}, ${f(e.testBpc)} bpc on test`}.
Figures against the study: ${Object.entries(marks).map(([k, n]) => `${n} ${esc(MARK_TEXT[k as StudyFigure['mark']])}`).join(', ')}.</p>
${figureTable(figs)}`);
}

async function phi(r: StudyResults): Promise<string> {
  const p = r.stages.phi.result;
  const rows = [p.analytic, ...(p.analyticSignBias ? [p.analyticSignBias] : []), p.optimised,
    ...(p.trained ? [p.trained] : []), ...(p.trainedFromConstruction ? [p.trainedFromConstruction] : [])];
  const held = p.test !== undefined;
  const tbl = table(['model', held ? 'train bpc' : 'bpc (in-sample)', ...(held ? ['test bpc'] : []), 'parameters from data', 'fitted by', 'seconds'],
    rows.map((x) => [x.name, f(x.trainBpc), ...(held ? [f(x.testBpc ?? null)] : []), x.paramsFromData, x.fittedBy, f(x.seconds, 2)]));
  const breakdown = table(['tensor', 'size', 'constructed as'], [
    ['Wx', '128 × 256', 'rows 0–7: 10·hash_sign(x, j); all other rows 0'],
    ['Wh', '128 × 128', 'shift register: [g·8+j][(g−1)·8+j] = 5 for g = 1…15'],
    ['bh', '128', `0 (variant: sign log-odds 5·ln(f/(1−f)))`],
    ['by', '256', 'ln((count(o) + 0.5)/(n + 128))'],
    ['Wy', '256 × 128', `s·(ln c⁺/T⁺ − ln c⁻/T⁻), α = ${p.analytic.alpha}, s = ${p.analytic.scale} by grid search; optimised: gradient descent`],
  ]);
  const data = rows.flatMap((x) => [{ model: x.name, split: held ? 'train' : 'in-sample', bpc: x.trainBpc },
    ...(held && x.testBpc !== undefined && x.testBpc !== null ? [{ model: x.name, split: 'test', bpc: x.testBpc }] : [])]);
  const spec = { ...hbarChart(data.map((d) => ({ ...d, label: `${d.model} (${d.split})` })), 'label', 'bpc', { labelTitle: '', valueTitle: 'bits per byte' }) };
  return section('phi', `
<p>Sampling: ${esc(p.sampling)}.${p.claim ? ` The study's claim "constructions beat training" ${esc(p.claim)}.` : ''}
${p.trainedReason ? `<br>${esc(p.trainedReason)}` : ''}</p>
${tbl}
${await chart('phi-bpc', 'bpc of each construction (and of training, scale mode)', spec)}
<h3>Weight breakdown</h3>${breakdown}
${figureTable(r.figures.filter((x) => x.section === 'phi'))}`);
}

async function psi(r: StudyResults): Promise<string> {
  const { read, hebbianScatter } = r.stages.psi.result;
  const fm = read.factorMap, rb = read.readBack;
  const wx = await chart('wx-top', 'Wx column norms ‖Wx[:, x]‖₂, top bytes', barChart(read.wxTop.slice(0, 16).map((b) => ({ byte: b.name, norm: b.norm })), 'byte', 'norm', { xTitle: 'byte', yTitle: 'column norm', sort: false }));
  const heb = await chart('hebbian', `Hebbian covariance C[i][j] against Wh[i][j] (every ${hebbianScatter.stride}th entry, states ${hebbianScatter.states.join('–')})`,
    scatterChart(hebbianScatter.points.map(([w, c]) => ({ Wh: w, C: c })), 'Wh', 'C', { xTitle: 'Wh[i][j]', yTitle: 'C[i][j]' }));
  const hist = await chart('factor-r2', `best lag-pair R² per neuron (${fm.split}); ${fm.countAbove}/${read.hidden} ≥ ${fm.threshold}`,
    histogramChart(fm.neurons.map((n) => ({ r2: n.r2 })), 'r2', { title: 'R² of the best lag pair', step: 0.05, extent: [0, 1] }));
  const pairs = await chart('pairs', 'dominant lag pairs: neurons for which each pair is best',
    barChart(fm.pairHistogram.slice(0, 12).map((p) => ({ pair: `(${p.pair.join(',')})`, neurons: p.neurons })), 'pair', 'neurons', { xTitle: 'lag pair', yTitle: 'neurons', sort: false }));
  const ladder = await chart('readback', `read-back ladder: bpc with h replaced by cell means (${rb.split}, ${rb.positions} positions); H0 ${f(rb.h0)}, model ${f(rb.bpcRnn)}`,
    hbarChart([{ level: 'H0 (order 0)', bpc: rb.h0 }, ...rb.levels.map((l) => ({ level: l.name, bpc: l.bpc })), { level: 'the model', bpc: rb.bpcRnn }], 'level', 'bpc', { labelTitle: '', valueTitle: 'bits per byte' }));
  const hebRows = (['Wh', 'Wx', 'Wy'] as const).map((k) => {
    const c = read.hebbian[k];
    return [k, f(c.r), c.rStrong.value === null ? `empty (n = ${c.rStrong.n})` : f(c.rStrong.value), ...c.signAccuracy.map((s) => (s.value === null ? `empty (n = ${s.n})` : pct(s.value)))];
  });
  const wins = read.stateFeatures ? Object.entries(read.stateFeatures.wins).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ') : '';
  return section('psi', `
<h3>Wx: input encoding</h3>${wx}
<h3>Wh: Hebbian estimates</h3>${table(['weights', 'r (all)', 'r (|w| ≥ 3)', ...read.hebbian.Wh.signAccuracy.map((s) => `sign accuracy |w| ≥ ${s.threshold}`)], hebRows)}${heb}
<h3>Factor map</h3><p>Lags [${fm.lags.join(', ')}]: mean R² ${f(fm.meanR2)}, ${fm.countAbove}/${read.hidden} neurons ≥ ${fm.threshold}; best single lag mean R² ${f(fm.meanSingleR2)}.</p>
<div class="row">${hist}${pairs}</div>
<h3>Reading bytes back</h3>${ladder}
${table(['level', 'bpc', 'share of gain'], rb.levels.map((l) => [l.name, f(l.bpc), pct(l.shareOfGain)]))}
${wins ? `<p>Best state feature per neuron: ${esc(wins)}.</p>` : ''}
${figureTable(r.figures.filter((x) => x.section === 'psi'))}`);
}

async function skipgram(r: StudyResults): Promise<string> {
  const { greedy: g, skip4 } = r.stages.skipgram.result;
  const mi = await chart('mi-profile', `MI(d) = H(Y) − H(Y | X_d), d = 1…${g.miProfile.maxOffset} (${g.mode === 'study' ? 'in-sample' : 'train'})`,
    barChart(g.miProfile.single.map((v, i) => ({ d: i + 1, MI: v })), 'd', 'MI', { xTitle: 'offset d', yTitle: 'bits', sort: false }));
  const ladderRows = g.orders
    ? g.orders.flatMap((o) => [{ k: o.k, bpc: o.testBpc, series: 'greedy skip offsets (test)' }, { k: o.k, bpc: o.contiguous.testBpc, series: 'contiguous 1…k (test)' }])
    : g.miProfile.greedy.map((s) => ({ k: s.offsets.length + 1, bpc: s.score, series: 'greedy H(Y | X_D), in-sample' }));
  const ladder = await chart('ladder', g.orders ? 'held-out ladder: test bpc by order k' : 'greedy ladder: in-sample H(Y | X_D) by order k',
    lineChart(ladderRows, 'k', 'bpc', 'series', { xTitle: 'order k', yTitle: 'bits per byte' }));
  const w = g.witness;
  const wit = w ? `<h3>Pattern witnesses</h3>
<p>${pct(w.coverage)} of ${w.positions.toLocaleString('en')} positions have a witness (RNN correct: ${pct(w.coverageCorrect)}, incorrect: ${pct(w.coverageIncorrect)}); RNN accuracy ${pct(w.rnnAccuracy)}.</p>
${await chart('witness-depth', 'share of positions whose depth-k context is a witness', barChart(w.byDepth.map((d) => ({ depth: d.depth, share: d.share })), 'depth', 'share', { xTitle: 'depth k', yTitle: 'share of positions', sort: false }))}` : '';
  return section('skipgram', `
<p>Greedy offsets [${g.offsets.join(', ')}]: ${g.mode === 'study' ? 'in-sample' : 'train'} H(Y | X_D) ${f(g.bpc)} bpc, ${g.patterns.toLocaleString('en')} patterns${g.testBpc !== undefined ? `; held-out test ${f(g.testBpc)} bpc` : ''}.
${g.split ? `Greedy search on bytes ${rng(g.split.fit)} (counted) and ${rng(g.split.valid)} (scored); the final models count ${rng(g.split.train)} and score the test split ${rng(g.split.test)}.` : ''}
${skip4 ? `The study's skip-4 [${skip4.offsets.join(',')}]: ${f(skip4.bpc)} bpc with ${skip4.patterns} patterns.` : ''}</p>
<div class="row">${mi}${ladder}</div>
${table(['step', 'offsets before', 'added', 'score'], g.miProfile.greedy.map((s, i) => [i + 1, `[${s.offsets.join(',')}]`, s.added, f(s.score, 4)]))}
${wit}
${figureTable(r.figures.filter((x) => x.section === 'skipgram'))}`);
}

async function booleanSection(r: StudyResults): Promise<string> {
  const b = r.stages.boolean.result;
  const m = b.trueDynamics.margins, a = b.ablation;
  const sv = (x: typeof b.trueDynamics): Array<string | number> => [x.dynamics, Math.round(x.distinct) + (x.estimated ? ' (estimated)' : ''),
    f(x.entropy, 2), f(x.bpc, 4), pct(x.deterministicKeyShare), pct(x.deterministicTransitionShare)];
  // Margin bins are [from, to): the last one (to = null) is drawn as one more bin of the same width.
  const hist = await chart('margins', `margins |z_j(t)| over ${m.count.toLocaleString('en')} values: mean ${f(m.mean, 1)}, median ${f(m.median, 1)}, < 1: ${pct(m.shareBelow1)}`,
    barChart(m.histogram.map((h) => ({ bin: `${h.from}–${h.to ?? '∞'}`, values: h.count })), 'bin', 'values', { xTitle: '|z|', yTitle: 'values', sort: false, labelAngle: -45 }));
  const abl = await chart('ablation', `knock-out: Δbpc per neuron over ${a.positions.toLocaleString('en')} positions (model ${f(a.bpc, 4)} bpc, mean Δ ${f(a.meanKnockoutDelta)})`,
    barChart(a.knockout.map((k) => ({ neuron: k.neuron, delta: k.delta })), 'neuron', 'delta',
      { xTitle: 'neuron', yTitle: 'Δbpc', sort: false, labels: a.knockout.filter((k) => k.neuron % 16 === 0).map((k) => k.neuron) }));
  return section('boolean', `
<p>Over ${esc(b.split)}; H = ${b.hidden}, H0 ${f(b.h0)} bpc. Sign-only dynamics (h_{t+1} = sgn(z)): ${f(b.signOnly.bpc, 4)} bpc;
the sign bits carry ${pct(b.signShareOfGain)} of the gain H0 − bpc. The readout of sgn h_t on the true trajectory: ${f(a.signReadout.bpc, 4)} bpc
(${pct(a.signReadout.shareOfGap)} of the gain).</p>
${table(['dynamics', 'distinct sign vectors', 'entropy (bits)', 'bpc', 'deterministic keys', 'transitions through them'], [sv(b.trueDynamics), sv(b.signOnly)])}
<div class="row">${hist}${abl}</div>
${figureTable(r.figures.filter((x) => x.section === 'boolean'))}`);
}

async function alignmentSection(r: StudyResults): Promise<string> {
  const { jacobian: j, counterfactual: c, correlation, split } = r.stages.alignment.result;
  const rows = [...j.curve.map((p) => ({ d: p.d, alignment: p.alignment, series: 'Jacobian' })),
    ...c.curve.map((p) => ({ d: p.d, alignment: p.alignment, series: 'counterfactual (byte + 128)' }))].filter((p) => p.alignment !== null);
  const curve = await chart('alignment-curve', `share of |α(t, d)| on byte pairs with PMI_d > 0.5, by offset d (attribution over ${rng(split.attribution)}, PMI over ${rng(split.pmi)})`,
    lineChart(rows, 'd', 'alignment', 'series', { xTitle: 'offset d', yTitle: 'alignment' }));
  const pool = (name: string, x: typeof j.shallow): Array<string | number> => [name, `${x.offsets[0]}–${x.offsets[1]}`, pct(x.alignment), `${pct(x.min, 0)}–${pct(x.max, 0)}`];
  return section('alignment', `
<p>Jacobian α over ${j.positions.toLocaleString('en')} positions (d = 1…${j.maxOffset}); counterfactual at ${c.positions.length} positions (d = 1…${c.maxOffset}).
The two agree in sign on ${pct(correlation.signAgreement)} of ${correlation.pairs} (t, d) pairs, Pearson r ${f(correlation.r)}.</p>
${curve}
${table(['attribution, offsets', 'd', 'pooled alignment', 'per-d range'], [pool('Jacobian, shallow', j.shallow), pool('Jacobian, deep', j.deep),
    pool('counterfactual, shallow', c.shallow), pool('counterfactual, deep', c.deep)])}
${figureTable(r.figures.filter((x) => x.section === 'alignment'))}`);
}

function errorsSection(r: StudyResults): string {
  const e = r.stages.errors.result;
  const fo = e.firstOrder, p = e.pairwise, b = e.boolean;
  return section('errors', `
${table(['source', 'measure', 'this run', 'over'], [
    ['1 first order (Hebbian C vs Wh)', '1 − r², all entries (r)', `${f(fo.oneMinusR2)} (r ${f(fo.r)})`, `states ${rng(fo.states)}`],
    ['', '1 − r² at |Wh| ≥ 3 (r)', fo.strongEntries ? `${f(fo.oneMinusR2Strong)} (r ${f(fo.rStrong)}, ${fo.strongEntries} entries)` : 'empty set', ''],
    ['2 pairwise (offsets ≤ 30)', 'mean synergy; share > 1 bit', `${f(p.mean)} bits over ${p.pairs} pairs; ${pct(p.shareAbove1)}`, `positions ${rng(p.positions)}`],
    ['', 'top pairs (a, b)', p.top.slice(0, 5).map((q) => `(${q.a},${q.b}) ${f(q.synergy, 2)}`).join(' '), ''],
    ['3 Boolean', 'sign-only vs full bpc (Δ)', `${f(b.signOnlyBpc, 4)} vs ${f(b.bpc, 4)} (${f(b.delta)})`, `positions ${rng(b.range)}`],
    ['', 'sign share of the gain', pct(b.signShareOfGain), ''],
  ])}
${figureTable(r.figures.filter((x) => x.section === 'errors'))}`);
}

function provenance(r: StudyResults): string {
  const stages = Object.entries(r.stages).map(([id, s]) => [id, s.title, s.status, f(s.seconds, 2)]);
  const sw = r.software;
  return section('provenance', `
${table([], [
    ['command', r.command],
    ['created', r.createdAt],
    ['corpus', `${r.corpus.name} — ${r.corpus.size} bytes, SHA-256 ${r.corpus.sha256}`],
    ['model', `${r.model.description} — SHA-256 ${r.model.sha256}`],
    ...(r.model.training ? [['training', `${r.model.training.recipe} recipe, seed ${r.model.training.seed}, ${r.model.training.steps} steps, ${f(r.model.training.seconds, 1)} s${r.model.training.cached ? ' (cached from an earlier run)' : ''}`]] : []),
    ['software', `bi-embed ${sw.biEmbed}, Node ${sw.node}, ${sw.platform}/${sw.arch}`],
    ['ISA', `${sw.isa} (available: ${sw.isas.join(', ')}), ${sw.threads} threads`],
    ['results', `results.json, schema ${r.schema} v${r.schemaVersion}`],
    ['time', `${f(r.seconds.total, 1)} s in all, ${f(r.seconds.model, 1)} s for the model`],
  ])}
<h3>Stages</h3>${table(['stage', 'title', 'status', 'seconds'], stages)}`);
}

const CSS = `body{font:15px/1.45 system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{border-bottom:2px solid #4c78a8;padding-bottom:.2em;margin-top:2em}h3{margin-top:1.4em}
table{border-collapse:collapse;margin:.8em 0;font-size:.92em}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f3f5f8}td.num{text-align:right;font-variant-numeric:tabular-nums}
.mark{padding:.1em .5em;border-radius:.8em;font-size:.85em;white-space:nowrap}
.mark.reproduces{background:#d8f0d8;color:#185c18}.mark.differs{background:#f8d8d8;color:#8a1a1a}
.mark.not-reproducible{background:#eee6c8;color:#5c4a10}.mark.not-comparable{background:#e4e4e4;color:#444}
figure.chart{display:inline-block;margin:.5em 1em .5em 0}figcaption{font-size:.85em;color:#555;max-width:480px}
.row{display:flex;flex-wrap:wrap}.pending{background:#f6f6f6;border-left:4px solid #999;padding:.5em 1em}
nav a{margin-right:1em}`;

export async function renderReport(r: StudyResults): Promise<string> {
  const nav = REPORT_SECTIONS.map(([id, t]) => `<a href="#${id}">${esc(t)}</a>`).join(' ');
  const body = [
    await summary(r), await phi(r), await psi(r), await skipgram(r),
    await booleanSection(r), await alignmentSection(r), errorsSection(r), provenance(r),
  ].join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>bi-embed study — ${esc(r.corpus.name)}</title><style>${CSS}</style></head>
<body><h1>bi-embed study: ${esc(r.corpus.name)}</h1>
<p>${esc(r.mode)} mode · model: ${esc(r.model.description)} · bi-embed ${esc(r.software.biEmbed)} · ${esc(r.createdAt)}</p>
<nav>${nav}</nav>
${body}
</body></html>
`;
}
