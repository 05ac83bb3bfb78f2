/**
 * `bi-embed fetch study|enwik8`: download into the per-user cache (lib/fetch/cache-dir.ts),
 * resumable and verified. A file already in place and verified is not downloaded again.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yauzl from 'yauzl';
import { ErrorCodes, fail } from '../errors';
import { enwik8Path, studyCacheDir } from './cache-dir';
import { download, DownloadOptions } from './download';
import { ENWIK8_SIZE, enwik8Url, STUDY_FILES, studyBaseUrl } from './sources';

const STUDY_TEXT_SHA256 = STUDY_FILES.find((f) => f.name === 'enwik_1024.txt')!.sha256;

export interface FetchedFile {
  path: string;
  sha256: string;
  bytes: number;
  /** false when the file was already in the cache and verified. */
  downloaded: boolean;
}

export interface FetchOptions {
  /** Progress of the file being downloaded. */
  onProgress?: (file: string, done: number, total: number | null) => void;
  signal?: AbortSignal;
}

function sha256Of(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** The study's enwik_1024.txt and sat_model.bin → CACHE/study/. */
export async function fetchStudy(opts: FetchOptions = {}): Promise<FetchedFile[]> {
  const dir = studyCacheDir();
  const out: FetchedFile[] = [];
  for (const f of STUDY_FILES) {
    const dest = path.join(dir, f.name);
    if (fs.existsSync(dest) && sha256Of(dest) === f.sha256) {
      out.push({ path: dest, sha256: f.sha256, bytes: f.size, downloaded: false });
      continue;
    }
    const d: DownloadOptions = { sha256: f.sha256, signal: opts.signal, onProgress: (a, b) => opts.onProgress?.(f.name, a, b) };
    const sha = await download(`${studyBaseUrl()}/${f.name}`, dest, d);
    out.push({ path: dest, sha256: sha, bytes: fs.statSync(dest).size, downloaded: true });
  }
  return out;
}

/** enwik8.zip → CACHE/enwik8/enwik8, checked: 100,000,000 bytes starting with the study's 1 KB. */
export async function fetchEnwik8(opts: FetchOptions = {}): Promise<FetchedFile> {
  const dest = enwik8Path();
  if (fs.existsSync(dest) && checkEnwik8(dest, false)) {
    return { path: dest, sha256: sha256Of(dest), bytes: ENWIK8_SIZE, downloaded: false };
  }
  const zip = path.join(path.dirname(dest), 'enwik8.zip');
  if (!fs.existsSync(zip)) {
    await download(enwik8Url(), zip, { signal: opts.signal, onProgress: (a, b) => opts.onProgress?.('enwik8.zip', a, b) });
  }
  const tmp = `${dest}.unzip`;
  try {
    await unzipEntry(zip, 'enwik8', tmp);
  } catch (e) {
    fs.rmSync(zip, { force: true });
    fs.rmSync(tmp, { force: true });
    fail(ErrorCodes.FETCH, `cannot unzip ${zip} (${(e as Error).message}): removed it; run the command again to download it anew`);
  }
  checkEnwik8(tmp, true);
  fs.renameSync(tmp, dest);
  fs.rmSync(zip, { force: true });
  return { path: dest, sha256: sha256Of(dest), bytes: ENWIK8_SIZE, downloaded: true };
}

/** 100,000,000 bytes whose first 1024 are the study's text; `strict` throws (and removes the file) instead of returning false. */
function checkEnwik8(file: string, strict: boolean): boolean {
  const size = fs.statSync(file).size;
  const head = Buffer.alloc(1024);
  const fd = fs.openSync(file, 'r');
  try { fs.readSync(fd, head, 0, 1024, 0); } finally { fs.closeSync(fd); }
  const headOk = createHash('sha256').update(head).digest('hex') === STUDY_TEXT_SHA256;
  if (size === ENWIK8_SIZE && headOk) return true;
  if (!strict) return false;
  fs.rmSync(file, { force: true });
  fail(ErrorCodes.FETCH, size !== ENWIK8_SIZE
    ? `the unzipped enwik8 has ${size} bytes, expected ${ENWIK8_SIZE}`
    : "the unzipped enwik8's first 1024 bytes are not the study's text");
}

/** Extracts the entry named `name` (CRC-checked by yauzl) to `dest`. */
function unzipEntry(zip: string, name: string, dest: string): Promise<void> {
  return new Promise((resolve, reject) => {
    yauzl.open(zip, { lazyEntries: true }, (err, z) => {
      if (err || !z) return reject(err ?? new Error('no zip'));
      let found = false;
      z.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName !== name) return z.readEntry();
        found = true;
        z.openReadStream(entry, (e2, stream) => {
          if (e2 || !stream) return reject(e2 ?? new Error('no stream'));
          const out = fs.createWriteStream(dest);
          stream.on('error', reject);
          out.on('error', reject);
          out.on('finish', () => { z.close(); resolve(); });
          stream.pipe(out);
        });
      });
      z.on('end', () => { if (!found) reject(new Error(`no entry named ${name}`)); });
      z.on('error', reject);
      z.readEntry();
    });
  });
}
