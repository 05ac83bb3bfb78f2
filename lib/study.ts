/**
 * The study's own files (enwik_1024.txt and sat_model.bin) are not ours to redistribute: they are read from the
 * folder named by BI_EMBED_STUDY_DIR (default ../shared/study beside the package).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCodes, fail } from './errors';

export const STUDY_MODEL = 'sat_model.bin';
export const STUDY_TEXT = 'enwik_1024.txt';

export function studyDir(): string {
  const env = process.env.BI_EMBED_STUDY_DIR;
  return env ? path.resolve(env) : path.resolve(__dirname, '..', '..', 'shared', 'study');
}

/** Paths of the study's model and text; a clear error when the folder is missing. */
export function studyFiles(): { dir: string; model: string; text: string } {
  const dir = studyDir();
  const model = path.join(dir, STUDY_MODEL);
  const text = path.join(dir, STUDY_TEXT);
  for (const f of [model, text]) {
    if (!fs.existsSync(f)) {
      const where = process.env.BI_EMBED_STUDY_DIR
        ? `BI_EMBED_STUDY_DIR=${process.env.BI_EMBED_STUDY_DIR}`
        : `the default ${dir} (a clone's ../shared/study; in an installed package that lands inside node_modules, so set BI_EMBED_STUDY_DIR there)`;
      fail(ErrorCodes.STUDY_DIR, `the study's file ${f} is missing (looked in ${where}). Set BI_EMBED_STUDY_DIR=/path/to/folder holding ${STUDY_MODEL} and ${STUDY_TEXT} (the study's public artifacts; see README), or pass --model and --corpus.`);
    }
  }
  return { dir, model, text };
}
