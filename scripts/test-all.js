'use strict';
// usage: npm run test:all   The whole suite, as CI runs it: the C++ tests (ctest), then
// the jest suite twice — with the default ISA and with BI_FORCE_ISA=scalar.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const steps = [
  ['C++ tests (ctest)', [npm, ['run', 'test:native']], {}],
  ['jest, default ISA', [npm, ['test']], {}],
  ['jest, BI_FORCE_ISA=scalar', [npm, ['test']], { BI_FORCE_ISA: 'scalar' }],
];
let passed = 0;
for (const [label, [cmd, args], env] of steps) {
  process.stdout.write(`\n=== ${label} ===\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env }, shell: process.platform === 'win32' });
  if (r.status !== 0) {
    process.stdout.write(`\n${label} failed\n`);
    process.stdout.write(`suites: ${passed} passed, 1 failed\n`);
    process.exit(r.status ?? 1);
  }
  passed++;
}
process.stdout.write(`\nsuites: ${passed} passed, 0 failed\n`);
