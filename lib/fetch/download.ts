/**
 * One resumable, verified download: bytes go to DEST.part; a rerun asks the server for the
 * rest (HTTP Range) and appends; only a complete, verified file is renamed to DEST. A server
 * error, a cut-short transfer or a wrong hash is an E_FETCH error that says what to do.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import { ErrorCodes, fail } from '../errors';

export interface DownloadOptions {
  /** Expected SHA-256 (hex) of the whole file. */
  sha256?: string;
  onProgress?: (done: number, total: number | null) => void;
  signal?: AbortSignal;
}

const MAX_REDIRECTS = 5;

function get(url: string, headers: Record<string, string>, signal?: AbortSignal, redirects = 0): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const lib = url.startsWith('https:') ? https : url.startsWith('http:') ? http : undefined;
    if (!lib) return reject(new Error(`unsupported URL ${url}`));
    // one connection per download (no keep-alive pool: a reused socket the server closed would reset)
    const req = lib.get(url, { headers, signal, agent: false }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        if (redirects >= MAX_REDIRECTS) return reject(new Error(`too many redirects from ${url}`));
        return resolve(get(new URL(res.headers.location, url).href, headers, signal, redirects + 1));
      }
      resolve(res);
    });
    req.on('error', reject);
  });
}

async function hashFile(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Downloads `url` to `dest` (resuming DEST.part); returns the file's SHA-256. */
export async function download(url: string, dest: string, opts: DownloadOptions = {}): Promise<string> {
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const part = `${dest}.part`;
  const have = fs.existsSync(part) ? fs.statSync(part).size : 0;
  let res: http.IncomingMessage;
  try {
    res = await get(url, have > 0 ? { Range: `bytes=${have}-` } : {}, opts.signal);
  } catch (e) {
    if (opts.signal?.aborted) fail(ErrorCodes.ABORTED, `download of ${url} stopped before it began`);
    fail(ErrorCodes.FETCH, `cannot download ${url}: ${(e as Error).message}`);
  }
  const status = res.statusCode ?? 0;
  if (status === 416 && have > 0) {
    // the part file already holds every byte: verify it below
    res.resume();
  } else if (status !== 200 && status !== 206) {
    res.resume();
    fail(ErrorCodes.FETCH, `cannot download ${url}: the server answered HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}`);
  }
  // 206: append to what we have; 200: the server ignored Range, start over
  const offset = status === 206 ? have : status === 416 ? have : 0;
  const length = Number(res.headers['content-length']);
  const total = status === 416 ? have : Number.isFinite(length) ? offset + length : null;
  if (status !== 416) {
    // synchronous appends: every byte received is on disk when the transfer breaks
    const fd = fs.openSync(part, offset > 0 ? 'a' : 'w');
    let done = offset;
    try {
      await new Promise<void>((resolve, reject) => {
        res.on('data', (chunk: Buffer) => {
          fs.writeSync(fd, chunk);
          done += chunk.length;
          opts.onProgress?.(done, total);
        });
        res.on('end', resolve);
        res.on('close', () => { if (!res.complete) reject(new Error('connection closed')); });
        res.on('error', reject);
      });
    } catch (e) {
      // every byte received is in the part file: the same command resumes from it
      if (opts.signal?.aborted) fail(ErrorCodes.ABORTED, `download of ${url} stopped at ${done} bytes${total !== null ? ` of ${total}` : ''}, kept in ${part}; run the command again to resume`);
      fail(ErrorCodes.FETCH, `download of ${url} cut short at ${done} bytes${total !== null ? ` of ${total}` : ''} (${(e as Error).message}); run the command again to resume`);
    } finally {
      fs.closeSync(fd);
    }
    if (total !== null && done < total) {
      fail(ErrorCodes.FETCH, `download of ${url} cut short at ${done} of ${total} bytes; run the command again to resume`);
    }
  }
  const sha = await hashFile(part);
  if (opts.sha256 && sha !== opts.sha256) {
    fs.rmSync(part, { force: true });
    fail(ErrorCodes.FETCH, `${url} has SHA-256 ${sha}, expected ${opts.sha256}: the file was removed; check the URL (or the BI_EMBED_*_URL variables)`);
  }
  fs.renameSync(part, dest);
  return sha;
}
