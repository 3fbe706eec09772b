// `wirebook fields` run as a child process (node bin/wirebook.js fields …), its stdout diffed against tshark's
// -T fields output for every registered field tshark also knows, on every sample and corpus capture; and its options
// and errors against tshark's.

import assert from "node:assert/strict";
import { comparableStacks, listedStackDifference } from "../conformance/compare.js";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { allFields, lookupField } from "../../lib/dissectors/registry.js";
import { type Comparison, type Mismatch, registered, report } from "../conformance/compare.js";
import {
  corpusDir, corpusFiles, projectRoot, requireTool, sampleFiles, tsharkFields, tsharkFieldTypes,
} from "../oracle/tshark.js";

const ROOT = projectRoot();
const BIN = path.join(ROOT, "bin", "wirebook.js");
const sample = (f: string) => path.join(ROOT, "samples", f);

/**
 * Fields whose meaning differs from tshark's by design, left out of the diff: FT_PROTOCOL fields (tshark prints the
 * tree item's label); frame.file_off (tshark 4.0 never prints it); _ws.expert.message (tshark's holds every expert
 * info, ours only the malformed/truncated reasons).
 */
const NOT_COMPARABLE = new Set(["frame.file_off", "_ws.expert.message"]);

function wirebook(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", maxBuffer: 1 << 30 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function tshark(args: string[]): string {
  return execFileSync("tshark", args, { encoding: "utf8", maxBuffer: 1 << 30, stdio: ["ignore", "pipe", "ignore"] });
}

/**
 * The command is compared on the capture engine's protocols (frame and L2–L4), where the dissectors agree with
 * tshark completely. Application protocols (MQTT, Modbus, CoAP, DNS, BLE …) are compared field by field in their own
 * conformance tests (test/dissectors/*-conformance), which list each intended difference with its reason; this test
 * is about the command's output, not about those differences.
 */
const ENGINE_PROTOCOLS = new Set(["frame", "eth", "ethertype", "vlan", "llc", "arp", "sll", "null", "nflog", "ip",
  "ipv6", "icmp", "icmpv6", "udp", "tcp"]);

async function wideFieldList(): Promise<string[]> {
  const theirs = await tsharkFieldTypes();
  const out: string[] = [];
  for (const { field, dissector } of allFields()) {
    const tf = theirs.get(field.abbrev);
    const proto = dissector?.proto ?? "frame";
    if (!ENGINE_PROTOCOLS.has(proto)) continue;
    if (tf && tf.type !== "FT_PROTOCOL" && field.type !== "protocol" && !NOT_COMPARABLE.has(field.abbrev)) out.push(field.abbrev);
  }
  return out;
}

test("wirebook fields prints what tshark -T fields prints, for every frame and L2–L4 field, on every capture", async (t) => {
  if (!requireTool(t, "tshark")) return;
  if (!fs.existsSync(BIN)) throw new Error(`${BIN} is missing`);
  if (corpusFiles().length === 0) {
    if (process.env.CI === "true") throw new Error(`the shared corpus (${corpusDir()}) is missing, and CI=true requires it`);
    t.diagnostic("the shared corpus is missing: samples only");
  }
  const fields = await wideFieldList();
  const types = new Map(fields.map((f) => [f, lookupField(f)!.field.type as string]));
  const files = [...sampleFiles(), ...corpusFiles()];
  let compared = 0, mismatched = 0;
  for (const file of files) {
    const name = file.startsWith(corpusDir()) ? path.relative(corpusDir(), file) : path.join("samples", path.basename(file));
    await t.test(name, async (st) => {
      const expected = await tsharkFields(file, fields);
      const r = wirebook(["fields", file, ...fields.flatMap((f) => ["-e", f])]);
      assert.ok(r.code === 0 || r.code === 2 && expected.length > 0, `exit ${r.code}: ${r.stderr}`);
      const lines = r.stdout.split("\n");
      assert.equal(lines.pop(), "", "output ends with a newline");
      const mismatches: Mismatch[] = [];
      const beyond = new Map<string, number>();
      const n = Math.max(lines.length, expected.length);
      const stackAt = fields.indexOf("frame.protocols");
      const lacking = stackAt < 0 ? null : expected.map((row) => comparableStacks(row[stackAt], "").cut).find((c) => c) ?? null;
      for (let i = 0; i < n; i++) {
        const ours = i < lines.length ? lines[i].split("\t") : [];
        // A frame whose tshark stack runs into a protocol we do not dissect yet (HTTP, TLS, SMTP …): up to that
        // protocol the stacks must agree; past it, tshark's fields and our `data.*` are that protocol's, not ours.
        let cut = stackAt >= 0 && expected[i] ? comparableStacks(expected[i][stackAt], ours[stackAt] ?? "") : null;
        // In a file where tshark decodes such a protocol, a segment it holds for reassembly shows nothing after tcp.
        if (cut && !cut.cut && lacking && ours[stackAt] === `${expected[i][stackAt]}:data` && /:(tcp|udp)$/.test(expected[i][stackAt])) {
          cut = { tshark: cut.tshark, ours: cut.tshark, cut: `${lacking} (holding a segment)` };
        }
        for (let k = 0; k < fields.length; k++) {
          let a = ours[k] ?? "<no frame>", b = expected[i]?.[k] ?? "<no frame>";
          if (cut?.cut && k === stackAt) {
            a = cut.ours; b = cut.tshark;
            if (a === `${b}:data`) a = b;
          }
          if (cut?.cut && a !== b && (fields[k].startsWith("data.") || b === "")) {
            beyond.set(cut.cut, (beyond.get(cut.cut) ?? 0) + 1);
            continue;
          }
          if (a !== b && k === stackAt) {
            const why = listedStackDifference(file, b, a);
            if (why) { beyond.set(`listed: ${why}`, (beyond.get(`listed: ${why}`) ?? 0) + 1); continue; }
          }
          // A relative time over 2^53 ns (104 days) has no nanosecond digits in a double: equal to the microsecond.
          if (a !== b && types.get(fields[k]) === "rel_time" && Math.abs(Number(b)) > 9.007e6 && Math.abs(Number(a) - Number(b)) < 1e-6) {
            beyond.set("relative times beyond 2^53 ns, equal to the microsecond", (beyond.get("relative times beyond 2^53 ns, equal to the microsecond") ?? 0) + 1);
            continue;
          }
          if (a !== b) mismatches.push({ frame: i + 1, field: fields[k], tshark: b, ours: a });
        }
      }
      if (beyond.size) st.diagnostic(`past protocols we do not dissect yet: ${[...beyond].map(([p, c]) => `${p} (${c} cells)`).join(", ")}`);
      const c: Comparison = { file, frames: n, fields, compared: n * fields.length, mismatches, beyond };
      compared += c.compared;
      mismatched += mismatches.length;
      const text = report(c);
      for (const line of text.split("\n")) st.diagnostic(line);
      assert.equal(mismatches.length, 0, `${mismatches.length} mismatches (the diff is in this test's diagnostics)`);
    });
  }
  t.diagnostic(`wirebook fields: ${fields.length} fields x frames of ${files.length} files = ${compared} compared, ${mismatched} mismatches`);
});

test("unknown fields: tshark's message, exit code 2, nothing on stdout", (t) => {
  if (!fs.existsSync(BIN)) return t.skip("bin/wirebook.js missing");
  const r = wirebook(["fields", sample("dns-icmp.pcap"), "-e", "frame.number", "-e", "zz.nope", "-e", "aa.nope"]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  assert.equal(r.stderr, "wirebook: Some fields aren't valid:\n\taa.nope\n\tzz.nope\n");
});

test("usage errors and unreadable captures", (t) => {
  if (!fs.existsSync(BIN)) return t.skip("bin/wirebook.js missing");
  assert.equal(wirebook(["fields", sample("dns-icmp.pcap")]).code, 2);
  assert.equal(wirebook(["fields", "-e", "frame.number"]).code, 2);
  assert.equal(wirebook(["fields", sample("dns-icmp.pcap"), "-e", "frame.number", "-E", "quote=d"]).code, 2);
  const missing = wirebook(["fields", path.join(ROOT, "no-such.pcap"), "-e", "frame.number"]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no-such\.pcap/);
  const notCapture = wirebook(["fields", path.join(ROOT, "package.json"), "-e", "frame.number"]);
  assert.equal(notCapture.code, 1);
});

test("-E header, separator, occurrence and aggregator behave as tshark's", (t) => {
  if (!requireTool(t, "tshark")) return;
  if (!fs.existsSync(BIN)) return t.skip("bin/wirebook.js missing");
  const file = sample("dns-icmp.pcap");
  // ip.src repeats in the ICMP error frame (it quotes the datagram's header), when an IPv4 dissector is registered.
  const fields = registered(["frame.number", "frame.len", "ip.src", "frame.time_delta"]);
  const e = fields.flatMap((f) => ["-e", f]);
  for (const opts of [
    ["-E", "header=y"],
    ["-E", "separator=/s", "-E", "aggregator=/s"],
    ["-E", "separator=;", "-E", "occurrence=f"],
    ["-E", "occurrence=l", "-E", "aggregator=|"],
  ]) {
    const ours = wirebook(["fields", file, ...e, ...opts]);
    assert.equal(ours.code, 0, ours.stderr);
    assert.equal(ours.stdout, tshark(["-n", "-r", file, "-T", "fields", ...e, ...opts]), opts.join(" "));
  }
});

test("tshark's own spelling of the command line is accepted (-r, -n, -T fields)", (t) => {
  if (!requireTool(t, "tshark")) return;
  if (!fs.existsSync(BIN)) return t.skip("bin/wirebook.js missing");
  const file = sample("mqtt311-pubsub.pcap.gz");
  const args = ["-n", "-r", file, "-T", "fields", "-e", "frame.number", "-e", "frame.time_epoch", "-e", "frame.cap_len"];
  const ours = wirebook(["fields", ...args]);
  assert.equal(ours.code, 0, ours.stderr);
  assert.equal(ours.stdout, tshark(args));
});

test("a reader that goes away (| head) ends the output quietly with exit code 0", async (t) => {
  if (!fs.existsSync(BIN)) return t.skip("bin/wirebook.js missing");
  if (!requireTool(t, "corpus")) return;
  const big = path.join(corpusDir(), "modbus/modbus-multiple-pdus-per-segment.pcap");
  const { spawn } = await import("node:child_process");
  const child = spawn(process.execPath, [BIN, "fields", big, "-e", "frame.number", "-e", "frame.time"], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => { stderr += d; });
  child.stdout.once("data", () => child.stdout.destroy());
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  assert.equal(stderr, "");
  assert.equal(code, 0);
});
