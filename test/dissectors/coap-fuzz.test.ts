// Edge cases by name and a fuzz test for coap.ts on real CoAP messages of the corpus (the UDP payloads of its CoAP
// frames): truncated, token length > 8, an option running past the end, reserved nibble 15, an unknown option
// number; then thousands of deterministic mutations: nothing throws, nothing hangs, values have their field's type.

import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import type { DissectContext, Dissector } from "../../lib/dissectors/dissector.js";
import type { FieldDef } from "../../lib/dissectors/field.js";
import { coap } from "../../lib/dissectors/coap.js";
import { defaultTables } from "../../lib/dissectors/registry.js";
import { open } from "../../lib/table/capture.js";
import { corpusFiles, requireTool } from "../oracle/tshark.js";

/** A context that records what the dissector reports. */
const TABLES = defaultTables();

class Ctx implements Partial<DissectContext> {
  frame = 0; linktype = 1; time = 0; nextOff = 0; nextEnd = 0; nextRep = 0; key = 0;
  tables = TABLES;
  problems: string[] = [];
  layers = 0;
  layer(): number { return this.layers++; }
  malformed(_p: string, reason: string): void { this.problems.push(reason); }
  useBuffer(b: Uint8Array): Uint8Array { return b; }
  call(): void {}
}

/** Runs coap over `msg` (behind 8 bytes standing for the UDP header) and evaluates every layer-local getter. */
function run(msg: Uint8Array): { ctx: Ctx; values: Map<string, unknown[]> } {
  const b = new Uint8Array(8 + msg.length);
  b.set(msg, 8);
  const ctx = new Ctx();
  const next = coap.dissect(ctx as unknown as DissectContext, b, 8, b.length, msg.length) as Dissector | null;
  if (next) assert.ok(ctx.nextOff >= 8 && ctx.nextEnd <= b.length);
  const values = new Map<string, unknown[]>();
  for (const f of coap.fields) values.set(f.abbrev, evaluate(f, b, 8, b.length, msg.length));
  return { ctx, values };
}

function evaluate(f: FieldDef, b: Uint8Array, o: number, e: number, r: number): unknown[] {
  const out: unknown[] = [];
  if (f.get) { const v = f.get(b, o, e, r, 0); if (v !== undefined) out.push(v); }
  if (f.each) f.each(b, o, e, r, 0, (v) => { out.push(v); });
  for (const v of out) {
    if (f.type === "string") assert.equal(typeof v, "string", f.abbrev);
    else if (f.type === "bytes") assert.ok(v instanceof Uint8Array, f.abbrev);
    else assert.equal(typeof v, "number", f.abbrev);
  }
  return out;
}

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s/g, ""), "hex"));

// tshark: "CON, MID:40682, GET, TKN:3e b7, coap://user.ackl.io/time" (coap-ipv6-periodic-get-put.pcap frame 1)
const GET_TIME = hex("42 01 9eea 3eb7 3c 757365722e61636b6c2e696f 84 74696d65");

test("a real GET decodes every header and option field", () => {
  const { ctx, values } = run(GET_TIME);
  assert.deepEqual(ctx.problems, []);
  assert.deepEqual(values.get("coap.version"), [1]);
  assert.deepEqual(values.get("coap.type"), [0]);
  assert.deepEqual(values.get("coap.code"), [1]);
  assert.deepEqual(values.get("coap.mid"), [40682]);
  assert.deepEqual(values.get("coap.opt.name"), ["#1: Uri-Host", "#2: Uri-Path"]);
  assert.deepEqual(values.get("coap.opt.uri_host"), ["user.ackl.io"]);
  assert.deepEqual(values.get("coap.opt.uri_path"), ["time"]);
  assert.deepEqual(values.get("coap.opt.delta"), [3, 8]);
});

test("truncated: a header cut short is malformed, fields stop where the bytes do", () => {
  const { ctx, values } = run(GET_TIME.slice(0, 3));
  assert.match(ctx.problems.join(), /header cut short/);
  assert.deepEqual(values.get("coap.code"), [1]);
  assert.deepEqual(values.get("coap.mid"), []);
});

test("token length above 8 is malformed", () => {
  const { ctx } = run(hex("49 01 0001 0102030405060708 09"));
  assert.match(ctx.problems.join(), /token length 9 > 8/);
});

test("length field too large: an option running past the end stops decoding (option_length_bad)", () => {
  const { ctx, values } = run(hex("40 01 0001 b9 6162"));
  assert.match(ctx.problems.join(), /option longer than the message/);
  assert.deepEqual(values.get("coap.option_length_bad"), [1]);
  assert.deepEqual(values.get("coap.opt.uri_path"), []);
});

test("reserved nibble 15 in option delta or length is malformed", () => {
  assert.match(run(hex("40 01 0001 f1 61")).ctx.problems.join(), /delta 15/);
  assert.match(run(hex("40 01 0001 bf 61")).ctx.problems.join(), /length 15/);
});

test("unknown enum values: an unregistered option and code decode to their numbers", () => {
  const { ctx, values } = run(hex("40 1f 0001 21 61 d1 ff 62 ff 7a"));
  assert.deepEqual(ctx.problems, []);
  assert.deepEqual(values.get("coap.code"), [31]);
  assert.deepEqual(values.get("coap.opt.name"), ["#1: Unknown Option (2)", "#2: Unknown Option (270)"]);
  assert.deepEqual(values.get("coap.invalid_option_number"), [1, 1]);
  assert.deepEqual(values.get("coap.x.payload"), [hex("7a")]);
});

/** xorshift32, deterministic. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
}

test("fuzz: 20000 mutations of real CoAP messages never throw or hang", async (t) => {
  if (!requireTool(t, "corpus")) return;
  const msgs: Uint8Array[] = [GET_TIME];
  for (const f of corpusFiles().filter((p) => p.includes(`${path.sep}coap${path.sep}`))) {
    const cap = await open(f);
    try {
      const [pl, cp] = cap.columns(["udp.payload", "coap"]);
      for (let i = 0; i < cap.count; i++) if (cp.has(i) && pl.has(i)) msgs.push(pl.get(i, pl.count(i) - 1) as Uint8Array);
    } finally { cap.close(); }
  }
  assert.ok(msgs.length > 50, `${msgs.length} real messages`);
  const rand = rng(5683);
  const start = Date.now();
  for (let n = 0; n < 20000; n++) {
    const m = msgs[Math.floor(rand() * msgs.length)];
    let b = m.slice();
    const r = rand();
    if (r < 0.15) b = m.slice(0, Math.floor(rand() * m.length));
    else {
      const k = 1 + Math.floor(rand() * 4);
      for (let j = 0; j < k && b.length > 0; j++) {
        const at = rand() < 0.5 ? Math.floor(rand() * Math.min(12, b.length)) : Math.floor(rand() * b.length);
        b[at] = rand() < 0.3 ? [0x00, 0x0f, 0xd0, 0xe0, 0xf0, 0xff, 0x0d, 0x0e][Math.floor(rand() * 8)] : Math.floor(rand() * 256);
      }
    }
    run(b);
  }
  t.diagnostic(`20000 mutations of ${msgs.length} real messages in ${Date.now() - start} ms`);
  assert.ok(Date.now() - start < 30000);
});
