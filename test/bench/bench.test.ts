// Smoke test of the benchmark: on a tiny capture, the generator is deterministic and tshark reads what it writes,
// and every measurement module runs and returns well-formed numbers. No timing assertions, by design.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { makeCapture } from "../../bench/make-capture.js";
import { bareLoop } from "../../bench/measure-bare.js";
import { pcapParser } from "../../bench/measure-peers.js";
import { runChild, runCommand } from "../../bench/proc.js";
import { formatSummary, summarise } from "../../bench/profile.js";
import { formatRows, formatTargets, pps } from "../../bench/report.js";

const PACKETS = 6000;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wirebook-bench-test-"));
process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
const made = makeCapture({ packets: PACKETS, dir });

const tsharkMissing = spawnSync("tshark", ["-v"]).error !== undefined;
/** Skips without tshark, except in CI, where its absence is a failure. */
function needTshark(t: { skip(msg: string): void }): boolean {
  if (!tsharkMissing) return true;
  if (process.env.CI === "true") assert.fail("tshark is required in CI");
  t.skip("tshark not installed");
  return false;
}

const isCount = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v >= 0;
const isPositive = (v: unknown) => typeof v === "number" && Number.isFinite(v) && v > 0;

test("make-capture: writes the asked-for packets, reuses the file, and is deterministic", () => {
  assert.equal(made.packets, PACKETS);
  assert.equal(fs.statSync(made.path).size, made.bytes);
  assert.match(made.sha256, /^[0-9a-f]{64}$/);
  assert.equal(makeCapture({ packets: PACKETS, dir }).reused, true);
  const again = makeCapture({ packets: PACKETS, dir, force: true });
  assert.equal(again.reused, false);
  assert.equal(again.sha256, made.sha256);
});

test("make-capture: tshark reads it without complaint, no malformed frame, every protocol of the mix present", (t) => {
  if (!needTshark(t)) return;
  const r = spawnSync("tshark", ["-n", "-r", made.path, "-T", "fields", "-e", "frame.protocols", "-e", "_ws.malformed", "-e", "frame.cap_len", "-e", "frame.len"], { encoding: "utf8", maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  const complaints = r.stderr.split("\n").filter((l) => l.trim() && !/Running as user/.test(l));
  assert.deepEqual(complaints, []);
  const lines = r.stdout.trim().split("\n").map((l) => l.split("\t"));
  assert.equal(lines.length, PACKETS);
  assert.equal(lines.filter((c) => c[1] !== "").length, 0, "no [Malformed Packet]");
  const stacks = lines.map((c) => c[0]).join("\n");
  for (const p of ["vlan", "arp", "ip:tcp", "ipv6", "icmp", "icmpv6", "udp:dns", "mqtt", "mbtcp", "ntp", "syslog", "http", "tls"]) {
    assert.ok(stacks.includes(p), `some frame has ${p}`);
  }
  assert.ok(lines.some((c) => Number(c[2]) < Number(c[3])), "some frames are snap-truncated");
});

test("bare loop and pcap-parser count every packet", async () => {
  const recordBytes = made.bytes - 24 - 16 * PACKETS;
  assert.deepEqual(bareLoop({ path: made.path }), { packets: PACKETS, fileBytes: made.bytes, capturedBytes: recordBytes });
  assert.deepEqual(await pcapParser({ path: made.path }), { packets: PACKETS, fileBytes: made.bytes, capturedBytes: recordBytes });
});

test("frame index measurement: packets, index bytes and the file's hash", async () => {
  const { frameIndex } = await import("../../bench/measure-index.js");
  const v = await frameIndex({ path: made.path });
  assert.equal(v.packets, PACKETS);
  assert.equal(v.fileBytes, made.bytes);
  assert.equal(v.sha256, made.sha256);
  assert.ok(isPositive(v.indexBytes / v.packets));
});

test("full decode measurement: every L2–L4 field of the registry decoded, well-formed counts", async () => {
  const { fullDecode } = await import("../../bench/measure-decode.js");
  const { l2l4Fields } = await import("../../bench/measure-fields.js");
  const fields = l2l4Fields();
  const v = await fullDecode({ path: made.path });
  assert.equal(v.packets, PACKETS);
  assert.equal(v.fields, fields.length);
  assert.deepEqual(Object.keys(v.present), fields);
  for (const p of Object.values(v.present)) assert.equal(typeof p, "boolean");
  for (const f of ["frame.number", "eth.src", "ip.src", "tcp.srcport", "udp.dstport"]) if (f in v.present) assert.equal(v.present[f], true, f);
  assert.ok(v.openMs >= 0 && v.decodeMs >= 0 && isCount(v.layers) && isCount(v.columnBytes) && isCount(v.malformedFrames));
});

test("child runner: a measurement in its own process returns its value, time and peak RSS", async () => {
  const r = await runChild("measure-bare.js", "bareLoop", { path: made.path });
  assert.equal((r.value as { packets: number }).packets, PACKETS);
  assert.ok(isPositive(r.ms) && isPositive(r.maxRssKB));
  await assert.rejects(runChild("measure-bare.js", "noSuchExport", null), /no function noSuchExport/);
});

test("command runner: wall time and peak RSS of an external command", async () => {
  const r = await runCommand(process.execPath, ["-e", "new Uint8Array(32 << 20).fill(1)"]);
  assert.equal(r.code, 0);
  assert.ok(isPositive(r.ms));
  assert.ok(r.maxRssKB > 32 * 1024, `peak RSS ${r.maxRssKB} KiB covers the 32 MiB array`);
});

test("profile summary: a --cpu-prof run is summarised by function", async () => {
  const prof = path.join(dir, "profiles");
  await runChild("measure-bare.js", "bareLoop", { path: made.path }, ["--cpu-prof", `--cpu-prof-dir=${prof}`, "--cpu-prof-name=bare.cpuprofile"]);
  const s = summarise(path.join(prof, "bare.cpuprofile"), 10);
  assert.ok(s.spots.length > 0 && s.spots.length <= 10);
  for (const h of s.spots) assert.ok(h.selfMs >= 0 && h.totalMs >= h.selfMs - 1e-9 && h.fn.length > 0);
  assert.match(formatSummary(s), /self ms/);
});

test("report: rows and targets format, rates derive from packets, bytes and time", () => {
  const row = { name: "x", packets: 2000, bytes: 4e6, ms: 500, maxRssKB: 2048, note: "n" };
  assert.equal(pps(row), 4000);
  const text = formatRows([row, { name: "skipped", note: "why" }]);
  assert.match(text, /^measurement/);
  assert.match(text, /4,000/);
  assert.match(text, /8\.0/);
  assert.match(formatTargets([{ name: "t", value: "1", goal: "≤ 2", pass: true }, { name: "u", value: "—", goal: "x", pass: null }]), /PASS[\s\S]*n\/a/);
});
