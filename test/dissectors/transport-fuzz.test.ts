// Fuzz: thousands of real TCP and UDP packets (IPv4 and IPv6) with random bytes changed — mostly in the transport
// header and options — random snap-length cuts and wrong original lengths. Every transport field (the stream
// replay and the analysis included) and the conversation summary must decode without an exception, without a
// dissector error, and in well under 30 s. Deterministic: a fixed seed.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { tcpConversations } from "../../lib/dissectors/tcp-conversations.js";
import { open } from "../../lib/table/capture.js";
import { corpusDir, requireTool } from "../oracle/tshark.js";
import { TRANSPORT_FIELDS } from "./transport-compare.js";
import { corpusPackets, tempDir, writePcap, type Rec } from "./transport-captures.js";

const SOURCES: [string, number[]][] = [
  ["mqtt/mqtt311-pub-qos2.pcap", [1, 2, 3, 4, 5, 6, 7, 8]],
  ["general/http-simple-get.pcap", [1, 2, 3, 4, 5, 6, 7]],
  ["coap/coap-ipv6-periodic-get-put.pcap", [1, 2]],
  ["general/dns-udp-mixed-records.pcap", [1, 2]],
  ["modbus/modbus-fuzz-72.pcap", [1, 2, 3, 19, 23]],
];

/** Deterministic xorshift32 in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
}

test("fuzz: 6000 mutated real TCP/UDP packets decode every transport field without throwing", async (t) => {
  if (!requireTool(t, "corpus")) return;
  const src: Rec[] = [];
  for (const [rel, frames] of SOURCES) src.push(...corpusPackets(corpusDir(), rel, frames).recs);
  const rand = rng(0x7cb1), dir = tempDir(), started = Date.now();
  try {
    const recs: Rec[] = [];
    for (let i = 0; i < 6000; i++) {
      const p = src[Math.floor(rand() * src.length)], d = Uint8Array.from(p.data);
      const transport = p.data[12] === 0x86 ? 54 : 34; // Ethernet + IPv6 or IPv4 (no options in these sources)
      const flips = 1 + Math.floor(rand() * 5);
      for (let k = 0; k < flips; k++) {
        const at = rand() < 0.85 ? transport + Math.floor(rand() * Math.min(60, d.length - transport)) : Math.floor(rand() * d.length);
        d[at] = rand() < 0.5 ? Math.floor(rand() * 256) : d[at] ^ (1 << Math.floor(rand() * 8));
      }
      const n = rand() < 0.3 ? Math.floor(rand() * d.length) : d.length;
      recs.push({ sec: 1 + (i >> 4), usec: (i * 997) % 1000000, data: d.subarray(0, n), len: rand() < 0.1 ? n + Math.floor(rand() * 100) : p.len });
    }
    const file = path.join(dir, "fuzz.pcap");
    writePcap(file, 1, recs);
    const cap = await open(file);
    try {
      const cols = cap.columns([...TRANSPORT_FIELDS.map((f) => f.abbrev), "frame.protocols"]);
      assert.equal(cols.length, TRANSPORT_FIELDS.length + 1);
      for (const [f, list] of cap.layers().problems) for (const m of list) assert.ok(!m.includes("dissector error"), `frame ${f + 1}: ${m}`);
      const convs = tcpConversations(cap);
      assert.ok(convs.length > 0, "some streams survive the mutations");
    } finally {
      cap.close();
    }
    assert.ok(Date.now() - started < 30_000, `fuzz run took ${Date.now() - started} ms`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
