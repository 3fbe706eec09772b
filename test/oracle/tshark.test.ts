// The oracle itself: answers, errors, the skip-or-fail rule, and that a cache hit starts no tshark.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  corpusDir, corpusFiles, ourType, projectRoot, requireTool, sampleFiles, tsharkFields, tsharkFieldTypes, tsharkFrames,
  tsharkRejects, TsharkError, which,
} from "./tshark.js";

const sample = (f: string) => path.join(projectRoot(), "samples", f);

test("tsharkFields: one row a frame, one string a field, occurrences joined by commas", async (t) => {
  if (!requireTool(t, "tshark")) return;
  const rows = await tsharkFields(sample("dns-icmp.pcap"), ["frame.number", "ip.src", "dns.a", "icmp.type", "ip.proto"]);
  assert.equal(rows.length, 16);
  assert.deepEqual(rows[0].slice(0, 2), ["1", "127.0.0.1"]);
  // The ICMP port-unreachable frame quotes the datagram's IP header: two ip.src, two ip.proto.
  const unreachable = rows.find((r) => r[3] === "3")!;
  assert.equal(unreachable[1], "127.0.0.1,127.0.0.1");
  assert.equal(unreachable[4], "1,17");
  assert.ok(rows.some((r) => r[2] === "127.0.0.10"));
});

test("tsharkFields: tshark's error surfaces with its stderr", async (t) => {
  if (!requireTool(t, "tshark")) return;
  await assert.rejects(tsharkFields(sample("dns-icmp.pcap"), ["frame.number", "no.such.field"]),
    (e: unknown) => e instanceof TsharkError && /Some fields aren't valid:\s+no\.such\.field/.test(e.stderr));
});

test("tsharkFields: a damaged file yields the frames before the damage", async (t) => {
  if (!requireTool(t, "tshark") || !requireTool(t, "corpus")) return;
  const rows = await tsharkFields(path.join(corpusDir(), "general/cut-short-http-mime.pcap"), ["frame.number"]);
  assert.equal(rows.length, 2696);
});

test("tsharkFields: extra arguments (a preference, decode as) change the answer and are their own question", async (t) => {
  if (!requireTool(t, "tshark")) return;
  const file = sample("mqtt311-pubsub.pcap");
  const shown = (rows: string[][]) => rows.filter((r) => r.some((v) => v !== ""));
  // By default tshark shows a PUBLISH payload as bytes; with mqtt.show_msg_as_text on, as text instead.
  const bytes = shown(await tsharkFields(file, ["mqtt.msg_text", "mqtt.msg"]));
  const text = shown(await tsharkFields(file, ["mqtt.msg_text", "mqtt.msg"], { args: ["-o", "mqtt.show_msg_as_text:TRUE"] }));
  assert.ok(bytes.length > 0 && bytes.every((r) => r[0] === "" && r[1] !== ""));
  assert.deepEqual(text.map((r) => r[0]), bytes.map((r) => Buffer.from(r[1], "hex").toString()));
  // Decode as: MQTT's port given to another dissector leaves no MQTT at all.
  const none = shown(await tsharkFields(file, ["mqtt.msg"], { args: ["-d", "tcp.port==1883,http"] }));
  assert.deepEqual(none, []);
});

test("tsharkFrames: the frame numbers a display filter selects", async (t) => {
  if (!requireTool(t, "tshark")) return;
  assert.deepEqual(await tsharkFrames(sample("dns-icmp.pcap"), "icmp.type == 8"), [9, 11, 13]);
  assert.deepEqual(await tsharkFrames(sample("dns-icmp.pcap"), "mqtt"), []);
});

test("tsharkRejects: tshark's message for a bad filter, null for a good one", async (t) => {
  if (!requireTool(t, "tshark")) return;
  assert.equal(await tsharkRejects("ip.src == 10.0.0.1 && tcp.port in {80, 443}"), null);
  assert.match((await tsharkRejects("ip.src =="))!, /Unexpected end of filter expression/);
  assert.match((await tsharkRejects("nosuchproto.field == 1"))!, /must be a field or function, not nosuchproto\.field/);
});

test("tsharkFieldTypes: Wireshark's registry, with our type names", async (t) => {
  if (!requireTool(t, "tshark")) return;
  const types = await tsharkFieldTypes();
  assert.equal(types.get("ip.src")?.type, "FT_IPv4");
  assert.equal(types.get("eth.type")?.base, "BASE_HEX");
  assert.equal(types.get("tcp.flags.syn")?.mask, 0x2);
  assert.equal(types.get("mqtt")?.type, "FT_PROTOCOL");
  assert.equal(ourType("FT_UINT16"), "uint16");
  assert.equal(ourType("FT_IPv6"), "ipv6");
  assert.equal(ourType("FT_GUID"), null);
});

test("requireTool: skips when a tool is missing, fails under CI=true", (t) => {
  const saved = process.env.CI;
  try {
    let skipped: string | undefined;
    const ctx = { skip: (m?: string) => { skipped = m; } };
    delete process.env.CI;
    assert.equal(requireTool(ctx, "no-such-tool-wirebook"), false);
    assert.match(skipped!, /no-such-tool-wirebook/);
    process.env.CI = "true";
    assert.throws(() => requireTool(ctx, "no-such-tool-wirebook"), /CI=true/);
    assert.equal(requireTool(ctx, "sh"), true);
  } finally {
    if (saved === undefined) delete process.env.CI; else process.env.CI = saved;
  }
  if (corpusFiles().length) assert.ok(corpusFiles().every((f) => f.startsWith(corpusDir())));
  assert.ok(sampleFiles().some((f) => f.endsWith("mqtt311-pubsub.pcap.gz")));
});

test("a cache hit starts no tshark", (t) => {
  const real = which("tshark");
  if (!requireTool(t, "tshark") || !real) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wirebook-oracle-"));
  try {
    const log = path.join(dir, "calls.log");
    fs.writeFileSync(path.join(dir, "tshark"), `#!/bin/sh\necho "$@" >> '${log}'\nexec '${real}' "$@"\n`, { mode: 0o755 });
    const oracle = path.join(path.dirname(fileURLToPath(import.meta.url)), "tshark.js");
    // A filter nobody asked before, so the first run misses the cache.
    const filter = `frame.len > ${Math.floor(Math.random() * 1e9)} || frame.number == 2`;
    const script = `import { tsharkFields } from ${JSON.stringify(oracle)};
      const rows = await tsharkFields(${JSON.stringify(sample("dns-icmp.pcap"))}, ["frame.number"], { filter: ${JSON.stringify(filter)} });
      console.log(JSON.stringify(rows));`;
    const env = { ...process.env, PATH: `${dir}${path.delimiter}${process.env.PATH}` };
    const runOnce = () => execFileSync(process.execPath, ["--input-type=module", "-e", script], { env, encoding: "utf8" });
    assert.equal(runOnce().trim(), '[["2"]]');
    const first = fs.readFileSync(log, "utf8").trim().split("\n").length;
    assert.ok(first >= 1);
    assert.equal(runOnce().trim(), '[["2"]]');
    assert.equal(fs.readFileSync(log, "utf8").trim().split("\n").length, first, "the second run started tshark");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
