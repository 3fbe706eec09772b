// Printing the benchmark: one table of rows (packets/s, MB/s, peak RSS) and one of targets (PASS/MISS), plus the
// JSON written to .cache/bench/latest.json.

import * as fs from "node:fs";
import * as path from "node:path";
import type { Row, Target } from "./sections.js";

/** Packets per second of a row, when it has packets and a time. */
export function pps(r: Row): number | undefined {
  return r.packets !== undefined && r.ms ? r.packets / (r.ms / 1000) : undefined;
}

/** Megabytes (10^6) per second of a row. */
export function mbps(r: Row): number | undefined {
  return r.bytes !== undefined && r.ms ? r.bytes / 1e6 / (r.ms / 1000) : undefined;
}

const num = (v: number | undefined, digits = 0) => (v === undefined || !Number.isFinite(v) ? "—" : v.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }));

/** The rows as an aligned text table. */
export function formatRows(rows: readonly Row[]): string {
  const head = ["measurement", "packets/s", "MB/s", "time s", "cpu s", "peak RSS MB"];
  const secs = (ms: number | undefined) => (ms === undefined ? "—" : (ms / 1000).toFixed(ms < 10_000 ? 3 : 1));
  const body = rows.map((r) => [
    r.name, num(pps(r)), num(mbps(r), 1), secs(r.ms), secs(r.cpuMs),
    r.maxRssKB === undefined ? "—" : num(r.maxRssKB / 1024, 0),
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join("  ");
  const out = [line(head), w.map((n) => "-".repeat(n)).join("  ")];
  rows.forEach((r, k) => {
    out.push(line(body[k]));
    if (r.note) out.push(`    ${r.note}`);
  });
  return out.join("\n");
}

/** The targets, each with PASS / MISS / n/a. */
export function formatTargets(targets: readonly Target[]): string {
  const w = Math.max(...targets.map((t) => t.name.length), 6);
  return targets.map((t) => {
    const verdict = t.pass === null ? "n/a " : t.pass ? "PASS" : "MISS";
    return `${verdict}  ${t.name.padEnd(w)}  ${t.value.padStart(10)}  (goal ${t.goal})${t.note ? `  ${t.note}` : ""}`;
  }).join("\n");
}

/** Writes the results as JSON, creating the folder. Returns the path. */
export function writeJson(file: string, data: unknown): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(data, null, 2) + "\n");
  return file;
}
