// Display filters vs tshark -Y (issue 3): five filters of different kinds on the benchmark capture, each measured
// Wirebook cold (open + compile + decode the fields it reads + run + count, in a fresh process), Wirebook warm (the
// compiled filter again over the columns in memory) and `tshark -n -r CAPTURE -Y FILTER -T fields -e frame.number`.
// The frame counts of both must agree; they are printed. Targets: cold ≥ 30× tshark's packets/s, warm < 50 ms.

import * as fs from "node:fs";
import * as path from "node:path";
import type { FilterResult } from "./measure-filters.js";
import { bestOf, fastestChild, fastestCommand } from "./repeat.js";
import type { BenchContext, Section } from "./sections.js";

/**
 * The filters, chosen against the generated capture (capture-net.ts): clients are 10.1.0.0/16, MACs carry the
 * b8:27:eb OUI among others, MQTT topics are plant/lineN/{temp,pressure,flow,vibration}/sensor-….
 */
export const BENCH_FILTERS: readonly { kind: string; filter: string }[] = [
  { kind: "port", filter: "tcp.port == 1883" },
  { kind: "CIDR", filter: "ip.src == 10.1.0.0/16" },
  { kind: "set", filter: "tcp.dstport in {80, 443, 502, 8000..8999}" },
  { kind: "contains", filter: 'mqtt.topic contains "pressure"' },
  { kind: "slice", filter: "eth.src[0:3] == b8:27:eb" },
];

export const COLD_GOAL = 30;
export const WARM_GOAL_MS = 50;

/** Lines of a file (frames tshark printed), 0 when it is missing. */
function lines(file: string): number {
  if (!fs.existsSync(file)) return 0;
  const b = fs.readFileSync(file);
  let n = 0;
  for (let i = 0; i < b.length; i++) if (b[i] === 10) n++;
  return n;
}

/** Measures one filter; `filters` lets the smoke test run a shorter list. */
export async function runFilters(ctx: BenchContext, filters = BENCH_FILTERS): Promise<void> {
  const peer = await ctx.peerCapture();
  const out = path.join(ctx.dir, `filter-out-${process.pid}.txt`);
  for (const { kind, filter } of filters) {
    ctx.log(`filter (${kind}): ${filter}`);
    const c = await fastestChild(ctx, "measure-filters.js", "filterCount", { path: ctx.capture.path, filter, warmRuns: Math.max(5, ctx.repeat) },
      (r) => (r.value as FilterResult).coldMs);
    const w = c.value as FilterResult;
    // tshark's frames go to a file (not /dev/null) so they can be counted; on a page-cached tmp file that costs nothing visible.
    const t = await fastestCommand(ctx, "tshark", ["-n", "-r", peer.path, "-Y", filter, "-T", "fields", "-e", "frame.number"], out);
    const tsharkFrames = lines(out);
    fs.rmSync(out, { force: true });
    // With --quick tshark reads the first packets only: count Wirebook on that same cut for the agreement check.
    const wbOnPeer = peer.scale === 1 ? w.matched : ((await ctx.child("measure-filters.js", "filterCount", { path: peer.path, filter, warmRuns: 1 })).value as FilterResult).matched;
    const agree = t.code === 0 && wbOnPeer === tsharkFrames && w.matched === w.warmMatched;
    const counts = `frames: Wirebook ${wbOnPeer.toLocaleString("en-US")}, tshark ${tsharkFrames.toLocaleString("en-US")}` +
      `${peer.scale !== 1 ? ` (first ${peer.packets.toLocaleString("en-US")} packets; Wirebook ${w.matched.toLocaleString("en-US")} on all)` : ""}` +
      ` — ${agree ? "agree" : "DISAGREE"}`;
    ctx.row({
      key: `filter-cold:${kind}`, name: `Wirebook cold ${kind}: ${filter}`, packets: w.packets, bytes: ctx.capture.bytes, ms: w.coldMs, cpuMs: w.coldCpuMs, maxRssKB: c.maxRssKB,
      note: [`open ${w.openMs.toFixed(0)} ms + filter; reads ${w.fields.join(", ")}; ${counts}`, bestOf(c.runs)].filter(Boolean).join("; "), extra: { ...w, tsharkFrames, agree },
    });
    ctx.row({ key: `filter-warm:${kind}`, name: `Wirebook warm ${kind}`, packets: w.packets, ms: w.warmMs, note: `fastest of ${w.warmRuns} runs on cached columns` });
    ctx.row({
      key: `filter-tshark:${kind}`, name: `tshark -Y '${filter}'`, packets: peer.packets, bytes: fs.statSync(peer.path).size, ms: t.ms, cpuMs: t.cpuMs, maxRssKB: t.maxRssKB,
      note: [t.code !== 0 ? `exit ${t.code}: ${t.stderr.split("\n").filter((l) => l && !/Running as user/.test(l)).slice(0, 2).join(" | ")}` : "", peer.scale !== 1 ? `first ${peer.packets.toLocaleString("en-US")} packets` : "", bestOf(t.runs)].filter(Boolean).join("; ") || undefined,
      extra: { frames: tsharkFrames },
    });
    const ok = t.code === 0 && t.ms > 0;
    const x = ok ? (w.packets / w.coldMs) / (peer.packets / t.ms) : NaN;
    ctx.target({
      name: `filter ${kind}: cold vs tshark -Y (packets/s)`, value: ok ? `${x.toFixed(1)}×` : "—", goal: `≥ ${COLD_GOAL}×`, pass: ok ? x >= COLD_GOAL : null,
      note: agree ? undefined : `counts disagree: ${counts}`,
    });
    ctx.target({ name: `filter ${kind}: warm`, value: `${w.warmMs.toFixed(1)} ms`, goal: `< ${WARM_GOAL_MS} ms`, pass: w.warmMs < WARM_GOAL_MS });
  }
}

export const filtersSection: Section = { name: "filters", run: (ctx) => runFilters(ctx) };
