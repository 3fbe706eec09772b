// DNS edge cases on real messages (general/dns-udp-mixed-records.pcap, 38 DNS/UDP frames over Ethernet + IPv4),
// cut and altered by name: truncated header and records, a count larger than the records, a compression pointer
// loop, a pointer out of the message, an unknown type; then a fuzz test: thousands of random mutations (a fixed
// seed) through dissect() and every getter, which must not throw, hang or read out of range.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import type { DissectContext, Dissector } from "../../lib/dissectors/dissector.js";
import { dns } from "../../lib/dissectors/dns.js";
import type { FieldValue } from "../../lib/dissectors/field.js";
import { corpusDir, requireTool } from "../oracle/tshark.js";

const FILE = path.join(corpusDir(), "general/dns-udp-mixed-records.pcap");

/** The UDP payloads of a little-endian Ethernet/IPv4/UDP pcap (IPv4 header length from IHL). */
function udpPayloads(file: string): Uint8Array[] {
  const b = fs.readFileSync(file), out: Uint8Array[] = [];
  for (let p = 24; p + 16 <= b.length;) {
    const incl = b.readUInt32LE(p + 8), f = p + 16;
    const ihl = (b[f + 14] & 0x0f) * 4, udp = f + 14 + ihl;
    out.push(new Uint8Array(b.subarray(udp + 8, f + incl)));
    p = f + incl;
  }
  return out;
}

/** A DissectContext that records what dns does. */
function fakeCtx() {
  const ctx = {
    frame: 0, linktype: 1, time: 0, tables: undefined as never, nextOff: 0, nextEnd: 0, nextRep: 0, key: 0,
    layers: [] as { o: number; end: number; aux: number }[], problems: [] as string[],
    layer(_d: Dissector, o: number, end: number, _rep: number, aux = 0) { this.layers.push({ o, end, aux }); return this.layers.length - 1; },
    malformed(_p: string, why: string) { this.problems.push(why); },
    useBuffer(x: Uint8Array) { return x; },
    call() {},
  };
  return ctx as typeof ctx & DissectContext;
}

/** Every field's values for one message, dissected as over UDP (aux of the recorded layer). */
function decode(msg: Uint8Array): { fields: Map<string, FieldValue[]>; problems: string[] } {
  const ctx = fakeCtx();
  dns.reset!();
  dns.dissect(ctx, msg, 0, msg.length, msg.length);
  const { aux } = ctx.layers[0];
  const fields = new Map<string, FieldValue[]>();
  for (const f of dns.fields) {
    const vals: FieldValue[] = [];
    if (f.get) { const v = f.get(msg, 0, msg.length, msg.length, aux); if (v !== undefined) vals.push(v); }
    else if (f.each) f.each(msg, 0, msg.length, msg.length, aux, (v) => vals.push(v));
    fields.set(f.abbrev, vals);
  }
  return { fields, problems: ctx.problems };
}

test("DNS edge cases on real messages", async (t) => {
  if (!requireTool(t, "corpus")) return;
  const msgs = udpPayloads(FILE);
  assert.equal(msgs.length, 38);
  // #4: "Standard query response 0xf76f MX google.com MX 40 smtp4.google.com …" (6 MX answers, 6 A additionals).
  const mx = msgs[3];
  const whole = decode(mx);
  assert.deepEqual(whole.problems, []);
  assert.deepEqual(whole.fields.get("dns.mx.mail_exchange"), ["smtp4.google.com", "smtp5.google.com", "smtp6.google.com", "smtp1.google.com", "smtp2.google.com", "smtp3.google.com"]);
  assert.deepEqual(whole.fields.get("dns.mx.preference"), [40, 10, 10, 10, 10, 40]);
  assert.deepEqual(whole.fields.get("dns.qry.name"), ["google.com"]);
  assert.deepEqual(whole.fields.get("dns.count.labels"), [2]);

  await t.test("truncated: header cut short", () => {
    const r = decode(mx.subarray(0, 7));
    assert.match(r.problems[0], /header cut short/);
    assert.deepEqual(r.fields.get("dns.id"), [0xf76f]);
    assert.deepEqual(r.fields.get("dns.count.answers"), []);
  });
  await t.test("truncated: inside the answers, the records before the cut are kept", () => {
    const r = decode(mx.subarray(0, 60));
    assert.equal(r.problems.length, 1);
    assert.deepEqual(r.fields.get("dns.qry.name"), ["google.com"]);
    assert.ok(r.fields.get("dns.resp.name")!.length >= 1);
    assert.ok(r.fields.get("dns.mx.mail_exchange")!.length < 6);
  });
  await t.test("length field too small / count too large: more answers announced than present", () => {
    const m = new Uint8Array(msgs[9]); // #10: A www.netbsd.org, 1 answer
    m[7] = 5;
    const r = decode(m);
    assert.match(r.problems[0], /cut short/);
    assert.deepEqual(r.fields.get("dns.a"), [(204 << 24 | 152 << 16 | 190 << 8 | 12) >>> 0]);
  });
  await t.test("a compression pointer that loops", () => {
    const m = new Uint8Array(msgs[9]);
    // The answer's owner name is a pointer to the question name (offset 12); make it point at itself.
    const at = 12 + "www.netbsd.org".length + 2 + 4;
    assert.equal(m[at] & 0xc0, 0xc0);
    m[at + 1] = at;
    const r = decode(m);
    assert.match(r.problems[0], /loops/);
    assert.deepEqual(r.fields.get("dns.resp.name"), ["<Name contains a pointer that loops>"]);
    assert.deepEqual(r.fields.get("dns.qry.name"), ["www.netbsd.org"]);
  });
  await t.test("a pointer past the end of the message", () => {
    const m = new Uint8Array(msgs[9]);
    const at = 12 + "www.netbsd.org".length + 2 + 4;
    m[at] = 0xc0 | 0x3f;
    const r = decode(m);
    assert.match(r.problems[0], /outside/);
    assert.deepEqual(r.fields.get("dns.resp.name"), []);
    assert.deepEqual(r.fields.get("dns.resp.type"), [1], "the record's other fields stay");
  });
  await t.test("unknown enum value: an unknown type decodes to its number, its data is not interpreted", () => {
    const m = new Uint8Array(msgs[9]);
    const at = 12 + "www.netbsd.org".length + 2 + 4 + 2;
    m[at] = 0xab; m[at + 1] = 0xcd;
    const r = decode(m);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.fields.get("dns.resp.type"), [0xabcd]);
    assert.deepEqual(r.fields.get("dns.a"), []);
  });
});

/** xorshift32: a deterministic stream of 32-bit numbers. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
}

test("fuzz: mutated real DNS messages never throw or hang", (t) => {
  if (!requireTool(t, "corpus")) return;
  const msgs = udpPayloads(FILE);
  const next = rng(0x5eed53);
  const started = Date.now();
  let cases = 0, malformed = 0;
  for (let k = 0; k < 20000; k++) {
    const src = msgs[next() % msgs.length];
    let m = new Uint8Array(src);
    const kind = next() % 4;
    if (kind === 0) {
      // Compression loops: aim a pointer byte pair at a random spot (often a name or itself).
      for (let i = 12; i + 1 < m.length; i++) if ((m[i] & 0xc0) === 0xc0 && next() % 2 === 0) m[i + 1] = next() % m.length;
    } else if (kind === 1) {
      for (let j = 1 + (next() % 4); j > 0; j--) m[next() % m.length] = next() & 0xff;
    } else if (kind === 2) {
      m = m.subarray(0, next() % (m.length + 1));
    } else {
      for (const at of [4, 6, 8, 10]) if (next() % 2 === 0 && m.length > at + 1) m[at + 1] = next() & 0xff;
    }
    const r = decode(m);
    if (r.problems.length > 0) malformed++;
    cases++;
  }
  t.diagnostic(`${cases} mutated messages, ${malformed} flagged malformed, ${Date.now() - started} ms`);
  assert.ok(Date.now() - started < 30000);
});
