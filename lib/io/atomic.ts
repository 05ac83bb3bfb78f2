/**
 * Atomic file replacement: write a temp file beside the target, fsync it, rename it over the
 * target, fsync the directory. A reader sees either the old file or the new one, never a torn
 * mix, and a failed write leaves the previous file intact and no temp file behind. A process
 * killed mid-write (SIGKILL, power loss) leaves its temp file; the next write to the same target
 * removes the temp files of that target whose writer process no longer exists.
 */
import * as fs from 'fs';
import * as path from 'path';
import { randomBytes } from 'crypto';
import { BiEmbedError, ErrorCodes } from '../errors';

export type AtomicData = Uint8Array | readonly Uint8Array[];

/** Directory-fsync errors that only mean "this platform cannot fsync a directory" (Windows). */
const DIR_FSYNC_UNSUPPORTED = new Set(['EISDIR', 'EPERM', 'EINVAL', 'EACCES']);

function chunksOf(data: AtomicData): readonly Uint8Array[] {
  return data instanceof Uint8Array ? [data] : data;
}

/** Same directory as the target, so the rename never crosses file systems. */
function tempPathFor(target: string): string {
  const dir = path.dirname(target);
  const base = path.basename(target);
  return path.join(dir, `.${base}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errnoCode(e) === 'EPERM'; // exists, owned by someone else
  }
}

/** Removes temp files of `target` (tempPathFor's names) left by writers that no longer run. */
export function removeStaleTemps(target: string): void {
  const dir = path.dirname(target);
  const prefix = `.${path.basename(target)}.`;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return; // the write itself will report a missing folder
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const m = /^(\d+)\.[0-9a-f]{12}\.tmp$/.exec(name.slice(prefix.length));
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid !== process.pid && !processExists(pid)) removeQuietlySync(path.join(dir, name));
  }
}

function errnoCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function writeError(target: string, e: unknown): BiEmbedError {
  const reason = e instanceof Error ? e.message : String(e);
  return new BiEmbedError(ErrorCodes.FILE_WRITE, `cannot write ${target}: ${reason}`);
}

/** writeSync may write less than asked (e.g. on pipes or full disks): loop until done. */
function writeAllSync(fd: number, chunk: Uint8Array): void {
  let done = 0;
  while (done < chunk.length) {
    done += fs.writeSync(fd, chunk, done, chunk.length - done);
  }
}

function removeQuietlySync(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch {
    // Already gone or never created: nothing to clean up.
  }
}

function fsyncDirectorySync(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch (e) {
    if (!DIR_FSYNC_UNSUPPORTED.has(errnoCode(e) ?? '')) throw e;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Replaces `target` with `data` atomically (synchronous). Errors: E_FILE_WRITE. */
export function writeFileAtomic(target: string, data: AtomicData): void {
  removeStaleTemps(target);
  const tmp = tempPathFor(target);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'wx');
    for (const chunk of chunksOf(data)) writeAllSync(fd, chunk);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, target);
  } catch (e) {
    if (fd !== undefined) {
      try { fs.closeSync(fd); } catch { /* the write error is the one to report */ }
    }
    removeQuietlySync(tmp);
    throw writeError(target, e);
  }
  try {
    fsyncDirectorySync(path.dirname(target));
  } catch (e) {
    throw writeError(target, e);
  }
}

async function writeAllAsync(handle: fs.promises.FileHandle, chunk: Uint8Array): Promise<void> {
  let done = 0;
  while (done < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, done, chunk.length - done);
    done += bytesWritten;
  }
}

async function removeQuietlyAsync(file: string): Promise<void> {
  try {
    await fs.promises.unlink(file);
  } catch {
    // Already gone or never created: nothing to clean up.
  }
}

async function fsyncDirectoryAsync(dir: string): Promise<void> {
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(dir, 'r');
    await handle.sync();
  } catch (e) {
    if (!DIR_FSYNC_UNSUPPORTED.has(errnoCode(e) ?? '')) throw e;
  } finally {
    await handle?.close();
  }
}

/** Replaces `target` with `data` atomically, without blocking the event loop. Errors: E_FILE_WRITE. */
export async function writeFileAtomicAsync(target: string, data: AtomicData): Promise<void> {
  removeStaleTemps(target);
  const tmp = tempPathFor(target);
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(tmp, 'wx');
    for (const chunk of chunksOf(data)) await writeAllAsync(handle, chunk);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.promises.rename(tmp, target);
  } catch (e) {
    if (handle !== undefined) {
      try { await handle.close(); } catch { /* the write error is the one to report */ }
    }
    await removeQuietlyAsync(tmp);
    throw writeError(target, e);
  }
  try {
    await fsyncDirectoryAsync(path.dirname(target));
  } catch (e) {
    throw writeError(target, e);
  }
}
