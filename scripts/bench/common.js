'use strict';
// Shared bits of the benchmarks: argument parsing, the study/corpora folders, output.
const path = require('node:path');
const fs = require('node:fs');
const { parseArgs } = require('node:util');

const root = path.join(__dirname, '..', '..');
const corporaDir = process.env.BI_EMBED_CORPORA_DIR || path.join(root, '..', 'shared', 'corpora');

// The public API plus the internal steps a benchmark times on their own (dist/internal.js).
function api() {
  return { ...require(path.join(root, 'dist', 'index.js')), ...require(path.join(root, 'dist', 'internal.js')) };
}

function corpusPath(name) {
  const p = path.join(corporaDir, name);
  if (!fs.existsSync(p)) {
    console.error(`bench: corpus ${p} is missing; set BI_EMBED_CORPORA_DIR to the folder holding ${name}`);
    process.exit(2);
  }
  return p;
}

function options(extra = {}) {
  return parseArgs({ options: { json: { type: 'boolean', default: false }, ...extra }, allowPositionals: false }).values;
}

/** Prints a row as a JSON line (--json) or as aligned text. */
function emit(json, row, text) {
  if (json) process.stdout.write(JSON.stringify(row) + '\n');
  else process.stdout.write(text + '\n');
}

module.exports = { root, api, corpusPath, options, emit };
