// npm run bench: Wirebook and its peers on the same capture, each measurement in a child process of its own,
// printed as one table with the ratios that matter and written to .cache/bench/latest.json.
// Flags: --packets N (default 2,000,000)  --quick (tshark on the first 200k packets, scaled)  --only a,b,…
//        --repeat N (measurements and their tshark peers N times each, fastest kept)  --profile (extra --cpu-prof runs of index and decode)
//        --breakdown (decode time per field, one pass a field, on a capture of at most 100k packets)

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { BUILTINS } from "./builtins.js";
import { DEFAULT_PACKETS, makeCapture, type CaptureMade } from "./make-capture.js";
import { capture as output, runChild, runCommand } from "./proc.js";
import type { Breakdown } from "./measure-decode.js";
import { formatSummary, summarise } from "./profile.js";
import { formatRows, formatTargets, pps, writeJson } from "./report.js";
import { SECTIONS, type BenchContext, type Row, type Target } from "./sections.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const RESULTS = path.join(ROOT, ".cache", "bench", "latest.json");
const PROFILES = path.join(ROOT, ".cache", "bench", "profiles");
const BREAKDOWN_PACKETS = 100_000;

interface Options { packets: number; quick: boolean; only: Set<string> | null; repeat: number; profile: boolean; breakdown: boolean }

function parseArgs(argv: string[]): Options {
  const o: Options = { packets: DEFAULT_PACKETS, quick: false, only: null, repeat: 1, profile: false, breakdown: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], next = () => argv[++i] ?? "";
    if (a === "--packets") o.packets = Number(next().replace(/_/g, ""));
    else if (a === "--quick") o.quick = true;
    else if (a === "--only") o.only = new Set(next().split(",").map((s) => s.trim()).filter(Boolean));
    else if (a === "--repeat") o.repeat = Math.max(1, Number(next()));
    else if (a === "--profile") o.profile = true;
    else if (a === "--breakdown") o.breakdown = true;
    else if (a === "--help" || a === "-h") {
      const names = [...BUILTINS, ...SECTIONS].map((s) => s.name).join(", ");
      console.log(`npm run bench -- [--packets N] [--quick] [--only ${names}] [--repeat N] [--profile] [--breakdown]`);
      process.exit(0);
    } else throw new Error(`unknown flag ${a} (try --help)`);
  }
  if (!Number.isInteger(o.packets) || o.packets < 1) throw new Error("--packets wants a positive integer");
  return o;
}

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

/** The context sections run in; collects rows and targets. */
class Bench implements BenchContext {
  readonly rows: Row[] = [];
  readonly targets: Target[] = [];
  readonly dir: string;
  readonly capture: BenchContext["capture"];

  constructor(made: CaptureMade, readonly quick: boolean, readonly repeat: number, readonly fields: string[], readonly tsharkFields: string[]) {
    this.capture = { path: made.path, packets: made.packets, bytes: made.bytes, sha256: made.sha256 };
    this.dir = path.dirname(made.path);
  }

  child(module: string, fn: string, args?: unknown) { return runChild(module, fn, args ?? null); }
  command(cmd: string, args: readonly string[], stdoutTo?: string) { return runCommand(cmd, args, stdoutTo); }
  row(r: Row): void { this.rows.push(r); }
  target(t: Target): void { this.targets.push(t); }
  log(msg: string): void { log(msg); }

  async peerCapture(packets = 200_000) {
    const all = { path: this.capture.path, packets: this.capture.packets, scale: 1 };
    if (!this.quick || packets >= this.capture.packets) return all;
    const cut = this.capture.path.replace(/\.pcap$/, `.first${packets}.pcap`);
    const fresh = fs.existsSync(cut) && fs.statSync(cut).mtimeMs >= fs.statSync(this.capture.path).mtimeMs;
    if (!fresh) {
      const r = await runCommand("editcap", ["-r", this.capture.path, cut, `1-${packets}`]);
      if (r.code !== 0) throw new Error(`editcap failed: ${r.stderr}`);
    }
    return { path: cut, packets, scale: this.capture.packets / packets };
  }
}

/** capinfos and tshark must read a freshly written capture without complaint. */
async function checkCapture(file: string): Promise<void> {
  try {
    const count = /Number of packets:\s+(.+)/.exec(await output("capinfos", ["-c", file]))?.[1]?.trim();
    const r = await runCommand("tshark", ["-r", file, "-c", "100"]);
    const complaints = r.stderr.split("\n").filter((l) => l.trim() && !/Running as user/.test(l));
    log(`capinfos: ${count} packets; tshark -c 100: exit ${r.code}${complaints.length ? `, stderr: ${complaints.join(" | ")}` : ", no complaint"}`);
  } catch (e) {
    log(`capture check skipped: ${(e as Error).message}`);
  }
}

/** Reads the file once so every measurement starts from the page cache. */
function warmCache(file: string): void {
  const fd = fs.openSync(file, "r"), buf = new Uint8Array(8 << 20);
  try { for (let pos = 0, n; (n = fs.readSync(fd, buf, 0, buf.length, pos)) > 0; pos += n); } finally { fs.closeSync(fd); }
}

/** The L2–L4 fields in the registry (read in a child, so a broken dissector cannot take the runner down). */
async function registryFields(): Promise<{ fields: string[]; missing: string[] }> {
  try {
    const r = await runChild("measure-fields.js", "registeredProtocols");
    return r.value as { fields: string[]; missing: string[] };
  } catch (e) {
    log(`cannot read the registry: ${(e as Error).message.split("\n").slice(0, 3).join(" ")}`);
    return { fields: [], missing: [] };
  }
}

/** Field and protocol names tshark knows (tshark -G fields: "F\tname\tabbrev…" and "P\tname\tabbrev"). */
async function tsharkKnown(): Promise<Set<string>> {
  try {
    const known = new Set<string>();
    for (const line of (await output("tshark", ["-G", "fields"])).split("\n")) {
      const c = line.split("\t");
      if ((c[0] === "F" || c[0] === "P") && c[2]) known.add(c[2]);
    }
    return known;
  } catch {
    return new Set();
  }
}

/** "on CPU time: 1.23×" (a / b per packet), when both rows have CPU time. */
function cpuRatio(a: Row, b: Row): string | undefined {
  if (!a.cpuMs || !b.cpuMs || !a.packets || !b.packets) return undefined;
  return `on CPU time: ${((a.cpuMs / a.packets) / (b.cpuMs / b.packets)).toFixed(2)}×`;
}

/** The four targets of the brief, from the rows that were measured. */
function targets(rows: readonly Row[]): Target[] {
  const get = (k: string) => rows.find((r) => r.key === k && r.ms !== undefined);
  const decode = get("decode"), tshark = get("tshark"), index = get("index"), bare = get("bare");
  const out: Target[] = [];
  if (decode && tshark) {
    const x = pps(decode)! / pps(tshark)!;
    out.push({ name: "full decode vs tshark -T fields (speed-up)", value: `${x.toFixed(1)}×`, goal: "≥ 100×", pass: x >= 100, note: cpuRatio(tshark, decode) });
  } else out.push({ name: "full decode vs tshark -T fields (speed-up)", value: "—", goal: "≥ 100×", pass: null });
  if (index && bare) {
    const x = index.ms! / bare.ms!;
    out.push({ name: "index time / bare loop time", value: `${x.toFixed(2)}×`, goal: "≤ 2×", pass: x <= 2, note: cpuRatio(index, bare) });
  } else out.push({ name: "index time / bare loop time", value: "—", goal: "≤ 2×", pass: null });
  if (decode?.maxRssKB && decode.bytes) {
    const x = (decode.maxRssKB * 1024) / decode.bytes;
    out.push({ name: "peak RSS of full decode / capture size", value: x.toFixed(2), goal: "< 1.5", pass: x < 1.5 });
  } else out.push({ name: "peak RSS of full decode / capture size", value: "—", goal: "< 1.5", pass: null });
  const bpp = index?.extra?.bytesPerPacket as number | undefined;
  out.push({ name: "frame index bytes per packet", value: bpp === undefined ? "—" : bpp.toFixed(1), goal: "≤ 32", pass: bpp === undefined ? null : bpp <= 32 });
  return out;
}

/** Other ratios worth a glance (no goal). */
function ratios(rows: readonly Row[]): string[] {
  const p = (k: string) => { const r = rows.find((x) => x.key === k); return r ? pps(r) : undefined; };
  const out: string[] = [];
  const pair = (a: string, b: string, label: string) => { const x = p(a), y = p(b); if (x && y) out.push(`${label}: ${(x / y).toFixed(2)}×`); };
  pair("index", "pcap-parser", "index vs pcap-parser (packets/s)");
  pair("bare", "pcap-parser", "bare loop vs pcap-parser (packets/s)");
  pair("index", "tshark", "index vs tshark -T fields (packets/s)");
  return out;
}

/** --profile: one extra run of index and decode under --cpu-prof, summarised (times of these runs not reported). */
async function profile(bench: Bench, only: Set<string> | null): Promise<string[]> {
  fs.mkdirSync(PROFILES, { recursive: true });
  const out: string[] = [];
  const runs = [
    ["index", "measure-index.js", "frameIndex", { path: bench.capture.path }],
    ["decode", "measure-decode.js", "fullDecode", { path: bench.capture.path, fields: bench.fields }],
  ] as const;
  for (const [name, module, fn, args] of runs) {
    if (only && !only.has(name)) continue;
    const file = `${name}-${Date.now()}.cpuprofile`;
    log(`profiling ${name}…`);
    try {
      await runChild(module, fn, args, ["--cpu-prof", `--cpu-prof-dir=${PROFILES}`, `--cpu-prof-name=${file}`]);
      out.push(`${name}: ${path.relative(ROOT, path.join(PROFILES, file))}\n${formatSummary(summarise(path.join(PROFILES, file), 30))}`);
    } catch (e) {
      out.push(`${name}: profile failed: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  return out;
}

/** --breakdown: the dissection pass, then each field in a pass of its own, on at most 100k packets. */
async function breakdown(fields: string[], packets: number): Promise<string> {
  const small = makeCapture({ packets: Math.min(packets, BREAKDOWN_PACKETS) });
  log(`breakdown on ${small.packets.toLocaleString("en-US")} packets, one pass a field…`);
  try {
    const v = (await runChild("measure-decode.js", "decodeBreakdown", { path: small.path, fields })).value as Breakdown;
    // Every pass costs about what the cheap fields' passes cost: reading the chunks, visiting the layers, building a
    // column. What a field costs beyond that is its getter and its values. (The 10th percentile of the passes that
    // took 1 ms or more: a field decoded together with another one, like tcp.analysis.*, comes from the cache.)
    const live = v.fields.map((f) => f.ms).filter((ms) => ms >= 1).sort((a, b) => a - b);
    const base = live[Math.floor(live.length / 10)] ?? 0;
    const total = v.walkMs + v.fields.reduce((a, f) => a + f.ms, 0);
    const pct = (ms: number) => `${((100 * ms) / total).toFixed(1).padStart(5)}%`;
    const lines = [`decode breakdown (${v.packets.toLocaleString("en-US")} packets; open ${v.openMs.toFixed(0)} ms, not counted; one pass a field, ` +
      `so the sum exceeds one full decode; a pass costs about ${base.toFixed(1)} ms, the 10th percentile):`,
      `  ${v.walkMs.toFixed(0).padStart(7)} ms ${pct(v.walkMs)}  dissection pass (layers only)`];
    for (const p of v.protos) lines.push(`  ${p.ms.toFixed(0).padStart(7)} ms ${pct(p.ms)}  ${p.proto}.* (${p.fields} fields)`);
    lines.push("  slowest fields (pass time, and above the per-pass floor; a field decoded with others carries their cost):");
    for (const f of v.fields.slice(0, 25)) lines.push(`  ${f.ms.toFixed(1).padStart(7)} ms ${(f.ms - base).toFixed(1).padStart(7)} ms  ${f.field}`);
    return lines.join("\n");
  } catch (e) {
    return `decode breakdown failed: ${(e as Error).message.split("\n")[0]}`;
  }
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  log(`capture: ${opts.packets.toLocaleString("en-US")} packets…`);
  const made = makeCapture({ packets: opts.packets });
  log(`${made.path}: ${(made.bytes / 1e6).toFixed(1)} MB, ${made.reused ? "reused" : `written in ${(made.ms / 1000).toFixed(1)} s`}`);
  if (!made.reused) await checkCapture(made.path);
  warmCache(made.path);
  const reg = await registryFields();
  const known = await tsharkKnown();
  const bench = new Bench(made, opts.quick, opts.repeat, reg.fields, reg.fields.filter((f) => known.has(f)));
  if (reg.missing.length) log(`registry has no fields yet for: ${reg.missing.join(", ")}`);
  for (const s of [...BUILTINS, ...SECTIONS]) {
    if (opts.only && !opts.only.has(s.name)) continue;
    log(`${s.name}…`);
    try {
      await s.run(bench);
    } catch (e) {
      bench.row({ key: s.name, name: s.name, note: `FAILED: ${(e as Error).message.split("\n").slice(0, 4).join(" | ")}` });
    }
  }
  const all = [...targets(bench.rows), ...bench.targets];
  const profiles = opts.profile ? await profile(bench, opts.only) : [];
  if (opts.breakdown) profiles.push(await breakdown(bench.fields, opts.packets));
  const host = `node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, load ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`;
  console.log(`\nWirebook benchmark — ${path.basename(made.path)}: ${made.packets.toLocaleString("en-US")} packets, ${(made.bytes / 1e6).toFixed(1)} MB (sha256 ${made.sha256.slice(0, 12)}…)\n${host}\n`);
  console.log(formatRows(bench.rows));
  if (reg.missing.length) console.log(`\n  not yet in the registry (so not decoded): ${reg.missing.join(", ")}`);
  console.log(`\n${formatTargets(all)}`);
  for (const r of ratios(bench.rows)) console.log(`      ${r}`);
  const largest = bench.rows.find((r) => r.key === "decode")?.extra?.largest as { field: string; mb: number }[] | undefined;
  if (largest) console.log(`\nlargest decoded columns: ${largest.map((c) => `${c.field} ${c.mb.toFixed(0)} MB`).join(", ")}`);
  for (const p of profiles) console.log(`\n${p}`);
  const json = writeJson(RESULTS, {
    date: new Date().toISOString(), host, options: { ...opts, only: opts.only ? [...opts.only] : null },
    capture: bench.capture, missingProtocols: reg.missing, rows: bench.rows.map((r) => ({ ...r, packetsPerSec: pps(r) })), targets: all,
  });
  console.log(`\nresults: ${path.relative(process.cwd(), json)}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack ?? e.message : e);
  process.exit(1);
});
