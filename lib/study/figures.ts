/**
 * Each figure of the run beside the study's own number, with a mark:
 *  - reproduces / differs: a number study mode must reproduce (bpc 0.079, the Wx top bytes, the factor
 *    map, the read-back ladder, skip-4 and greedy skip-8), compared at the study's printed digits;
 *  - not-reproducible: a study number that does not follow from its public model and data
 *    (the analytic and optimised bpc, the margin, the Hebbian r, sign-vector counts, the baselines): ours is reported beside it, never tuned toward it;
 *  - not-comparable: the run's text (or, for figures of the model, its model) is not the study's.
 */
import { STUDY_FILES } from '../fetch/sources';
import { PHI_STUDY_FIGURES } from '../phi';
import { STUDY_FIGURES } from '../psi';
import { STUDY_ATTRIBUTION_FIGURES } from '../attribution/run';
import { STUDY_BOOLEAN_FIGURES } from '../boolean/run';
import { STUDY_ERROR_FIGURES } from '../error-sources/run';
import type { StudyFigure as Figure, StudyResults } from './schema';

type Stages = StudyResults['stages'];

export const STUDY_BPC = 0.079;
export const STUDY_SKIP4 = { offsets: [1, 8, 20, 3], bpc: 0.069, patterns: 712 };
export const STUDY_GREEDY8 = [1, 8, 20, 3, 27, 2, 12, 7];

/** SHA-256 of the study's two public files (study/enwik_1024.txt, study/sat_model.bin's 82,304 float32). */
export const STUDY_TEXT_SHA256 = STUDY_FILES.find((f) => f.name === 'enwik_1024.txt')!.sha256;
export const STUDY_MODEL_SHA256 = STUDY_FILES.find((f) => f.name === 'sat_model.bin')!.sha256;

export interface FigureInputs {
  /** The corpus is the study's text: figures of the data alone (φ, skip-k-grams) compare. */
  studyText: boolean;
  /** … and the model is the study's: every figure compares. */
  studyModel: boolean;
  eval?: Stages['eval']['result'];
  phi?: Stages['phi']['result'];
  psi?: Stages['psi']['result'];
  skipgram?: Stages['skipgram']['result'];
  boolean?: Stages['boolean']['result'];
  alignment?: Stages['alignment']['result'];
  errors?: Stages['errors']['result'];
}

export function studyFigures(r: FigureInputs): Figure[] {
  const out: Figure[] = [];
  // φ and skip-k-gram figures depend on the text only; the others on the model too.
  const comparable = (section: Figure['section']): boolean =>
    r.studyText && (r.studyModel || section === 'skipgram' || section === 'phi');
  const target = (section: Figure['section'], name: string, ours: string, study: string): void => {
    out.push({ section, name, ours, study, mark: !comparable(section) ? 'not-comparable' : ours === study ? 'reproduces' : 'differs' });
  };
  const reported = (section: Figure['section'], name: string, ours: string, study: string, ofModel = false): void => {
    out.push({ section, name, ours, study, mark: comparable(section) && (!ofModel || r.studyModel) ? 'not-reproducible' : 'not-comparable' });
  };
  if (r.eval) target('summary', 'bpc of the model', r.eval.trainBpc.toFixed(3), STUDY_BPC.toFixed(3));
  if (r.phi) {
    reported('phi', 'analytic construction, bpc', r.phi.analytic.trainBpc.toFixed(2), PHI_STUDY_FIGURES.analytic.toFixed(2));
    reported('phi', 'optimised construction, bpc', r.phi.optimised.trainBpc.toFixed(2), PHI_STUDY_FIGURES.optimised.toFixed(2));
    if (r.eval) reported('phi', 'trained model, bpc (the study: trained 4.97; test: analytic 4.88 vs trained 5.08)', r.eval.trainBpc.toFixed(2), '4.97', true);
  }
  if (r.psi) {
    const p = r.psi.read;
    const s = STUDY_FIGURES;
    target('psi', 'Wx top bytes (column norm)', p.wxTop.slice(0, 3).map((b) => `${b.name} ${b.norm.toFixed(2)}`).join(', '),
      s.wxTop.map((b) => `${b.name} ${b.norm.toFixed(2)}`).join(', '));
    const ae = p.wxTop.slice(3, 5);
    reported('psi', 'Wx 4th and 5th bytes', ae.map((b) => `${b.name} ${b.norm.toFixed(2)}`).join(', '), 'a 2.81, e 2.65');
    const wh = p.hebbian.Wh;
    reported('psi', 'Hebbian r(C, Wh) at |Wh| ≥ 3', wh.rStrong.value === null ? `empty set (n = ${wh.rStrong.n})` : wh.rStrong.value.toFixed(2),
      s.hebbian.rStrong.toFixed(2));
    const sign = wh.signAccuracy[wh.signAccuracy.length - 1];
    reported('psi', `Hebbian sign accuracy at |Wh| ≥ ${sign.threshold}`, sign.value === null ? `empty set (n = ${sign.n})` : `${(100 * sign.value).toFixed(1)}%`,
      `${(100 * s.hebbian.signAccuracy).toFixed(1)}%`);
    const fm = p.factorMap;
    target('psi', 'factor map mean R²', fm.meanR2.toFixed(3), s.factorMap.meanR2.toFixed(3));
    target('psi', `neurons with R² ≥ ${fm.threshold.toFixed(2)}`, `${fm.countAbove}/${p.hidden}`, `${s.factorMap.countAbove}/128`);
    const top = fm.pairHistogram[0];
    target('psi', 'most frequent best lag pair', top ? `(${top.pair.join(',')}) × ${top.neurons}` : 'none',
      `(${s.factorMap.bestPair.pair.join(',')}) × ${s.factorMap.bestPair.neurons}`);
    const [wl, it] = [p.readBack.levels[1], p.readBack.levels[2]];
    if (wl) target('psi', 'read-back + word_len, bpc (share of gain)', `${wl.bpc.toFixed(2)} (${Math.round(100 * wl.shareOfGain)}%)`,
      `${s.readBack.wordLen.bpc.toFixed(2)} (${Math.round(100 * s.readBack.wordLen.shareOfGain)}%)`);
    if (it) target('psi', 'read-back + word_len + in_tag, bpc (share of gain)', `${it.bpc.toFixed(2)} (${(100 * it.shareOfGain).toFixed(1)}%)`,
      `${s.readBack.inTag.bpc.toFixed(2)} (${(100 * s.readBack.inTag.shareOfGain).toFixed(1)}%)`);
    if (p.stateFeatures) target('psi', 'neurons whose best state feature is word_len', `${p.stateFeatures.wins['word_len'] ?? 0}/${p.hidden}`, `${s.stateFeatures.wordLenWins}/128`);
  }
  if (r.skipgram) {
    const k4 = r.skipgram.skip4;
    if (k4) target('skipgram', `skip-4 [${k4.offsets.join(',')}]: H(Y | X_D), patterns`, `${k4.bpc.toFixed(3)} bpc, ${k4.patterns} patterns`,
      `${STUDY_SKIP4.bpc.toFixed(3)} bpc, ${STUDY_SKIP4.patterns} patterns`);
    target('skipgram', 'greedy skip-8 offsets', `[${r.skipgram.greedy.offsets.join(',')}]`, `[${STUDY_GREEDY8.join(',')}]`);
  }
  // Boolean, alignment, errors: none of the study's numbers follows from its public model and text (
  // the alignment percentages come without their positions or PMI counts): reported, never targets.
  const pc = (v: number | null): string => (v === null ? '—' : `${(100 * v).toFixed(1)}%`);
  if (r.boolean) {
    const b = r.boolean;
    reported('boolean', 'distinct sign vectors (true dynamics; sign-only)', `${Math.round(b.trueDynamics.distinct)}; ${Math.round(b.signOnly.distinct)}`,
      String(STUDY_BOOLEAN_FIGURES.signVectors), true);
    reported('boolean', "sign bits' share of the gain (sign-only dynamics)", pc(b.signShareOfGain), pc(STUDY_BOOLEAN_FIGURES.signShareOfGain), true);
    reported('boolean', 'mean margin |z|', b.trueDynamics.margins.mean.toFixed(1), String(STUDY_BOOLEAN_FIGURES.meanMargin), true);
  }
  if (r.alignment) {
    const { jacobian: j, counterfactual: c } = r.alignment;
    const a = STUDY_ATTRIBUTION_FIGURES;
    reported('alignment', `PMI alignment, shallow (Jacobian d ${j.shallow.offsets.join('–')}; counterfactual)`, `${pc(j.shallow.alignment)}; ${pc(c.shallow.alignment)}`,
      `${pc(a.shallow.alignment)} (d ${a.shallow.offsets.join('–')})`, true);
    reported('alignment', `PMI alignment, deep (Jacobian d ${j.deep.offsets.join('–')}; counterfactual)`, `${pc(j.deep.alignment)}; ${pc(c.deep.alignment)}`,
      `${a.deep.alignment.map((v) => pc(v)).join('–')} (d ≥ ${a.deep.offsets[0]})`, true);
  }
  if (r.errors) {
    const e = r.errors;
    const s = STUDY_ERROR_FIGURES;
    reported('errors', 'first order: Hebbian r at |Wh| ≥ 3', e.firstOrder.rStrong === null ? `empty set (n = ${e.firstOrder.strongEntries})` : e.firstOrder.rStrong.toFixed(2),
      s.hebbianR.toFixed(2), true);
    reported('errors', 'pairwise: mean synergy of offset pairs ≤ 30 (share > 1 bit)', `${e.pairwise.mean.toFixed(3)} bits (${pc(e.pairwise.shareAbove1)})`, s.synergy, true);
    reported('errors', 'Boolean: sign share of the gain', pc(e.boolean.signShareOfGain), pc(s.signShareOfGain), true);
  }
  return out;
}

/** The study's numbers of analyses not yet available, shown beside "not yet available" (none at present). */
export const PENDING_STUDY_NUMBERS: Record<string, string[]> = {};
