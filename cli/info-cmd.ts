// `wirebook info CAPTURE…` and `npm start`: capinfos-like summaries with the protocol hierarchy.

import { existsSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { open } from "../lib/table/capture.js";
import { summarize, summaryText } from "../lib/table/summary.js";

/** Prints the summary of each capture; exit code 1 if any could not be read, 0 otherwise. */
export async function runInfoCommand(argv: string[]): Promise<number> {
  if (argv.length === 0) {
    process.stderr.write("usage: wirebook info CAPTURE…\n");
    return 2;
  }
  let status = 0;
  for (const path of argv) {
    try {
      const cap = await open(path);
      process.stdout.write(summaryText(summarize(cap)) + "\n\n");
      cap.close();
    } catch (e) {
      process.stderr.write(`wirebook: ${path}: ${(e as Error).message}\n`);
      status = 1;
    }
  }
  return status;
}

/** The project root (dist/cli/ -> ../../). */
export function projectRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
}

/** `npm start`: summarises the bundled sample captures. */
export async function runStartCommand(): Promise<number> {
  const dir = join(projectRoot(), "samples");
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => /\.(pcap|pcapng)(\.gz)?$/.test(f)).sort() : [];
  if (files.length === 0) {
    process.stderr.write(`no sample captures in ${dir}: run scripts/make-captures.sh\n`);
    return 1;
  }
  return runInfoCommand(files.map((f) => join(dir, f)));
}
