/**
 * Stage results on disk: DIR/cache/STAGE.json holds {key, result}. The key hashes what the
 * result depends on (corpus and model SHA-256, the stage's options and version, the package
 * version); a file with another key is stale and recomputed. Written atomically, so a kill
 * leaves either the previous file or the new one.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../io/atomic';

export interface CacheKeyParts {
  stage: string;
  stageVersion: number;
  packageVersion: string;
  corpusSha256: string;
  modelSha256: string;
  options: Record<string, unknown>;
}

/** JSON with object keys sorted, so equal parts give equal keys. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

export function cacheKey(parts: CacheKeyParts): string {
  return createHash('sha256').update(canonical(parts)).digest('hex');
}

export function cacheFile(dir: string, stage: string): string {
  return path.join(dir, 'cache', `${stage}.json`);
}

/** The cached result under `key`, or undefined (missing, stale or unreadable). */
export function readCached(dir: string, stage: string, key: string): unknown {
  const file = cacheFile(dir, stage);
  try {
    const entry = JSON.parse(fs.readFileSync(file, 'utf8')) as { key?: unknown; result?: unknown };
    return entry.key === key ? entry.result : undefined;
  } catch {
    return undefined;
  }
}

export function writeCached(dir: string, stage: string, key: string, parts: CacheKeyParts, result: unknown): void {
  fs.mkdirSync(path.join(dir, 'cache'), { recursive: true });
  writeFileAtomic(cacheFile(dir, stage), Buffer.from(JSON.stringify({ key, parts, result })));
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
