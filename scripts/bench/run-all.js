'use strict';
// usage: npm run bench [-- --json]   Runs every benchmark in this folder in turn.
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const fs = require('node:fs');
const benches = ['eval.js', 'train.js', 'counts.js', 'construct.js', 'read.js', 'attribute.js'].filter((b) => fs.existsSync(path.join(__dirname, b)));
for (const b of benches) {
  const r = spawnSync(process.execPath, [path.join(__dirname, b), ...process.argv.slice(2)], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
