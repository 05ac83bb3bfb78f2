/**
 * The study's own files (SPEC §9) are not ours to redistribute: they are read from the
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
      fail(ErrorCodes.STUDY_DIR, `the study's file ${f} is missing. Set BI_EMBED_STUDY_DIR to the folder holding ${STUDY_MODEL} and ${STUDY_TEXT} (the study's public artifacts; see README).`);
    }
  }
  return { dir, model, text };
}
