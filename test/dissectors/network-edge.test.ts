// Edge cases of the link- and network-layer dissectors, on real packets from the shared corpus: truncation at every
// byte, a length field too small, an unknown enum value, and a deterministic fuzz run (random byte mutations and
// cuts of real packets) that nothing throws, nothing hangs, and every field of ours decodes.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { open } from "../../lib/table/capture.js";
import { allFields } from "../../lib/dissectors/registry.js";
import { corpusDir, requireTool } from "../oracle/tshark.js";
import { OWN, readPcap, tempDir, writePcap } from "./net-captures.js";

const SOURCES = ["general/sll2-icmp-icmpv6-arp.pcap", "general/ipv6-http-mdns-icmpv6.pcap", "general/vlan-double-tag-http.pcap", "coap/coap-ipv6-icmp-port-unreachable.pcap", "general/bigendian-icmp.pcap"];
const FIELDS = [...allFields()].filter((e) => e.dissector && OWN.has(e.dissector.proto)).map((e) => e.field.abbrev);

/** Decodes every field of ours (and the expert messages) of a pcap; returns the problems per frame. */
async function decodeAll(file: string): Promise<Map<number, string[]>> {
  const cap = await open(file);
  try {
    cap.columns([...FIELDS, "frame.protocols", "_ws.expert.message"]);
    return cap.layers().problems;
  } finally {
    cap.close();
  }
}

function noDissectorError(problems: Map<number, string[]>): void {
  for (const [f, list] of problems) for (const m of list) assert.ok(!m.includes("dissector error"), `frame ${f + 1}: ${m}`);
}

/** Deterministic xorshift32. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
}

function packets(): { linktype: number; data: Uint8Array; len: number }[] {
  const out: { linktype: number; data: Uint8Array; len: number }[] = [];
  for (const rel of SOURCES) {
    const f = path.join(corpusDir(), rel);
    if (!fs.existsSync(f)) continue;
    const b = fs.readFileSync(f);
    if (b.readUInt32LE(0) !== 0xa1b2c3d4) continue; // only little-endian µs pcaps here
    const { linktype, recs } = readPcap(f);
    for (const r of recs) out.push({ linktype, data: r.data, len: r.len });
  }
  return out;
}

test("truncated at every byte: no throw, malformed flagged, layers still recorded", async (t) => {
  if (!requireTool(t, "corpus")) return;
  const dir = tempDir();
  try {
    for (const p of packets()) {
      const recs = [];
      for (let n = 0; n < p.data.length; n++) recs.push({ sec: 1, usec: 0, data: p.data.subarray(0, n), len: n });
      const f = path.join(dir, `lt${p.linktype}.pcap`);
      writePcap(f, p.linktype, recs);
      noDissectorError(await decodeAll(f));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("IPv4 total length too small, unknown protocol and unknown ICMP type", async (t) => {
  if (!requireTool(t, "corpus")) return;
  // An ICMP echo from the SLL2 capture (20-byte cooked header, so the IPv4 header starts at 20).
  const icmp = packets().find((p) => p.linktype === 276 && p.data[0] === 8 && p.data[1] === 0 && p.data[29] === 1);
  if (!icmp) return t.skip("no SLL2 ICMP packet in the corpus sources");
  const dir = tempDir();
  try {
    const small = Uint8Array.from(icmp.data); small[22] = 0; small[23] = 12; // ip.len 12 < 20-byte header
    const proto = Uint8Array.from(icmp.data); proto[29] = 253; // experimental protocol number
    const type = Uint8Array.from(icmp.data); type[40] = 200; // unassigned ICMP type
    const f = path.join(dir, "edge.pcap");
    writePcap(f, 276, [small, proto, type].map((data) => ({ sec: 1, usec: 0, data, len: data.length })));
    const cap = await open(f);
    const [len, p, ty, stack] = cap.columns(["ip.len", "ip.proto", "icmp.type", "frame.protocols"]);
    assert.equal(len.get(0), 12);
    assert.ok(cap.layers().problems.get(0)?.some((m) => m.includes("bogus total length")), "ip.len < header flagged");
    assert.equal(p.get(1), 253);
    assert.ok(!String(stack.get(1)).includes("icmp"), "protocol 253 is not ICMP");
    assert.equal(ty.get(2), 200);
    assert.equal(cap.layers().malformed[2], 0);
    assert.equal(cap.column("icmp.checksum.status").get(2), 0, "the changed type breaks the checksum");
    cap.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("fuzz: 5000 mutated real packets decode without throwing", async (t) => {
  if (!requireTool(t, "corpus")) return;
  const src = packets();
  if (src.length === 0) return t.skip("no packets");
  const rand = rng(0x5eed), dir = tempDir(), started = Date.now();
  try {
    const byLink = new Map<number, { sec: number; usec: number; data: Uint8Array; len: number }[]>();
    for (let i = 0; i < 5000; i++) {
      const p = src[Math.floor(rand() * src.length)], d = Uint8Array.from(p.data);
      const flips = 1 + Math.floor(rand() * 6);
      for (let k = 0; k < flips; k++) d[Math.floor(rand() * d.length)] = Math.floor(rand() * 256);
      const n = rand() < 0.3 ? Math.floor(rand() * d.length) : d.length;
      const list = byLink.get(p.linktype) ?? [];
      list.push({ sec: 1, usec: i, data: d.subarray(0, n), len: rand() < 0.1 ? n + Math.floor(rand() * 100) : n });
      byLink.set(p.linktype, list);
    }
    for (const [lt, recs] of byLink) {
      const f = path.join(dir, `fuzz${lt}.pcap`);
      writePcap(f, lt, recs);
      noDissectorError(await decodeAll(f));
    }
    assert.ok(Date.now() - started < 30_000, "fuzz run under 30 s");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
