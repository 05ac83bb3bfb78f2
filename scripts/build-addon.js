'use strict';
// usage: node scripts/build-addon.js   Builds the addon incrementally with node-gyp
// (configure first when build/ is missing). Offline: headers come from the local Node
// (npm_config_nodedir, or /usr when its include/node holds node_api.h).
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const gyp = require.resolve('node-gyp/bin/node-gyp.js');
const env = { ...process.env };
if (!env.npm_config_nodedir) {
  const guess = path.resolve(path.dirname(process.execPath), '..');
  if (fs.existsSync(path.join(guess, 'include', 'node', 'node_api.h'))) env.npm_config_nodedir = guess;
}
// Reconfigure when the source list or binding.gyp changed since the last configure.
const makefile = path.join(root, 'build', 'Makefile');
const mtime = (f) => (fs.existsSync(f) ? fs.statSync(f).mtimeMs : 0);
const configured = fs.existsSync(path.join(root, 'build', 'config.gypi')) &&
  mtime(makefile) >= Math.max(mtime(path.join(root, 'native', 'sources.json')), mtime(path.join(root, 'binding.gyp')));
const args = configured ? ['build', '-j', '2'] : ['rebuild', '-j', '2'];
const r = spawnSync(process.execPath, [gyp, ...args], { cwd: root, stdio: 'inherit', env });
process.exit(r.status ?? 1);
