/**
 * runStudy — the whole study in one call: resolve the corpus and the model (train one if needed), run every
 * stage in order — each read from DIR/cache when its key matches, else computed and cached
 * atomically — then write DIR/results.json (validated against its schema) and
 * DIR/report.html. A run killed at any point resumes at the first stage not cached.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Corpus } from '../corpus';
import { ErrorCodes, fail } from '../errors';
import { info } from '../info';
import { writeFileAtomic } from '../io/atomic';
import { checkOptions, checkPath, checkThreads } from '../validate';
import { version } from '../version';
import { defaultMode, defaultThreads } from '../defaults';
import { DEFAULT_TRAIN_SECONDS } from './defaults';
import { cacheKey, CacheKeyParts, readCached, writeCached } from './cache';
import { STUDY_MODEL_SHA256, STUDY_TEXT_SHA256, studyFigures } from './figures';
import { ModelSource, resolveModel } from './model-source';
import { stageResultSchemas, validateResults, RESULTS_SCHEMA_ID, RESULTS_SCHEMA_VERSION, StudyResults } from './schema';
import { StageContext, StudyMode, StudyTuning } from './stage';
import { PENDING_STAGES, STAGES } from './stages';
import { PENDING_STUDY_NUMBERS } from './figures';

/** The embedded default text: the study's 1 KB slice shipped in data/ (see its attribution file). */
export const EMBEDDED_TEXT = path.resolve(__dirname, '..', '..', 'data', 'enwik_1024.txt');

export interface StudyOptions {
  /** Corpus file; default: the embedded study text (study mode). */
  corpus?: string;
  /** Model file; default: the study's model for the embedded text when found, else trained here. */
  model?: string;
  /** Scale recipe's wall-clock budget when a model is trained (default 120 s). */
  trainSeconds?: number;
  mode?: StudyMode;
  /** Output folder: results.json, report.html, cache/, a trained model.safetensors. */
  out: string;
  threads?: number;
  isa?: string;
  /** Scale mode: test share at the end of the corpus (default 0.1). */
  testFraction?: number;
  /** Smaller analyses (tests, quick looks): stated in results.json through the cache keys. */
  tuning?: StudyTuning;
  /** Recompute every stage (and retrain), ignoring the cache. */
  force?: boolean;
  /** The command line, as the report prints it. */
  command?: string;
  signal?: AbortSignal;
  onEvent?: (e: StudyEvent) => void;
}

export type StudyEvent =
  | { type: 'start'; id: string; title: string; index: number; count: number }
  | { type: 'progress'; id: string; done: number; total: number }
  | { type: 'end'; id: string; status: 'computed' | 'cached' | 'loaded'; seconds: number };

export interface StudyRun {
  results: StudyResults;
  resultsPath: string;
  reportPath: string;
}

const now = (): number => Number(process.hrtime.bigint()) / 1e9;

export async function runStudy(options: StudyOptions): Promise<StudyRun> {
  const t0 = now();
  const opts = checkOptions('runStudy', options);
  checkPath('out', opts.out);
  if (opts.corpus !== undefined) checkPath('corpus', opts.corpus);
  if (opts.model !== undefined) checkPath('model', opts.model);
  const embedded = opts.corpus === undefined;
  const corpusPath = opts.corpus ?? EMBEDDED_TEXT;
  const corpus = Corpus.open(corpusPath);
  const mode: StudyMode = opts.mode ?? defaultMode(corpus);
  if (mode !== 'study' && mode !== 'scale') fail(ErrorCodes.OPTION, `mode must be study or scale, got ${String(mode)}`);
  if (opts.model !== undefined && opts.trainSeconds !== undefined) fail(ErrorCodes.OPTION, 'give either a model or a training budget, not both');
  const trainSeconds = opts.trainSeconds ?? DEFAULT_TRAIN_SECONDS;
  if (!(trainSeconds > 0 && Number.isFinite(trainSeconds))) fail(ErrorCodes.OPTION, `trainSeconds must be a positive number, got ${String(trainSeconds)}`);
  const threads = checkThreads(opts.threads ?? defaultThreads());
  const out = path.resolve(opts.out);
  fs.mkdirSync(out, { recursive: true });
  const packageVersion = version();
  const emit = opts.onEvent ?? ((): void => undefined);
  const count = STAGES.length + 1;

  emit({ type: 'start', id: 'model', title: 'model', index: 0, count });
  const tm = now();
  const { model, source } = await resolveModel(corpus, {
    modelPath: opts.model, embedded, mode, trainSeconds, threads, isa: opts.isa, outDir: out, force: opts.force === true,
    packageVersion, signal: opts.signal,
    onTrainProgress: (p) => emit({ type: 'progress', id: 'model', done: p.totalSteps ? p.step : p.seconds, total: p.totalSteps ?? trainSeconds }),
  });
  const modelSeconds = now() - tm;
  emit({ type: 'end', id: 'model', status: !source.training ? 'loaded' : source.training.cached ? 'cached' : 'computed', seconds: modelSeconds });

  const base = { packageVersion, corpusSha256: corpus.hash(), modelSha256: source.sha256 };
  const stages: Record<string, unknown> = {};
  const results: Record<string, unknown> = {};
  for (const [i, stage] of STAGES.entries()) {
    emit({ type: 'start', id: stage.id, title: stage.title, index: i + 1, count });
    const ctx: StageContext = {
      mode, corpus, model, threads, isa: opts.isa, testFraction: opts.testFraction ?? 0.1, tuning: opts.tuning ?? {}, signal: opts.signal,
      onProgress: (done, total) => emit({ type: 'progress', id: stage.id, done, total }),
    };
    const parts: CacheKeyParts = { ...base, stage: stage.id, stageVersion: stage.version, options: { mode, ...stage.options(ctx) } };
    const key = cacheKey(parts);
    const cached = opts.force ? undefined : (readCached(out, stage.id, key) as { seconds?: unknown; result?: unknown } | undefined);
    const usable = cached !== undefined && typeof cached.seconds === 'number' && stageResultSchemas[stage.id]?.safeParse(cached.result).success === true;
    let entry: { title: string; status: 'computed' | 'cached'; seconds: number; key: string; result: unknown };
    if (usable) {
      entry = { title: stage.title, status: 'cached', seconds: cached.seconds as number, key, result: cached.result };
    } else {
      const ts = now();
      // through JSON once, so what is cached, validated and written are the same values (NaN → null)
      const result: unknown = JSON.parse(JSON.stringify(await stage.run(ctx)));
      const seconds = now() - ts;
      writeCached(out, stage.id, key, parts, { seconds, result });
      entry = { title: stage.title, status: 'computed', seconds, key, result };
    }
    stages[stage.id] = entry;
    results[stage.id] = entry.result;
    emit({ type: 'end', id: stage.id, status: entry.status, seconds: entry.seconds });
  }

  const inf = info();
  const studyText = mode === 'study' && corpus.hash() === STUDY_TEXT_SHA256;
  const studyModel = source.sha256 === STUDY_MODEL_SHA256;
  const draft = {
    schema: RESULTS_SCHEMA_ID,
    schemaVersion: RESULTS_SCHEMA_VERSION,
    createdAt: new Date().toISOString(),
    command: opts.command ?? 'runStudy()',
    mode,
    software: { biEmbed: packageVersion, node: process.version, isa: opts.isa ?? inf.isa, isas: inf.isas, threads, platform: process.platform, arch: process.arch },
    corpus: { name: embedded ? 'enwik_1024.txt (embedded: first 1024 bytes of enwik9)' : path.basename(corpusPath), path: path.resolve(corpusPath), size: corpus.size, sha256: corpus.hash(), embedded },
    model: source as ModelSource,
    stages,
    pending: PENDING_STAGES.map((p) => ({ ...p, study: PENDING_STUDY_NUMBERS[p.id] ?? [] })),
    figures: [] as unknown[],
    seconds: { total: now() - t0, model: modelSeconds },
  };
  // Figures from the validated stage results (the schema's types), then the whole file validated.
  const typed = validateResults({ ...draft, figures: [] });
  draft.figures = studyFigures({ studyText, studyModel, ...Object.fromEntries(Object.entries(typed.stages).map(([k, v]) => [k, v.result])) });
  const final = validateResults(JSON.parse(JSON.stringify(draft)));
  const resultsPath = path.join(out, 'results.json');
  const reportPath = path.join(out, 'report.html');
  writeFileAtomic(resultsPath, Buffer.from(JSON.stringify(final, null, 1) + '\n'));
  // the charting libraries load only here: `require('bi-embed')` and the CLI stay quick to start
  const { renderReport } = await import('../report/html');
  writeFileAtomic(reportPath, Buffer.from(await renderReport(final)));
  return { results: final, resultsPath, reportPath };
}

/** Reads and validates a results.json. */
export function readResults(file: string): StudyResults {
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    fail(ErrorCodes.FILE_READ, `cannot read ${file}: ${(e as Error).message}`);
  }
  return validateResults(value, file);
}
