// The child side of a measurement: node --expose-gc dist/bench/child.js <module> <export> <json args>.
// Imports the module (so its own imports load before the clock starts), runs the export once, and prints one line:
// RESULT_MARK + {ms, cpuMs, maxRssKB, value}. maxRssKB is this process's peak RSS (getrusage ru_maxrss), which is why every
// measurement gets a process of its own.

import { pathToFileURL } from "node:url";

/** Prefix of the result line on stdout. */
export const RESULT_MARK = "@@wirebook-bench ";

/** What one measurement in a child process produced. */
export interface ChildResult {
  /** Wall time of the export's call, module loading excluded. */
  ms: number;
  /** CPU time (user + system, all threads) spent during the call, ms. */
  cpuMs: number;
  /** Peak resident set size of the whole child process, KiB. */
  maxRssKB: number;
  /** Whatever the export returned (JSON). */
  value: unknown;
}

async function main(argv: string[]): Promise<void> {
  const [module, fn, json] = argv;
  const mod = (await import(pathToFileURL(module).href)) as Record<string, unknown>;
  const f = mod[fn];
  if (typeof f !== "function") throw new Error(`${module} has no function ${fn}`);
  (globalThis as { gc?: () => void }).gc?.();
  const cpu0 = process.cpuUsage(), t0 = performance.now();
  const value = await (f as (a: unknown) => unknown)(JSON.parse(json ?? "null"));
  const ms = performance.now() - t0, cpu = process.cpuUsage(cpu0);
  const result: ChildResult = { ms, cpuMs: (cpu.user + cpu.system) / 1000, maxRssKB: process.resourceUsage().maxRSS, value };
  process.stdout.write(RESULT_MARK + JSON.stringify(result) + "\n", () => process.exit(0));
}

// Only when run as the child entry point (proc.ts imports this module for its types and mark).
if (process.argv[1]?.endsWith("child.js") && process.argv.length >= 4) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exit(1);
  });
}
