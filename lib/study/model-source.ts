/**
 * The model a study runs on, and where it came from (the report says which):
 *  - `given`: --model FILE;
 *  - `study`: the study's sat_model.bin (embedded default text only), from BI_EMBED_STUDY_DIR,
 *    the `bi-embed fetch study` cache, or ../shared/study beside the package;
 *  - `trained`: trained here — study recipe (seed 1) in study mode, scale recipe for
 *    `trainSeconds` otherwise — into DIR/model.safetensors, cached like a stage; a killed
 *    training resumes from its checkpoint (with the time budget again).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Corpus } from '../corpus';
import { loadModel } from '../io/model-file';
import { Model } from '../model';
import { STUDY_MODEL, studyDir } from '../study';
import { train, TrainProgress } from '../train';
import { studyCacheDir } from '../fetch/cache-dir';
import { cacheKey, CacheKeyParts, readCached, sha256, writeCached } from './cache';
import { StudyMode } from './stage';

export interface ModelSource {
  kind: 'given' | 'study' | 'trained';
  /** The file read (given, study) or written (trained). */
  path: string;
  description: string;
  sha256: string;
  training?: { recipe: 'study' | 'scale'; seed: number; seconds: number; steps: number; trainBpc: number; testBpc: number | null; cached: boolean };
}

/** The study's sat_model.bin where it can be found, or undefined. */
export function findStudyModel(): string | undefined {
  const dirs = [process.env.BI_EMBED_STUDY_DIR, studyCacheDir(), studyDir()].filter((d): d is string => !!d);
  for (const d of dirs) {
    const f = path.join(path.resolve(d), STUDY_MODEL);
    if (fs.existsSync(f)) return f;
  }
  return undefined;
}

export const modelSha256 = (m: Model): string => sha256(new Uint8Array(m.params.buffer, m.params.byteOffset, m.params.byteLength));

export interface ResolveOptions {
  modelPath?: string;
  /** The corpus is the embedded study text: the study's model may stand in. */
  embedded: boolean;
  mode: StudyMode;
  trainSeconds: number;
  threads: number;
  isa?: string;
  outDir: string;
  force: boolean;
  packageVersion: string;
  signal?: AbortSignal;
  onTrainProgress?: (p: TrainProgress) => void;
}

export async function resolveModel(corpus: Corpus, o: ResolveOptions): Promise<{ model: Model; source: ModelSource }> {
  if (o.modelPath) {
    const model = loadModel(o.modelPath);
    return { model, source: { kind: 'given', path: path.resolve(o.modelPath), description: `given: ${o.modelPath}`, sha256: modelSha256(model) } };
  }
  const study = o.embedded ? findStudyModel() : undefined;
  if (study) {
    const model = loadModel(study);
    return { model, source: { kind: 'study', path: study, description: "the study's own sat_model.bin", sha256: modelSha256(model) } };
  }
  return trainModel(corpus, o);
}

async function trainModel(corpus: Corpus, o: ResolveOptions): Promise<{ model: Model; source: ModelSource }> {
  const recipe = o.mode;
  const seed = 1;
  const parts: CacheKeyParts = {
    stage: 'train', stageVersion: 1, packageVersion: o.packageVersion, corpusSha256: corpus.hash(), modelSha256: '',
    // the thread count changes a scale run's weights (a run is deterministic per seed, ISA and thread count)
    options: { recipe, seed, ...(recipe === 'scale' ? { seconds: o.trainSeconds, threads: o.threads, isa: o.isa } : {}) },
  };
  const key = cacheKey(parts);
  const out = path.join(o.outDir, 'model.safetensors');
  const checkpoint = path.join(o.outDir, `model-${key.slice(0, 12)}.ckpt.safetensors`);
  const cached = o.force ? undefined : (readCached(o.outDir, 'train', key) as ModelSource['training'] | undefined);
  if (cached && fs.existsSync(out)) {
    const model = loadModel(out);
    return { model, source: { kind: 'trained', path: out, description: describe(recipe, seed, o), sha256: modelSha256(model), training: { ...cached, cached: true } } };
  }
  if (o.force) fs.rmSync(checkpoint, { force: true });
  const r = await train({
    corpus, recipe, seed, threads: recipe === 'scale' ? o.threads : 1, isa: o.isa, out, checkpoint,
    resume: fs.existsSync(checkpoint), ...(recipe === 'scale' ? { seconds: o.trainSeconds } : {}),
  }, { signal: o.signal, onProgress: o.onTrainProgress });
  const training = { recipe, seed, seconds: r.seconds, steps: r.steps, trainBpc: r.trainBpc, testBpc: r.testBpc, cached: false };
  writeCached(o.outDir, 'train', key, parts, training);
  fs.rmSync(checkpoint, { force: true });
  return { model: r.model, source: { kind: 'trained', path: out, description: describe(recipe, seed, o), sha256: modelSha256(r.model), training } };
}

function describe(recipe: StudyMode, seed: number, o: ResolveOptions): string {
  return recipe === 'study'
    ? `trained here with the study recipe (SGD, BPTT-50, 4000 epochs, seed ${seed}): the study's sat_model.bin was not found (bi-embed fetch study)`
    : `trained here with the scale recipe (Adam, BPTT-50, parallel streams, seed ${seed}, ${o.trainSeconds} s, ${o.threads} threads)`;
}
