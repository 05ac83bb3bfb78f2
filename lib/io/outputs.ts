/**
 * Output paths are checked before any work starts (docs/reliability.md): each one can be
 * written (its folder exists, is a folder and accepts a new file — probed, since access(2)
 * says yes to root even on /proc), has an extension its writer accepts, and resolves (symlinks
 * and hard links followed) neither to an input nor to another output. A run that would end by
 * overwriting the corpus, or by failing to write its model after an hour, ends at once instead.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ErrorCodes, fail } from '../errors';
import { shown } from '../validate';

export interface OutputPath {
  path: string;
  /** What the file is, for messages ("model (--out)"). */
  what: string;
  /** Accepted extensions (lower case, with the dot); any when absent. */
  extensions?: readonly string[];
}

/** The file a path names: device and inode when it exists (links followed), else its resolved path. */
function identity(p: string): string {
  try {
    const s = fs.statSync(p);
    return `inode ${s.dev}:${s.ino}`;
  } catch {
    let dir = path.dirname(path.resolve(p));
    try { dir = fs.realpathSync(dir); } catch { /* reported by checkFolder */ }
    return `path ${path.join(dir, path.basename(p))}`;
  }
}

/** The folder exists, is a folder, and a new file can be created in it. Errors: E_FILE_WRITE. */
function checkFolder(dir: string, forWhat: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch {
    fail(ErrorCodes.FILE_WRITE, `cannot write ${forWhat}: the folder ${dir} does not exist`);
  }
  if (!st.isDirectory()) fail(ErrorCodes.FILE_WRITE, `cannot write ${forWhat}: ${dir} is not a folder`);
  const probe = path.join(dir, `.bi-embed-probe.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    fs.closeSync(fs.openSync(probe, 'wx'));
    fs.unlinkSync(probe);
  } catch (e) {
    fail(ErrorCodes.FILE_WRITE, `cannot write ${forWhat}: cannot create a file in ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/**
 * Checks every output before the work starts. `inputs` are files the run reads (paths that do
 * not exist are ignored). Errors: E_OPTION (not a path, wrong extension, would overwrite an input
 * or another output), E_FILE_WRITE (folder missing or not writable, the path is a folder).
 */
export function checkOutputPaths(outputs: readonly OutputPath[], inputs: ReadonlyArray<string | undefined> = []): void {
  const taken = new Map<string, string>();
  for (const input of inputs) {
    if (input !== undefined && fs.existsSync(input)) taken.set(identity(input), `the input ${input}`);
  }
  for (const o of outputs) {
    if (typeof o.path !== 'string' || o.path === '') fail(ErrorCodes.OPTION, `${o.what} must be a file path, got ${shown(o.path)}`);
    if (fs.existsSync(o.path) && !fs.statSync(o.path).isFile()) fail(ErrorCodes.FILE_WRITE, `cannot write ${o.what}: ${o.path} is not a regular file`);
    const id = identity(o.path);
    const other = taken.get(id);
    if (other !== undefined) fail(ErrorCodes.OPTION, `${o.what} ${o.path} is ${other}: refusing to overwrite it`);
    const ext = path.extname(o.path).toLowerCase();
    if (o.extensions && !o.extensions.includes(ext)) {
      fail(ErrorCodes.OPTION, `${o.what} ${o.path} must end in ${o.extensions.join(' or ')}`);
    }
    checkFolder(path.dirname(path.resolve(o.path)), `${o.what} ${o.path}`);
    taken.set(id, `the ${o.what} too`);
  }
}

/**
 * An output folder: created (one level, never recursively — Node's recursive mkdir spins on
 * /proc) when its parent exists, then checked like a file's folder, and its files like outputs.
 */
export function prepareOutputFolder(dir: string, files: readonly OutputPath[], inputs: ReadonlyArray<string | undefined> = []): void {
  if (typeof dir !== 'string' || dir === '') fail(ErrorCodes.OPTION, `the output folder must be a path, got ${shown(dir)}`);
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) fail(ErrorCodes.FILE_WRITE, `cannot write into ${dir}: it is a file, not a folder`);
  if (!fs.existsSync(dir)) {
    checkFolder(path.dirname(path.resolve(dir)), `the folder ${dir}`);
    try {
      fs.mkdirSync(dir);
    } catch (e) {
      fail(ErrorCodes.FILE_WRITE, `cannot create the folder ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  checkOutputPaths(files.map((f) => ({ ...f, path: path.join(dir, f.path) })), inputs);
}
