#!/usr/bin/env node
// Entry of the `wirebook` command: runs the compiled CLI (npm run build makes dist/).
import { main } from "../dist/cli/main.js";

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`wirebook: ${err?.stack ?? err}\n`); process.exitCode = 1; },
);
