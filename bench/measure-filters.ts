// Display filters, run in a child process (see child.ts): cold (open, compile, decode the fields the filter needs,
// run, count) and warm (the same filter again over the columns already in memory).

import { open } from "../lib/table/capture.js";
import { compileFilter } from "../lib/dsl/index.js";

export interface FilterResult {
  packets: number;
  /** Frames the filter matched (cold run). */
  matched: number;
  /** Frames the warm runs matched (must equal `matched`). */
  warmMatched: number;
  /** The fields the filter reads. */
  fields: string[];
  /** open(): the frame index. */
  openMs: number;
  /** open + filter + count: what a notebook pays for the first filter over a fresh capture. */
  coldMs: number;
  /** CPU time (user + system) of the cold run. */
  coldCpuMs: number;
  /** The fastest of the warm runs: compileFilter(f).run over the cached columns. */
  warmMs: number;
  warmRuns: number;
}

/** open(path).filter(filter).count(), then `warmRuns` (default 5) runs of the compiled filter on the cached columns. */
export async function filterCount(args: { path: string; filter: string; warmRuns?: number }): Promise<FilterResult> {
  const cpu0 = process.cpuUsage(), t0 = performance.now();
  const cap = await open(args.path);
  const t1 = performance.now();
  const matched = cap.filter(args.filter).count();
  const t2 = performance.now(), cpu = process.cpuUsage(cpu0);
  const runs = Math.max(1, args.warmRuns ?? 5);
  let warmMs = Infinity, warmMatched = 0;
  for (let k = 0; k < runs; k++) {
    const s = performance.now();
    const mask = compileFilter(args.filter).run((a) => cap.column(a), cap.count);
    warmMs = Math.min(warmMs, performance.now() - s);
    warmMatched = 0;
    for (let i = 0; i < cap.count; i++) warmMatched += mask[i];
  }
  const r: FilterResult = {
    packets: cap.count, matched, warmMatched, fields: [...compileFilter(args.filter).fields], openMs: t1 - t0, coldMs: t2 - t0,
    coldCpuMs: (cpu.user + cpu.system) / 1000, warmMs, warmRuns: runs,
  };
  cap.close();
  return r;
}
