/**
 * Whole-file reads with coded errors, for every input bi-embed reads (corpora, model files,
 * count tables). The file is opened non-blocking and must be a regular file: a FIFO or device
 * given as input is refused instead of blocking forever in open() or read().
 */
import * as fs from 'node:fs';
import { BiEmbedError, ErrorCodes, fail } from '../errors';
import { shown } from '../validate';

const READ_CHUNK = 1 << 30; // fs reads at most ~2 GiB per call

function openError(what: string, file: string, e: unknown): BiEmbedError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new BiEmbedError(ErrorCodes.FILE_NOT_FOUND, `${what} file not found: ${file}`);
  return new BiEmbedError(ErrorCodes.FILE_READ, `cannot open ${what} ${file}: ${(e as Error).message}`);
}

/** Reads a whole regular file into one Buffer (files over 2 GiB too). Errors: E_OPTION, E_FILE_NOT_FOUND, E_FILE_READ, E_CORPUS_EMPTY when `nonEmpty`. */
export function readRegularFile(file: unknown, what: string, nonEmpty = false): Buffer {
  if (typeof file !== 'string' || file === '') fail(ErrorCodes.OPTION, `a ${what} path must be a non-empty string, got ${shown(file)}`);
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not block before fstat can refuse it.
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw openError(what, file, e);
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) fail(ErrorCodes.FILE_READ, `cannot read ${what} ${file}: not a regular file (a directory, FIFO or device)`);
    if (nonEmpty && stat.size === 0) fail(ErrorCodes.CORPUS_EMPTY, `${what} ${file} is empty`);
    const buf = Buffer.allocUnsafe(stat.size);
    let off = 0;
    while (off < stat.size) {
      const n = fs.readSync(fd, buf, off, Math.min(READ_CHUNK, stat.size - off), off);
      if (n === 0) fail(ErrorCodes.FILE_READ, `${what} ${file} shrank while being read`);
      off += n;
    }
    return buf;
  } catch (e) {
    if ((e as { name?: string }).name === 'BiEmbedError') throw e;
    fail(ErrorCodes.FILE_READ, `cannot read ${what} ${file}: ${(e as Error).message}`);
  } finally {
    fs.closeSync(fd);
  }
}
