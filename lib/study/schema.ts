/**
 * results.json, defined once: the zod schema below is the source of the TypeScript types
 * (z.infer), of the validation before writing and on reading, and of the JSON Schema
 * shipped in the package (schema/results.schema.json, `npm run build:schema`).
 * Stage results name the fields the report and the tests read; the rest of each analysis's
 * result passes through unchecked (its TypeScript type is in its module).
 * Numbers that can be undefined (NaN, an empty set) are null.
 */
import { z } from 'zod';
import { ErrorCodes, fail } from '../errors';

export const RESULTS_SCHEMA_ID = 'bi-embed/study-results';
/** v2: the Boolean, alignment and errors stages (sign vectors and margins; Jacobian and counterfactual attribution with PMI alignment; Hebbian 1 − r², synergy, sign-only bpc) and their figure sections. */
export const RESULTS_SCHEMA_VERSION = 2;

const num = z.number();
const opt = z.number().nullable();
const range = z.tuple([z.number(), z.number()]);

const evalResult = z.object({ trainBpc: num, trainBytes: num.optional(), testBpc: opt, positions: num, isa: z.string(), seconds: num });

const phiRow = z.looseObject({ name: z.string(), trainBpc: num, testBpc: opt.optional(), paramsFromData: num, fittedBy: z.string(), seconds: num });
const phiResult = z.looseObject({
  mode: z.enum(['study', 'scale']),
  train: range,
  test: range.optional(),
  sampling: z.string(),
  analytic: phiRow.extend({ alpha: num, scale: num }),
  analyticSignBias: phiRow.optional(),
  optimised: phiRow,
  trained: phiRow.nullable().optional(),
  trainedFromConstruction: phiRow.nullable().optional(),
  trainedReason: z.string().optional(),
  trainBudgetSeconds: num.optional(),
  claim: z.string().optional(),
});

const subset = z.object({ threshold: num, n: num, value: opt });
const comparison = z.looseObject({ entries: num, r: opt, rStrong: subset, signAccuracy: z.array(subset) });
const psiResult = z.object({
  read: z.looseObject({
    mode: z.enum(['study', 'scale']),
    hidden: num,
    wxTop: z.array(z.looseObject({ name: z.string(), norm: num })),
    hebbian: z.looseObject({ Wh: comparison, Wx: comparison, Wy: comparison }),
    factorMap: z.looseObject({
      lags: z.array(num), split: z.string(), meanR2: num, countAbove: num, threshold: num, meanSingleR2: num,
      pairHistogram: z.array(z.looseObject({ pair: range, neurons: num })),
      neurons: z.array(z.looseObject({ neuron: num, pair: range, r2: num })),
    }),
    readBack: z.looseObject({
      split: z.string(), positions: num, h0: num, bpcRnn: num,
      levels: z.array(z.looseObject({ name: z.string(), bpc: num, shareOfGain: num })),
    }),
    stateFeatures: z.looseObject({ wins: z.record(z.string(), num) }).optional(),
  }),
  hebbianScatter: z.object({ states: range, stride: num, points: z.array(range) }),
});

const skipgramResult = z.object({
  greedy: z.looseObject({
    mode: z.enum(['study', 'scale']),
    offsets: z.array(num),
    bpc: num,
    patterns: num,
    testBpc: num.optional(),
    split: z.looseObject({ train: range, fit: range, valid: range, test: range }).optional(),
    miProfile: z.looseObject({
      maxOffset: num,
      single: z.array(opt),
      greedy: z.array(z.looseObject({ offsets: z.array(num), added: num, score: num })),
    }),
    orders: z.array(z.looseObject({ k: num, offsets: z.array(num), testBpc: num, contiguous: z.looseObject({ testBpc: num }) })).optional(),
    witness: z.looseObject({
      positions: num, rnnAccuracy: num, coverage: num, coverageCorrect: opt, coverageIncorrect: opt,
      byDepth: z.array(z.looseObject({ depth: num, share: num })),
    }).optional(),
  }),
  skip4: z.object({ offsets: z.array(num), bpc: num, patterns: num, contexts: num }).optional(),
  memory: z.object({ maxBytes: num, probeBytesPerPosition: num, countBytes: num }).optional(),
});

const signVectors = z.looseObject({
  dynamics: z.string(), positions: num, bpc: opt, estimated: z.boolean(), distinct: num, transitionKeys: num, entropy: num,
  deterministicKeyShare: num, deterministicTransitionShare: num,
  margins: z.looseObject({
    count: num, mean: num, median: num, shareBelow1: num, shareBelow01: num,
    histogram: z.array(z.object({ from: num, to: opt, count: num })),
  }),
});
const neuronEffect = z.object({ neuron: num, bpc: num, delta: num, shareOfGap: num });
const booleanResult = z.looseObject({
  mode: z.enum(['study', 'scale']),
  hidden: num,
  split: z.string(),
  h0: num,
  trueDynamics: signVectors,
  signOnly: signVectors,
  signShareOfGain: num,
  ablation: z.looseObject({
    range, positions: num, h0: num, bpc: num, gap: num, knockout: z.array(neuronEffect), keepOnly: z.array(neuronEffect),
    signReadout: z.object({ bpc: num, shareOfGap: num }), meanKnockoutDelta: num,
  }),
});

const pooled = z.object({ offsets: range, alignment: opt, min: opt, max: opt });
const curvePoint = z.looseObject({ d: num, positions: num, meanAbs: opt, alignment: opt });
const alignmentResult = z.looseObject({
  mode: z.enum(['study', 'scale']),
  hidden: num,
  split: z.object({ pmi: range, attribution: range }),
  jacobian: z.looseObject({ positions: num, maxOffset: num, curve: z.array(curvePoint), shallow: pooled, deep: pooled }),
  counterfactual: z.looseObject({ positions: z.array(num), maxOffset: num, curve: z.array(curvePoint), shallow: pooled, deep: pooled }),
  correlation: z.object({ r: opt, pairs: num, signAgreement: opt }),
});

const errorsResult = z.looseObject({
  mode: z.enum(['study', 'scale']),
  hidden: num,
  firstOrder: z.looseObject({ states: range, r: opt, oneMinusR2: opt, rStrong: opt, strongEntries: num, oneMinusR2Strong: opt }),
  pairwise: z.looseObject({ positions: range, maxOffset: num, pairs: num, mean: num, shareAbove1: num, top: z.array(z.looseObject({ a: num, b: num, synergy: num })) }),
  boolean: z.object({ range, h0: num, bpc: num, signOnlyBpc: num, delta: num, signShareOfGain: num }),
});

/** Each stage's result schema, by stage id: a cached result that fails its schema is recomputed. */
export const stageResultSchemas: Record<string, z.ZodType> = {
  eval: evalResult, phi: phiResult, psi: psiResult, skipgram: skipgramResult, boolean: booleanResult, alignment: alignmentResult, errors: errorsResult,
};

/** One stage's entry: how it was obtained and its result. */
const stage = <T extends z.ZodType>(result: T) => z.object({
  title: z.string(),
  /** computed in this run, or read from DIR/cache under the same key. */
  status: z.enum(['computed', 'cached']),
  /** Seconds of the computation (for a cached stage: of the run that computed it). */
  seconds: num,
  key: z.string(),
  result,
});

export const figureSchema = z.object({
  section: z.enum(['summary', 'phi', 'psi', 'skipgram', 'boolean', 'alignment', 'errors']),
  name: z.string(),
  ours: z.string(),
  study: z.string(),
  mark: z.enum(['reproduces', 'differs', 'not-reproducible', 'not-comparable']),
});

export const resultsSchema = z.object({
  schema: z.literal(RESULTS_SCHEMA_ID),
  schemaVersion: z.literal(RESULTS_SCHEMA_VERSION),
  createdAt: z.string(),
  command: z.string(),
  mode: z.enum(['study', 'scale']),
  software: z.object({
    biEmbed: z.string(), node: z.string(), isa: z.string(), isas: z.array(z.string()), threads: num, platform: z.string(), arch: z.string(),
  }),
  corpus: z.object({ name: z.string(), path: z.string(), size: num, sha256: z.string(), embedded: z.boolean() }),
  model: z.object({
    kind: z.enum(['given', 'study', 'trained']),
    path: z.string(),
    description: z.string(),
    sha256: z.string(),
    training: z.object({
      recipe: z.enum(['study', 'scale']), seed: num, seconds: num, steps: num, trainBpc: num, testBpc: opt, cached: z.boolean(),
    }).optional(),
  }),
  stages: z.object({
    eval: stage(evalResult),
    phi: stage(phiResult),
    psi: stage(psiResult),
    skipgram: stage(skipgramResult),
    boolean: stage(booleanResult),
    alignment: stage(alignmentResult),
    errors: stage(errorsResult),
  }),
  /** Analyses listed by the study whose code has not landed: no numbers, only the study's. */
  pending: z.array(z.object({ id: z.string(), title: z.string(), pending: z.string(), study: z.array(z.string()) })),
  figures: z.array(figureSchema),
  seconds: z.object({ total: num, model: num }),
});

export type StudyResults = z.infer<typeof resultsSchema>;
export type StudyFigure = z.infer<typeof figureSchema>;

/** Validates a parsed results.json (or one about to be written): E_RESULTS_SCHEMA with the first problems. */
export function validateResults(value: unknown, what = 'results.json'): StudyResults {
  const r = resultsSchema.safeParse(value);
  if (!r.success) {
    const issues = r.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    fail(ErrorCodes.RESULTS_SCHEMA, `${what} does not match schema ${RESULTS_SCHEMA_ID} v${RESULTS_SCHEMA_VERSION}: ${issues}`);
  }
  return r.data;
}

/** The JSON Schema (draft 2020-12) of results.json. */
export function resultsJsonSchema(): Record<string, unknown> {
  return { $id: `urn:${RESULTS_SCHEMA_ID.replace('/', ':')}:v${RESULTS_SCHEMA_VERSION}`, ...z.toJSONSchema(resultsSchema, { io: 'input' }) };
}
