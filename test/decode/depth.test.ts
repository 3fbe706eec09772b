// A shallow dissection pass (lib/decode/depth.ts) must give every field it serves exactly the values a full pass
// gives. For every corpus capture, sample and notebook capture: each group of fields is decoded once on a capture
// that was fully dissected first and once on a fresh capture that dissects only as deep as the group needs; the
// columns must be equal frame by frame and occurrence by occurrence. The fresh capture's pass must really have
// been shallow, or the test would compare the full pass with itself.

import { strict as assert } from "node:assert";
import * as path from "node:path";
import { test } from "node:test";
import type { Column, Value } from "../../lib/decode/column.js";
import { describeDepth, HEADERS_DEPTH } from "../../lib/decode/depth.js";
import { allFields, DISSECTORS } from "../../lib/dissectors/registry.js";
import { open } from "../../lib/table/capture.js";
import { corpusFiles, projectRoot, requireTool, sampleFiles } from "../oracle/tshark.js";

const HEADER_PROTOS = ["eth", "ethertype", "vlan", "llc", "arp", "sll", "null", "raw", "nflog", "ip", "ipv6", "ipv6.hopopts",
  "ipv6.routing", "ipv6.fraghdr", "ipv6.dstopts", "icmp", "icmpv6", "tcp", "udp"];
const BLE_PROTOS = ["nordic_ble", "hci_h4", "bthci_acl", "bluetooth", "btle_rf", "btle", "btcommon", "btl2cap", "btatt", "btsmp"];

/** Non-derived fields of the protocols named (a field's protocol is the dissector declaring it, not its prefix). */
function fieldsOf(protos: readonly string[]): string[] {
  const out: string[] = [];
  for (const e of allFields()) if (!e.field.derive && protos.includes(DISSECTORS[e.protoId]?.proto ?? "")) out.push(e.field.abbrev);
  return out;
}

/** Derived fields that declare they can do with a shallow pass (FieldDef.deriveDepth). */
function derivedAt(...depths: string[]): string[] {
  const out: string[] = [];
  for (const e of allFields()) if (e.field.derive && depths.includes(e.field.deriveDepth ?? "full")) out.push(e.field.abbrev);
  return out;
}

const HEADERS = [...fieldsOf(HEADER_PROTOS).filter((f) => f !== "tcp.stream" && f !== "udp.stream"), ...derivedAt("index", "headers")];
/** Each group with the depth it must get. */
const GROUPS: { name: string; fields: string[]; depth: string }[] = [
  { name: "headers", fields: HEADERS, depth: "headers" },
  // Layer fields alone: the pass records only these protocols' layers (no derived field asks for the others).
  { name: "eth, ip, udp alone", fields: fieldsOf(["eth", "ip", "udp"]).filter((f) => f !== "udp.stream"), depth: "headers" },
  { name: "streams", fields: ["tcp.stream", "udp.stream", "tcp.srcport", "udp.length", ...derivedAt("streams")], depth: "headers+streams" },
  // Each transport's numbering on its own: the other transport's segments are then marked unnumbered, not numbered.
  { name: "tcp streams", fields: ["tcp.stream", "tcp.srcport", "udp.length", "udp.srcport"], depth: "headers+tcp streams" },
  { name: "udp streams", fields: ["udp.stream", "udp.length", "tcp.srcport", "tcp.len"], depth: "headers+udp streams" },
  { name: "ble", fields: fieldsOf(BLE_PROTOS), depth: "headers" },
  { name: "mqtt", fields: [...fieldsOf(["mqtt"]), "tcp.srcport"], depth: "headers, payload of mqtt" },
  { name: "modbus", fields: [...fieldsOf(["mbtcp", "modbus"]), "tcp.dstport"], depth: "headers, payload of mbtcp" },
  { name: "dns", fields: fieldsOf(["dns"]), depth: "headers, payload of dns" },
  { name: "coap", fields: [...fieldsOf(["coap", "lwm2mtlv"]), "udp.srcport"], depth: "headers, payload of coap" },
];

function text(v: Value): string {
  return v instanceof Uint8Array ? Buffer.from(v).toString("hex") : String(v);
}

function differences(full: Column, shallow: Column, n: number, limit = 3): string[] {
  const out: string[] = [];
  for (let i = 0; i < n && out.length < limit; i++) {
    const a = full.all(i).map(text).join(","), b = shallow.all(i).map(text).join(",");
    if (a !== b) out.push(`frame ${i + 1}: full [${a}] shallow [${b}]`);
  }
  return out;
}

const files = () => [...corpusFiles(), ...sampleFiles(),
  ...["ble-rogue", "modbus-ids", "mqtt-drops"].map((n) => path.join(projectRoot(), "notebooks", n, `${n}.pcap`))];

test("every field group gets the shallow pass it needs (depthFor)", async () => {
  const file = path.join(projectRoot(), "samples", "modbus-tcp-poll.pcap");
  for (const g of GROUPS) {
    const cap = await open(file);
    try {
      cap.columns(g.fields);
      assert.equal(describeDepth(cap.layersAt(HEADERS_DEPTH).depth), g.depth, g.name);
    } finally { cap.close(); }
  }
});

test("a shallow pass gives the full pass's values, on every capture", async (t) => {
  if (!requireTool(t, "corpus")) return;
  let compared = 0;
  const problems: string[] = [];
  for (const file of files()) {
    const full = await open(file);
    try {
      full.layers();
      for (const g of GROUPS) {
        const shallow = await open(file);
        try {
          const a = full.columns(g.fields), b = shallow.columns(g.fields);
          g.fields.forEach((f, k) => {
            compared += full.count;
            for (const d of differences(a[k], b[k], full.count)) problems.push(`${path.basename(file)} ${g.name} ${f} ${d}`);
          });
          // The fresh capture dissected only as deep as the group needs, never fully.
          const depth = describeDepth(shallow.layersAt(HEADERS_DEPTH).depth);
          if (depth !== g.depth) problems.push(`${path.basename(file)} ${g.name}: pass was ${depth}`);
        } finally { shallow.close(); }
      }
    } finally { full.close(); }
  }
  t.diagnostic(`${files().length} captures, ${compared.toLocaleString("en-US")} (field, frame) cells compared`);
  assert.deepEqual(problems.slice(0, 20), []);
  assert.ok(compared > 1_000_000, `compared only ${compared} cells`);
});
