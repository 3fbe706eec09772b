// data, data.data and data.len on real packets whose payload no dissector claims (a CoAP request re-addressed to
// unassigned ports, as tshark shows it: "eth:ethertype:ipv6:udp:data"), and the empty case.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { open } from "../../lib/table/capture.js";
import { formatFrame } from "../../lib/table/tshark-format.js";
import { corpusDir, requireTool } from "../oracle/tshark.js";
import { corpusPackets, patched, tempDir, writePcap } from "./transport-captures.js";

const UDP6 = 54;

test("an undecoded UDP payload is data: its bytes and their count", async (t) => {
  if (!requireTool(t, "corpus")) return;
  const { linktype, recs } = corpusPackets(corpusDir(), "coap/coap-ipv6-periodic-get-put.pcap", [1]);
  const moved = patched(recs[0], [[UDP6, 0xbd], [UDP6 + 1, 0x0b], [UDP6 + 2, 0xbd], [UDP6 + 3, 0x0c]]); // 48395 → 48396
  const cut = { ...moved, data: moved.data.subarray(0, UDP6 + 8) }; // the payload not captured at all
  const dir = tempDir();
  try {
    const file = path.join(dir, "data.pcap");
    writePcap(file, linktype, [moved, cut]);
    const cap = await open(file);
    const [stack, d, n, payload] = cap.columns(["frame.protocols", "data.data", "data.len", "udp.payload"]);
    assert.equal(stack.get(0), "eth:ethertype:ipv6:udp:data");
    assert.equal(formatFrame(d, 0), formatFrame(payload, 0));
    assert.equal(n.get(0), moved.data.length - UDP6 - 8);
    assert.equal(stack.get(1), "eth:ethertype:ipv6:udp", "no payload byte captured: nothing after udp, as tshark shows it");
    assert.equal(d.has(1), false);
    cap.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
