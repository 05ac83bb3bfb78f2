#!/usr/bin/env node
'use strict';
// Writes schema/results.schema.json, the JSON Schema of results.json, from its zod definition
// (lib/study/schema.ts, compiled in dist/). Run after `npm run build`; test/study.test.ts checks it is current.
const fs = require('node:fs');
const path = require('node:path');
const { resultsJsonSchema } = require('../dist/study/schema.js');

const file = path.join(__dirname, '..', 'schema', 'results.schema.json');
fs.mkdirSync(path.dirname(file), { recursive: true });
fs.writeFileSync(file, JSON.stringify(resultsJsonSchema(), null, 2) + '\n');
console.log(`wrote ${path.relative(process.cwd(), file)}`);
