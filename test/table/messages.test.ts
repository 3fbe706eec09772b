// capture.messages(kind): one row per message. Checked against tshark: for each frame, the values of a field over
// that frame's message rows, in order, must be tshark's occurrences of the field in the frame (-E occurrence=a).

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { open } from "../../lib/table/capture.js";
import type { MessageOptions } from "../../lib/table/messages.js";
import { corpusDir, corpusFiles, projectRoot, requireTool, sampleFiles, tsharkFields } from "../oracle/tshark.js";
import { readPcap, writePcap, type Rec } from "../dissectors/pcap-files.js";
import { naiveMessageTable } from "./message-oracle.js";

/** kind, the field every message of that kind carries, and the corpus files to check it on. */
const CASES: [string, string, RegExp][] = [
  ["mqtt", "mqtt.msgtype", /^mqtt\//],
  ["modbus", "modbus.func_code", /^modbus\//],
  ["coap", "coap.code", /^coap\//],
  ["ble.adv", "btle.advertising_header.pdu_type", /^ble\//],
];

test("message tables have one row per message, as tshark counts them", async (t) => {
  if (!requireTool(t, "tshark")) return;
  const files = corpusFiles();
  if (files.length === 0) {
    if (process.env.CI === "true") throw new Error(`the shared corpus (${corpusDir()}) is missing, and CI=true requires it`);
    t.skip(`the shared corpus (${corpusDir()}) is missing`);
    return;
  }
  let rows = 0, skipped = 0;
  for (const [kind, field, which] of CASES) {
    for (const file of files.filter((f) => which.test(path.relative(corpusDir(), f)))) {
      const [theirs, cap] = await Promise.all([tsharkFields(file, ["frame.number", field]), open(file)]);
      try {
        const table = cap.messages(kind, { fields: [field] });
        const frames = table.array("frame.number") as ArrayLike<number>;
        const values = table.array(field) as ArrayLike<number>;
        const ours = new Map<number, string[]>();
        for (let r = 0; r < table.numRows(); r++) {
          const list = ours.get(frames[r]) ?? [];
          list.push(Number.isNaN(values[r]) ? "" : String(values[r]));
          ours.set(frames[r], list);
        }
        // Frames where the dissector itself differs from tshark on purpose (listed by its conformance test, e.g.
        // segments after a capture gap) are skipped here: this test is about rows, not dissection.
        const perFrame = cap.column(field);
        for (const [num, v] of theirs) {
          const expected = v === "" ? [] : v.split(",").map((x) => String(Number(x)));
          const frameValues = perFrame.all(Number(num) - 1).map((x) => String(x));
          if (frameValues.join(",") !== expected.join(",")) { skipped++; continue; }
          const got = (ours.get(Number(num)) ?? []).filter((x) => x !== "");
          assert.deepEqual(got, expected, `${path.basename(file)} frame ${num}: ${kind} rows' ${field}`);
        }
        rows += table.numRows();
      } finally {
        cap.close();
      }
    }
  }
  t.diagnostic(`${rows} message rows checked against tshark; ${skipped} frames skipped where the dissector differs on purpose`);
  assert.ok(skipped < rows / 20, "few frames skipped");
  assert.ok(rows > 1000, "the corpus yields message rows");
});

test("two MQTT messages in one segment are two rows, and a filter selects message rows", async (t) => {
  const file = path.join(corpusDir(), "mqtt", "mqtt311-sub-unsub-qos1.pcap");
  if (!corpusFiles().includes(file)) {
    if (process.env.CI === "true") throw new Error(`${file} is missing, and CI=true requires it`);
    t.skip(`${file} is missing`);
    return;
  }
  const cap = await open(file);
  // tshark: frame 10 "Unsubscribe Request (id=2), Unsubscribe Request (id=3)".
  const unsub = cap.messages("mqtt", { fields: ["mqtt.msgid", "mqtt.topic"], filter: "mqtt.msgtype == 10" });
  assert.deepEqual(Array.from(unsub.array("frame.number") as ArrayLike<number>), [10, 10]);
  assert.deepEqual(Array.from(unsub.array("mqtt.msgid") as ArrayLike<number>), [2, 3]);
  assert.deepEqual(Array.from(unsub.array("mqtt.topic") as ArrayLike<string>), ["topicX", "topicY"]);
  assert.deepEqual(Array.from(unsub.array("malformed") as ArrayLike<number>), [0, 0]);
  assert.deepEqual(Array.from(unsub.array("tcp.dstport") as ArrayLike<number>), [1883, 1883]);
  cap.close();
});

/** Tables checked against the column-by-column oracle: kind, options, and the corpus files (samples/ always too). */
const ORACLE_CASES: [string, MessageOptions, RegExp][] = [
  ["mqtt", {}, /^mqtt\//],
  ["mqtt", { fields: ["ip.src", "tcp.stream", "frame.time_relative", "frame.protocols", "tcp.port", "ip.version", "eth.src", "ipv6.addr", "frame.comment"], filter: "mqtt.msgtype >= 3" }, /^mqtt\//],
  ["modbus", {}, /^modbus\//],
  ["modbus", { fields: ["modbus.request_frame", "modbus.response_time", "mbtcp.trans_id", "tcp.len", "modbus.func_code"], filter: "modbus.func_code == 3 && tcp.srcport == 502" }, /^modbus\//],
  ["coap", {}, /^coap\//],
  ["coap", { fields: ["coap.response_time", "coap.response_to", "coap.payload", "udp.stream", "udp.time_relative", "ipv6.src", "frame.malformed"] }, /^coap\//],
  ["lwm2m", { fields: ["lwm2mtlv.type.type", "lwm2mtlv.identifier", "lwm2mtlv.value.integer", "coap.code", "udp.srcport", "coap.response_time"] }, /^coap\//],
  ["ble.adv", {}, /^ble\//],
  ["ble.adv", { fields: ["btcommon.eir_ad.entry.type", "btcommon.eir_ad.entry.device_name", "btle.advertising_address", "nordic_ble.channel"] }, /^ble\//],
  ["att", { fields: ["btatt.opcode", "btatt.handle", "btl2cap.cid", "btle.access_address"], filter: "btatt.opcode == 0x0b" }, /^ble\//],
  ["dns", { fields: ["dns.time", "dns.qry.name", "dns.a", "udp.stream", "ip.src"] }, /^general\/dns/],
];

test("message tables equal the same tables built column by column (one-pass extraction changes nothing)", async (t) => {
  const files = [...corpusFiles(), ...sampleFiles()];
  if (corpusFiles().length === 0) {
    if (process.env.CI === "true") throw new Error(`the shared corpus (${corpusDir()}) is missing, and CI=true requires it`);
    t.diagnostic(`the shared corpus (${corpusDir()}) is missing: samples/ only`);
  }
  let tables = 0, rows = 0;
  for (const file of files) {
    const rel = path.relative(corpusDir(), file), sample = file.startsWith(path.join(projectRoot(), "samples"));
    const cases = ORACLE_CASES.filter(([, , which]) => sample || which.test(rel));
    if (cases.length === 0) continue;
    const cap = await open(file);
    try {
      for (const [kind, opts] of cases) {
        // The one-pass table first, on a capture with nothing decoded yet (its presence checks then read the file).
        const ours = cap.messages(kind, opts), theirs = naiveMessageTable(cap, kind, opts);
        const what = `${path.basename(file)} ${kind} ${JSON.stringify(opts)}`;
        assert.deepEqual(ours.columnNames(), theirs.columnNames(), `${what}: columns`);
        for (const name of ours.columnNames()) {
          const a = ours.array(name), b = theirs.array(name);
          assert.equal(a.constructor.name, b.constructor.name, `${what}: ${name} array type`);
          assert.deepStrictEqual(Array.from(a as ArrayLike<unknown>), Array.from(b as ArrayLike<unknown>), `${what}: ${name}`);
        }
        tables++;
        rows += ours.numRows();
      }
    } finally {
      cap.close();
    }
  }
  t.diagnostic(`${tables} tables (${rows} rows) equal to the column-by-column oracle`);
  assert.ok(tables >= 11 && rows > 500, "the samples (and corpus) yield message tables");
});

/** An Ethernet/IPv4/UDP frame from 192.0.2.1:sport to 192.0.2.2:dport carrying `payload`. */
function udpFrame(sport: number, dport: number, payload: Uint8Array): Uint8Array {
  const f = new Uint8Array(14 + 20 + 8 + payload.length), dv = new DataView(f.buffer);
  f.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1], 0);
  dv.setUint16(12, 0x0800);
  f[14] = 0x45; dv.setUint16(16, 28 + payload.length); f[22] = 64; f[23] = 17;
  f.set([192, 0, 2, 1, 192, 0, 2, 2], 26);
  dv.setUint16(34, sport); dv.setUint16(36, dport); dv.setUint16(38, 8 + payload.length);
  f.set(payload, 42);
  return f;
}

test("a message table numbers UDP conversations after all when a row's frame has a UDP layer (MQTT tunnelled in UDP)", async () => {
  // MQTT rides TCP only, so a table skips numbering UDP conversations (most of a pass's hashing on mixed traffic)
  // unless a row's frame turns out to hold a UDP layer: here every MQTT frame of a sample inside UDP to port 4789,
  // decoded as Ethernet, after a datagram of another conversation.
  const { linktype, recs } = readPcap(path.join(projectRoot(), "samples", "mqtt311-pubsub.pcap"));
  assert.equal(linktype, 1);
  const tunnelled: Rec[] = recs.map((r) => ({ ...r, data: udpFrame(40000, 4789, r.data), len: r.len + 42 }));
  const file = path.join(os.tmpdir(), `wirebook-mqtt-in-udp-${process.pid}.pcap`);
  writePcap(file, 1, [{ ...recs[0], data: udpFrame(5000, 5001, new Uint8Array(4)), len: 46 }, ...tunnelled]);
  const [shallow, full] = await Promise.all([open(file), open(file)]);
  try {
    for (const cap of [shallow, full]) cap.decodeAs("udp.port", 4789, "eth");
    // A pass that follows the tunnel but numbers only TCP conversations, as an earlier request could leave it.
    shallow.layersAt({ tcpStreams: true, udpStreams: false, payload: new Set(["eth", "mqtt"]) });
    full.layers();
    const ours = shallow.messages("mqtt", { fields: ["mqtt.msgtype"] }), theirs = full.messages("mqtt", { fields: ["mqtt.msgtype"] });
    assert.ok(ours.numRows() > 5);
    assert.deepEqual(ours.columnNames(), theirs.columnNames());
    const streams = Array.from(ours.array("udp.stream") as ArrayLike<number>);
    assert.deepEqual(streams, Array.from(theirs.array("udp.stream") as ArrayLike<number>));
    assert.deepEqual(new Set(streams), new Set([1]), "every row in the tunnel's conversation, the second seen");
  } finally {
    shallow.close();
    full.close();
    fs.rmSync(file, { force: true });
  }
});
