#!/usr/bin/env node
// The `gray-release` command: explain routes, lint manifests, report lanes.
// lib/ is built by `npm install` (the package's prepare script).
require('../lib/src/cli/main').main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err instanceof Error ? err.message : err); process.exitCode = 2; },
);
