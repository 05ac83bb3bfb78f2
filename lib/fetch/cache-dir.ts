/**
 * The per-user cache folder of `bi-embed fetch`: $BI_EMBED_CACHE when set, otherwise the
 * platform's cache folder (Linux: $XDG_CACHE_HOME or ~/.cache; macOS: ~/Library/Caches;
 * Windows: %LOCALAPPDATA%), with a `bi-embed` folder inside.
 */
import * as os from 'node:os';
import * as path from 'node:path';

export function cacheDir(): string {
  const env = process.env.BI_EMBED_CACHE;
  if (env) return path.resolve(env);
  const home = os.homedir();
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Caches', 'bi-embed');
  if (process.platform === 'win32') return path.join(process.env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'bi-embed', 'Cache');
  return path.join(process.env.XDG_CACHE_HOME || path.join(home, '.cache'), 'bi-embed');
}

/** Where `fetch study` puts the study's two files. */
export const studyCacheDir = (): string => path.join(cacheDir(), 'study');
/** Where `fetch enwik8` puts the unzipped enwik8. */
export const enwik8Path = (): string => path.join(cacheDir(), 'enwik8', 'enwik8');
