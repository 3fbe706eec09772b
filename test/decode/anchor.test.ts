// An anchored pass (WalkDepth.anchor: what a message table asks for) keeps the layers of only the frames holding a
// layer of an anchor protocol. Those frames' layers must be exactly the unanchored pass's, every other frame must have
// none, and frame-level facts (malformed flags and reasons) must not change. Checked on every capture; and the depth
// algebra must never let an anchored table stand in for a table of every frame.

import { strict as assert } from "node:assert";
import * as path from "node:path";
import { test } from "node:test";
import { covers, describeDepth, HEADERS_DEPTH, union, type WalkDepth } from "../../lib/decode/depth.js";
import type { LayerTable } from "../../lib/decode/layer-table.js";
import { open } from "../../lib/table/capture.js";
import { corpusFiles, projectRoot, requireTool, sampleFiles } from "../oracle/tshark.js";

/** Anchor protocol and the fields a message table of it would read (its own and the context columns' protocols). */
const CASES: { anchor: string; fields: string[] }[] = [
  { anchor: "mqtt", fields: ["mqtt.topic", "tcp.stream", "ip.src", "ipv6.src", "tcp.srcport", "udp.srcport"] },
  { anchor: "modbus", fields: ["modbus.func_code", "mbtcp.trans_id", "tcp.stream", "ip.src"] },
  { anchor: "coap", fields: ["coap.code", "udp.stream", "ip.src", "ipv6.src"] },
  { anchor: "dns", fields: ["dns.qry.name", "udp.stream", "tcp.stream", "ip.src"] },
  { anchor: "btle", fields: ["btle.access_address", "btle_rf.channel", "btcommon.eir_ad.entry.type"] },
  { anchor: "btatt", fields: ["btatt.opcode", "btl2cap.cid", "btle.access_address"] },
];

/**
 * One layer as text: protocol, offsets, aux, and its bytes (a side buffer's or the frame's, by offset). A btle data
 * layer's aux holds, above its low byte, a reference into the append-only table of connections every pass adds to
 * (lib/dissectors/btle-conn.ts): two passes give equal connections different references, so only the low byte counts.
 */
function layerText(lt: LayerTable, l: number, btle: number): string {
  const buf = lt.bufOf(l), aux = lt.proto[l] === btle ? lt.aux[l] & 0xff : lt.aux[l];
  const bytes = buf === 0 ? "" : Buffer.from(lt.side[buf - 1].subarray(lt.offOf(l), lt.endOf(l))).toString("hex");
  return `${lt.proto[l]}:${lt.offOf(l)}-${lt.endOf(l)}/${lt.repOf(l)}:${aux}:${buf === 0 ? "frame" : bytes}`;
}

function frameLayers(lt: LayerTable, f: number, btle: number): string[] {
  const out: string[] = [];
  for (let l = lt.frameStart[f]; l < lt.frameStart[f + 1]; l++) out.push(layerText(lt, l, btle));
  return out;
}

test("an anchored pass keeps exactly the layers of the frames holding an anchor layer, on every capture", async (t) => {
  if (!requireTool(t, "corpus")) return;
  const files = [...corpusFiles(), ...sampleFiles(),
    ...["ble-rogue", "modbus-ids", "mqtt-drops"].map((n) => path.join(projectRoot(), "notebooks", n, `${n}.pcap`))];
  const problems: string[] = [];
  let kept = 0, dropped = 0;
  for (const file of files) {
    for (const { anchor, fields } of CASES) {
      const plain = await open(file), anchored = await open(file);
      try {
        const a = plain.layersFor(fields), b = anchored.layersFor(fields, [anchor]);
        const id = plain.protoId(anchor), btle = plain.protoId("btle"), name = `${path.basename(file)} ${anchor}`;
        if (!b.depth.anchor?.has(anchor)) problems.push(`${name}: the pass was not anchored (${describeDepth(b.depth)})`);
        for (let f = 0; f < plain.count && problems.length < 20; f++) {
          const mine = frameLayers(a, f, btle), theirs = frameLayers(b, f, btle);
          const holds = a.proto.subarray(a.frameStart[f], a.frameStart[f + 1]).includes(id);
          const want = holds ? mine : [];
          if (want.join(" ") !== theirs.join(" ")) problems.push(`${name} frame ${f + 1}: want [${want.join(" ")}] got [${theirs.join(" ")}]`);
          if (a.malformed[f] !== b.malformed[f] || String(a.problems.get(f)) !== String(b.problems.get(f))) {
            problems.push(`${name} frame ${f + 1}: problems ${String(a.problems.get(f))} vs ${String(b.problems.get(f))}`);
          }
          if (holds) kept++;
          else if (mine.length > 0) dropped++;
        }
      } finally { plain.close(); anchored.close(); }
    }
  }
  t.diagnostic(`${files.length} captures: ${kept} frames kept with their layers, ${dropped} frames' layers dropped`);
  assert.deepEqual(problems, []);
  assert.ok(kept > 1000 && dropped > 1000, `too little compared: ${kept} kept, ${dropped} dropped`);
});

test("an anchored table never stands in for a table of every frame (covers, union)", () => {
  const mqtt: WalkDepth = { ...HEADERS_DEPTH, payload: new Set(["mqtt"]), record: new Set(["mqtt", "tcp"]) };
  const anchored: WalkDepth = { ...mqtt, anchor: new Set(["mqtt"]) };
  assert.equal(covers(anchored, mqtt), false, "an anchored table lacks the other frames' layers");
  assert.equal(covers(mqtt, anchored), true, "a table of every frame serves an anchored request");
  assert.equal(covers(anchored, anchored), true);
  assert.equal(covers(anchored, { ...mqtt, anchor: new Set(["coap"]) }), false, "frames with coap were dropped");
  assert.equal(covers({ ...mqtt, anchor: new Set(["mqtt", "coap"]) }, anchored), true);
  assert.equal(union(anchored, mqtt).anchor, null, "union with an unanchored depth keeps every frame");
  assert.deepEqual([...union(anchored, { ...mqtt, anchor: new Set(["coap"]) }).anchor!].sort(), ["coap", "mqtt"]);
  assert.equal(describeDepth(anchored), "headers, payload of mqtt, frames with mqtt");
});

test("a message table's anchored pass does not serve a later frame column", async () => {
  const file = path.join(projectRoot(), "samples", "modbus-tcp-poll.pcap");
  const cap = await open(file), fresh = await open(file);
  try {
    const table = cap.messages("modbus", { fields: ["modbus.func_code"] });
    assert.ok(table.numRows() > 0);
    // The current table, whatever it is, serves a request for nothing in the frames with modbus: it was anchored.
    const current = cap.layersAt({ ...HEADERS_DEPTH, record: new Set(), anchor: new Set(["modbus"]) });
    assert.ok(current.depth.anchor?.has("modbus"), "the message table's pass was anchored");
    // tcp.srcport of every frame (handshake and ACK frames hold no modbus layer) must not come from the anchored table.
    const a = cap.column("tcp.srcport"), b = fresh.column("tcp.srcport");
    assert.equal(a.presentCount(), b.presentCount());
    for (let f = 0; f < cap.count; f++) assert.deepEqual(a.all(f), b.all(f), `frame ${f + 1}`);
    const withModbus = new Set(Array.from(table.array("frame.number") as ArrayLike<number>)).size;
    assert.ok(b.presentCount() > withModbus, "the sample has TCP frames without a Modbus PDU (handshakes, ACKs)");
  } finally { cap.close(); fresh.close(); }
});
