'use strict';
// usage: npm run test:all   The whole suite, as CI runs it: the C++ tests (ctest), then
// the jest suite twice — with the default ISA and with BI_FORCE_ISA=scalar — and the NEON
// kernels under qemu-aarch64 when the cross tools are installed.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const steps = [
  ['C++ tests (ctest)', [npm, ['run', 'test:native']], {}],
  ['jest, default ISA', [npm, ['test']], {}],
  ['jest, BI_FORCE_ISA=scalar', [npm, ['test']], { BI_FORCE_ISA: 'scalar' }],
];
// The NEON kernels and byte transpose, cross-compiled for aarch64 and run under qemu, when
// this machine has the tools (CI installs them; elsewhere the step says it was skipped).
const has = (tool) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
if (process.platform !== 'win32' && has('aarch64-linux-gnu-g++') && has('qemu-aarch64')) {
  steps.push(['NEON kernels (aarch64 under qemu)', ['bash', [path.join('scripts', 'test-neon.sh')]], {}]);
} else {
  process.stdout.write('NEON step skipped: needs aarch64-linux-gnu-g++ and qemu-aarch64 (apt-get install g++-aarch64-linux-gnu qemu-user)\n');
}
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
