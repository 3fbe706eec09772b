// UDP edge cases on real packets, each compared field by field with tshark on the same bytes: cut at every byte,
// a length field too small, one past the IP payload, zero (an IPv6 jumbogram claim), a zero checksum over IPv6
// (illegal) and over IPv4 (not present), and ports no dissector is registered for (the payload becomes data).

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { open } from "../../lib/table/capture.js";
import { corpusDir, requireTool } from "../oracle/tshark.js";
import { compareTransport, report } from "./transport-compare.js";
import { corpusPackets, patched, tempDir, writePcap, type Rec } from "./transport-captures.js";

// coap/coap-ipv6-periodic-get-put.pcap frame 1 (Ethernet 14 + IPv6 40: UDP at 54):
//   1  CoAP over IPv6 UDP 5683, CON GET /time
// general/dns-udp-mixed-records.pcap frame 1 (Ethernet 14 + IPv4 20: UDP at 34): a DNS query.
const UDP6 = 54, UDP4 = 34;

async function agreeWithTshark(name: string, linktype: number, recs: Rec[]): Promise<void> {
  const dir = tempDir();
  try {
    const file = path.join(dir, name);
    writePcap(file, linktype, recs);
    const r = await compareTransport(file);
    assert.equal(r.mismatches.length, 0, report(r, 30));
    const cap = await open(file);
    for (const [f, list] of cap.layers().problems) for (const m of list) assert.ok(!m.includes("dissector error"), `frame ${f + 1}: ${m}`);
    cap.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test("UDP over IPv6 truncated at every byte", async (t) => {
  if (!requireTool(t, "tshark") || !requireTool(t, "corpus")) return;
  const { linktype, recs } = corpusPackets(corpusDir(), "coap/coap-ipv6-periodic-get-put.pcap", [1, 2]);
  const cut: Rec[] = [];
  for (const r of recs) for (let n = UDP6 - 2; n <= r.data.length; n++) cut.push({ ...r, data: r.data.subarray(0, n), len: r.len });
  await agreeWithTshark("truncated6.pcap", linktype, cut);
});

test("length field too small, past the IP payload and zero; zero checksum; unknown ports", async (t) => {
  if (!requireTool(t, "tshark") || !requireTool(t, "corpus")) return;
  const { linktype, recs } = corpusPackets(corpusDir(), "coap/coap-ipv6-periodic-get-put.pcap", [1, 2]);
  const [get] = recs;
  const len = (r: Rec, v: number) => patched(r, [[UDP6 + 4, v >> 8], [UDP6 + 5, v & 0xff]]);
  const cases = [
    len(get, 4), len(get, 8), len(get, 200), len(get, 0),
    patched(get, [[UDP6 + 6, 0], [UDP6 + 7, 0]]),
    patched(get, [[UDP6, 0xbd], [UDP6 + 1, 0x0b], [UDP6 + 2, 0xbd], [UDP6 + 3, 0x0c]]), // ports 48395 → 48396
    patched(get, [[UDP6, 0x82], [UDP6 + 1, 0x9b], [UDP6 + 2, 0x82], [UDP6 + 3, 0x9c]]), // traceroute range 33435 → 33436
  ];
  await agreeWithTshark("udp6-edge.pcap", linktype, [...recs, ...cases]);
});

test("UDP over IPv4: zero checksum (not present), truncation, unknown ports", async (t) => {
  if (!requireTool(t, "tshark") || !requireTool(t, "corpus")) return;
  const { linktype, recs } = corpusPackets(corpusDir(), "general/dns-udp-mixed-records.pcap", [1, 2]);
  const [q] = recs;
  const cases: Rec[] = [patched(q, [[UDP4 + 6, 0], [UDP4 + 7, 0]]), patched(q, [[UDP4, 0xbd], [UDP4 + 1, 0x0b], [UDP4 + 2, 0xbd], [UDP4 + 3, 0x0c]])];
  for (let n = UDP4 - 2; n <= q.data.length; n += 3) cases.push({ ...q, data: q.data.subarray(0, n), len: q.len });
  await agreeWithTshark("udp4-edge.pcap", linktype, [...recs, ...cases]);
});
