import * as fs from 'node:fs';
import * as path from 'node:path';

/** The package version, from package.json beside dist/ or lib/. */
export function version(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
