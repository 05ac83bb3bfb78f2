'use strict';
// usage: node scripts/install.js   npm's install step (package.json "install").
// PREBUILDS_ONLY=1: never compile. A prebuild that loads is all there is to do; when none
// does, print why (lib/loader.ts) and fail. Otherwise hand over to node-gyp-build, which
// keeps a binary that loads and compiles from source when none does or when asked to
// (--build-from-source; needs Python 3, make and a C++17 compiler).
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
if (process.env.PREBUILDS_ONLY) {
  const loader = path.join(root, 'dist', 'loader.js');
  try {
    if (fs.existsSync(loader)) require(loader).loadAddon(root);
    else require('node-gyp-build')(root);
  } catch (e) {
    process.stderr.write(`bi-embed install (PREBUILDS_ONLY is set, so no source build): ${e.message}\n`);
    process.exit(1);
  }
  process.exit(0);
}
const r = spawnSync(process.execPath, [require.resolve('node-gyp-build/bin.js')], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
