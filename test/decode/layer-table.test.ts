// The layer table stores off/end/rep in 16 bits with an escape for wider values, the side-buffer tag as a bit plus a
// map, and no frame per layer. These tests check the escape paths directly, and end to end on frames and a
// reassembled PDU larger than 64 KiB (no corpus capture has one; loopback captures with 64 KiB MTU do), field by
// field against tshark.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { FrameCursor, LayerTable } from "../../lib/decode/layer-table.js";
import { open } from "../../lib/table/capture.js";
import { requireTool } from "../oracle/tshark.js";
import { compareFields, report } from "../dissectors/protocol-compare.js";
import { writePcap, type Rec } from "../dissectors/pcap-files.js";

test("layer table: narrow and wide off/end/rep, side tags, frames of layers, growth", () => {
  const lt = new LayerTable(5, undefined, 16);
  const side = new Uint8Array(200_000);
  const want: { f: number; proto: number; off: number; end: number; rep: number; aux: number; buf: number }[] = [];
  // Frames 0 and 3 have no layers; frame 2 has many (past the initial capacity, so the table grows).
  const layersOf = [0, 3, 40, 0, 2];
  for (let f = 0; f < layersOf.length; f++) {
    for (let k = 0; k < layersOf[f]; k++) {
      const wide = k % 3 === 1, buf = k % 5 === 4 ? lt.addSide(side) : 0;
      const off = wide ? 65_535 + k : k, end = wide ? 70_000 + k : 100 + k;
      const x = { f, proto: 7 + k, off, end, rep: k % 4 === 0 ? 4_000_000_000 : end - off, aux: 0xfedc_ba98 - k, buf };
      want.push(x);
      assert.equal(lt.push(x.proto, x.off, x.end, x.rep, x.aux, x.buf), want.length - 1);
    }
    lt.finishFrame(f);
  }
  assert.equal(lt.count, want.length);
  assert.ok(lt.proto.length > 16, "grew");
  const cursor = new FrameCursor(lt);
  want.forEach((x, l) => {
    assert.deepEqual(
      [lt.proto[l], lt.offOf(l), lt.endOf(l), lt.repOf(l), lt.aux[l], lt.bufOf(l), lt.frameOf(l), cursor.at(l)],
      [x.proto, x.off, x.end, x.rep, x.aux, x.buf, x.f, x.f], `layer ${l}`);
  });
  // 65535 fits 16 bits, but not with rep = end - off; a layer cut short is odd however small.
  assert.ok(lt.isOdd(1) && lt.isOdd(0) && !lt.isOdd(2));
  // The cursor goes back when asked for an earlier layer.
  assert.equal(cursor.at(0), 1);
  assert.equal(cursor.at(want.length - 1), 4);
  lt.trim();
  want.forEach((x, l) => assert.deepEqual([lt.offOf(l), lt.endOf(l), lt.repOf(l), lt.bufOf(l)], [x.off, x.end, x.rep, x.buf]));
  // A list of chosen layers (message tables) says each layer's frame itself.
  const list = new LayerTable(0, undefined, 16);
  list.side = lt.side;
  for (const l of [4, 5, 44]) list.copy(lt, l);
  list.layerFrame = Uint32Array.of(2, 2, 4);
  assert.deepEqual([0, 1, 2].map((k) => [list.offOf(k), list.endOf(k), list.bufOf(k), list.frameOf(k)]),
    [4, 5, 44].map((l) => [lt.offOf(l), lt.endOf(l), lt.bufOf(l), lt.frameOf(l)]));
});

/** An Ethernet/IPv4/TCP frame 10.0.0.1:40000 <-> 10.0.0.2:1883 carrying `payload`. */
function segment(fromClient: boolean, seq: number, ack: number, flags: number, payload: Uint8Array, usec: number): Rec {
  const b = new Uint8Array(14 + 20 + 20 + payload.length), dv = new DataView(b.buffer);
  b.set([2, 0, 0, 0, 0, fromClient ? 2 : 1, 2, 0, 0, 0, 0, fromClient ? 1 : 2], 0);
  dv.setUint16(12, 0x0800);
  b[14] = 0x45;
  dv.setUint16(16, 20 + 20 + payload.length);
  b[22] = 64;
  b[23] = 6;
  b.set(fromClient ? [10, 0, 0, 1, 10, 0, 0, 2] : [10, 0, 0, 2, 10, 0, 0, 1], 26);
  let sum = 0;
  for (let k = 14; k < 34; k += 2) sum += dv.getUint16(k);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  dv.setUint16(24, ~sum & 0xffff);
  dv.setUint16(34, fromClient ? 40000 : 1883);
  dv.setUint16(36, fromClient ? 1883 : 40000);
  dv.setUint32(38, seq);
  dv.setUint32(42, ack);
  b[46] = 0x50;
  b[47] = flags;
  dv.setUint16(48, 65535);
  b.set(payload, 54);
  return { sec: 1_700_000_000, usec, data: b, len: b.length };
}

test("frames and a reassembled MQTT PUBLISH over 64 KiB decode as tshark decodes them", async (t) => {
  if (!requireTool(t, "tshark")) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wirebook-wide-"));
  try {
    // CONNECT, then a PUBLISH of 100,000 payload bytes in two segments, the first as large as IPv4 allows
    // (frame 65,549 bytes: offsets past 65,535), the reassembled PDU in a side buffer longer than 64 KiB.
    const connect = Uint8Array.from([0x10, 0x10, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 2, 0, 60, 0, 4, 0x77, 0x69, 0x64, 0x65]);
    const topic = new TextEncoder().encode("big/blob"), body = new Uint8Array(100_000).map((_, k) => (k * 7) & 0xff);
    const remaining = 2 + topic.length + body.length;
    const head = [0x30];
    for (let x = remaining; ; ) { const d = x & 0x7f; x >>= 7; head.push(x > 0 ? d | 0x80 : d); if (x === 0) break; }
    const publish = Uint8Array.from([...head, 0, topic.length, ...topic, ...body]);
    const first = 65_535 - 40, c0 = 1000, s0 = 5000;
    const recs: Rec[] = [
      segment(true, c0, 0, 0x02, new Uint8Array(0), 0),
      segment(false, s0, c0 + 1, 0x12, new Uint8Array(0), 10),
      segment(true, c0 + 1, s0 + 1, 0x10, new Uint8Array(0), 20),
      segment(true, c0 + 1, s0 + 1, 0x18, connect, 30),
      segment(true, c0 + 1 + connect.length, s0 + 1, 0x10, publish.subarray(0, first), 40),
      segment(true, c0 + 1 + connect.length + first, s0 + 1, 0x18, publish.subarray(first), 50),
      segment(false, s0 + 1, c0 + 1 + connect.length + publish.length, 0x10, new Uint8Array(0), 60),
    ];
    assert.equal(recs[4].data.length, 65_549);
    const file = path.join(dir, "wide.pcap");
    writePcap(file, 1, recs);
    const fields = ["frame.len", "frame.cap_len", "frame.protocols", "eth.src", "ip.len", "ip.src", "ip.dst", "tcp.srcport", "tcp.len", "tcp.seq",
      "tcp.nxtseq", "tcp.ack", "tcp.stream", "tcp.payload", "mqtt.msgtype", "mqtt.len", "mqtt.topic", "mqtt.msg", "mqtt.clientid"];
    const r = await compareFields(file, fields);
    assert.equal(r.mismatches.length, 0, report(r, { label: "fields", clip: 120 }));
    assert.ok(r.compared >= 7 * fields.length, `compared ${r.compared}`);
    // The wide path was taken: the big frame's layers and the reassembled PUBLISH have escaped values.
    const cap = await open(file);
    const lt = cap.layers();
    const mqttLayers = [...Array(lt.count).keys()].filter((l) => lt.proto[l] === cap.protoId("mqtt"));
    const big = mqttLayers.find((l) => lt.endOf(l) - lt.offOf(l) > 65_535);
    assert.ok(big !== undefined && lt.bufOf(big) > 0 && lt.isOdd(big), "reassembled PUBLISH in a side buffer, kept as odd");
    assert.ok(lt.odd.size > 0);
    assert.equal((cap.column("mqtt.msg").get(5) as Uint8Array | undefined)?.length, 100_000);
    cap.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
