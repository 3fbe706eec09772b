// Where the time goes: summarises a V8 .cpuprofile (node --cpu-prof) as the functions with the most self time and
// the most total time. A getter in a FIELDS table shows up as "get" at a line: the summary names the field whose
// `abbrev` is declared nearest above that line, so the report can say which field costs what.
// Run alone: node dist/bench/profile.js <file.cpuprofile> [top]

import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

/** One function (name + location) and its time in milliseconds. */
export interface HotSpot {
  fn: string;
  where: string;
  /** The FIELDS entry the function belongs to, when it is a getter. */
  field?: string;
  selfMs: number;
  totalMs: number;
}

/** Self and total time per function, largest self time first. Never throws for a readable profile. */
export function summarise(file: string, top = 25): { totalMs: number; spots: HotSpot[] } {
  const prof = JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0) / 1000));
  const spots = new Map<string, HotSpot>();
  const keyOf = (n: ProfileNode) => `${n.callFrame.functionName}|${n.callFrame.url}|${n.callFrame.lineNumber}`;
  const spot = (n: ProfileNode): HotSpot => {
    const k = keyOf(n);
    let s = spots.get(k);
    if (!s) {
      const { functionName, url, lineNumber } = n.callFrame;
      s = { fn: functionName || "(anonymous)", where: location(url, lineNumber), field: GETTER_NAMES.has(functionName) ? fieldAt(url, lineNumber) : undefined, selfMs: 0, totalMs: 0 };
      spots.set(k, s);
    }
    return s;
  };
  for (const [id, ms] of self) {
    const n = byId.get(id)!;
    spot(n).selfMs += ms;
    // Total time: once per distinct function on the sample's stack (recursion counted once).
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const c = byId.get(cur)!, k = keyOf(c);
      if (seen.has(k)) continue;
      seen.add(k);
      spot(c).totalMs += ms;
    }
  }
  const all = [...spots.values()].filter((s) => s.fn !== "(root)");
  all.sort((a, b) => b.selfMs - a.selfMs);
  return { totalMs: (prof.endTime - prof.startTime) / 1000, spots: all.slice(0, top) };
}

/** Text table of a summary. */
export function formatSummary(s: { totalMs: number; spots: HotSpot[] }): string {
  const lines = [`  profile: ${(s.totalMs / 1000).toFixed(2)} s sampled;  self ms   self %  total ms  function (location) [field]`];
  for (const h of s.spots) {
    lines.push(`  ${h.selfMs.toFixed(0).padStart(37)} ${((100 * h.selfMs) / s.totalMs).toFixed(1).padStart(7)}% ${h.totalMs.toFixed(0).padStart(9)}  ${h.fn} (${h.where})${h.field ? ` [${h.field}]` : ""}`);
  }
  return lines.join("\n");
}

function location(url: string, line: number): string {
  if (!url) return "native";
  const p = url.startsWith("file:") ? fileURLToPath(url) : url;
  return `${path.relative(process.cwd(), p) || p}:${line + 1}`;
}

const sources = new Map<string, string[] | null>();
/** Names V8 gives the arrow functions of a FIELDS entry (`get: (b, o) => …`). */
const GETTER_NAMES = new Set(["get", "each", ""]);

/**
 * The abbrev declared nearest above a (0-based) line of a dissector file: the field a getter at that line belongs to,
 * or the factory function that makes the getters of several fields.
 */
function fieldAt(url: string, line: number): string | undefined {
  if (!url.startsWith("file:") || !url.includes("/dissectors/")) return undefined;
  let lines = sources.get(url);
  if (lines === undefined) {
    try { lines = fs.readFileSync(fileURLToPath(url), "utf8").split("\n"); } catch { lines = null; }
    sources.set(url, lines);
  }
  if (!lines) return undefined;
  for (let i = line; i >= 0 && i > line - 10; i--) {
    const m = /abbrev:\s*"([^"]+)"/.exec(lines[i] ?? "");
    if (m) return m[1];
    // A getter made by a factory (`function flagBit(abbrev, …) { return { …, get: … } }`) serves many fields.
    const factory = /function (\w+)\(abbrev\b/.exec(lines[i] ?? "");
    if (factory) return `every field made by ${factory[1]}()`;
  }
  return undefined;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  console.log(formatSummary(summarise(process.argv[2], Number(process.argv[3] ?? 25))));
}
