#!/usr/bin/env node
'use strict';
// The CLI entry: the compiled TypeScript lives in dist/ (built by `npm install` via prepare).
require('../dist/cli/main.js').main(process.argv);
