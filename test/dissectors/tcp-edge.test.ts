// TCP edge cases on real packets, each compared field by field with tshark on the same bytes: cut at every byte
// (snap length), a data offset too small and one past the IP payload, an unknown option kind and reserved flag bits.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { open } from "../../lib/table/capture.js";
import { corpusDir, requireTool } from "../oracle/tshark.js";
import { compareTransport, report } from "./transport-compare.js";
import { corpusPackets, patched, tempDir, writePcap, type Rec } from "./transport-captures.js";

// mqtt/mqtt311-pub-qos2.pcap over IPv6 loopback (Ethernet 14 + IPv6 40: TCP at 54):
//   1  38546 → 1883 [SYN] Seq=0 Win=65476 Len=0 MSS=65476 SACK_PERM TSval=1943894897 TSecr=0 WS=128
//   4  38546 → 1883 [PSH, ACK] Seq=1 Ack=1 Win=512 Len=… (MQTT CONNECT)
const SOURCE = "mqtt/mqtt311-pub-qos2.pcap";
const TCP = 54, IP6_PLEN = 18;

/** Writes the records, compares every transport field with tshark, and checks no dissector threw. */
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

test("truncated at every byte of a SYN with options and of a data segment", async (t) => {
  if (!requireTool(t, "tshark") || !requireTool(t, "corpus")) return;
  const { linktype, recs } = corpusPackets(corpusDir(), SOURCE, [1, 2, 3, 4]);
  const cut: Rec[] = [...recs.slice(0, 3)];
  for (const r of [recs[0], recs[3]]) for (let n = TCP - 2; n < r.data.length; n++) cut.push({ ...r, data: r.data.subarray(0, n), len: r.len });
  await agreeWithTshark("truncated.pcap", linktype, cut);
});

test("length field too small: data offset 4 (16 bytes), and a data offset past the IP payload", async (t) => {
  if (!requireTool(t, "tshark") || !requireTool(t, "corpus")) return;
  const { linktype, recs } = corpusPackets(corpusDir(), SOURCE, [1, 2, 3, 4]);
  const [syn, , , data] = recs;
  const small = patched(data, [[TCP + 12, 0x40 | (data.data[TCP + 12] & 0x0f)]]);
  const zero = patched(data, [[TCP + 12, data.data[TCP + 12] & 0x0f]]);
  // The IPv6 payload length says 24 bytes while the SYN's header is 40: the IP payload ends inside the header.
  const short = patched(syn, [[IP6_PLEN, 0], [IP6_PLEN + 1, 24]]);
  await agreeWithTshark("small.pcap", linktype, [...recs.slice(0, 3), small, zero, short]);
});

test("unknown enum values: an unregistered option kind, reserved and AE flag bits", async (t) => {
  if (!requireTool(t, "tshark") || !requireTool(t, "corpus")) return;
  const { linktype, recs } = corpusPackets(corpusDir(), SOURCE, [1, 2, 3, 4]);
  const [syn, , ack] = recs;
  // The SYN's options start with MSS (2, 4, …): make it kind 0x99 (unassigned), same length.
  const unknownOpt = patched(syn, [[TCP + 20, 0x99]]);
  // The ACK's options are NOP NOP TS: make the NOPs a 2-byte unknown option (kind 200, length 2).
  const unknownShort = patched(ack, [[TCP + 20, 200], [TCP + 21, 2]]);
  const flags = patched(ack, [[TCP + 12, ack.data[TCP + 12] | 0x0f]]); // reserved bits and AE set
  const badLen = patched(syn, [[TCP + 21, 1]]); // MSS option with length 1
  await agreeWithTshark("unknown.pcap", linktype, [...recs.slice(0, 3), unknownOpt, unknownShort, flags, badLen]);
});
