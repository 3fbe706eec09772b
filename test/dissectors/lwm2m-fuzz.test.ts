// Edge cases by name and a fuzz test for the LwM2M payload decoders: TLV (every layer-local lwm2mtlv getter, the
// object-dependent views, the dissector's malformed flag), SenML JSON / CBOR and LwM2M JSON. Seeds are the bodies
// the loopback test sends through libcoap (the same bytes tshark decodes there) plus the TLV of
// OMA-TS-LightweightM2M-V1_0 section 6.4.3.1's example. Nothing may throw, nothing may hang.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { DissectContext } from "../../lib/dissectors/dissector.js";
import { FIELDS, lwm2mtlv } from "../../lib/dissectors/lwm2mtlv.js";
import { typedValues } from "../../lib/dissectors/lwm2mtlv-typed.js";
import { walkError, walkTlv } from "../../lib/dissectors/lwm2mtlv-walk.js";
import { CborReader, senmlRecords } from "../../lib/dissectors/lwm2m-senml.js";

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s/g, ""), "hex"));
// Device object instance 0 as in the spec example (6.4.3.1): manufacturer, model, serial, firmware, power sources…
const SPEC = hex("c8 00 14 4f70656e204d6f62696c6520416c6c69616e6365 c8 01 16 4c69676874776569676874204d324d20436c69656e74 c8 02 09 333435303030313233 c3 03 312e30 86 06 4100 01 4101 05 88 07 08 42000ed8 42011388 87 08 4100 7d 4201 0384 c1 09 64 c1 0a 0f 83 0b 4100 00 c4 0d 5182428f c6 0e 2b30323a3030 c1 10 55");
const SEEDS = [
  SPEC,
  hex("08 00 3b c8 00 14 4f70656e204d6f62696c6520416c6c69616e6365 c1 09 57 c4 0d 6553f100 86 06 41 00 01 41 01 05 c1 01 58 c8 15 08 0000001cbe991a14 e2 01 2c 0001"),
  hex("c1 01 01 c0 05 c4 02 3fc00000 c8 03 08 4004000000000000 c3 04 000102 c1 06 ff"),
];
const JSON_SEED = Buffer.from('[{"bn":"/3/0/","n":"0","vs":"Open Mobile Alliance"},{"n":"9","v":87},{"n":"1","vb":true}]');
const CBOR_SEED = hex("82a321652f362f302f00613002f95170a2006135021a6553f100");

interface Ctx { problems: string[]; layers: number }
function context(): DissectContext & Ctx {
  const c = { problems: [] as string[], layers: 0, frame: 0, linktype: 1, time: 0, nextOff: 0, nextEnd: 0, nextRep: 0, key: 0 };
  const ctx = {
    ...c,
    layer() { ctx.layers++; return 0; },
    malformed(_p: string, why: string) { ctx.problems.push(why); },
  } as unknown as DissectContext & Ctx;
  return ctx;
}

/** Runs every getter over b and the derived views under a few URIs; returns the occurrence count. */
function decodeAll(b: Uint8Array): number {
  let n = 0;
  const emit = () => { n++; };
  for (const f of FIELDS) {
    if (f.get) f.get(b, 0, b.length, b.length, 0);
    if (f.each) f.each(b, 0, b.length, b.length, 0, emit);
  }
  for (const uri of [undefined, "/3/0", "/6/0/1", "/abc", "coap://h/1/0/2/3/4"]) typedValues(b, uri, emit);
  return n;
}

test("TLV: the spec's Device example walks to the end with 13 top-level resources", () => {
  let top = 0;
  assert.equal(walkTlv(SPEC, 0, SPEC.length, -1, () => { top++; }), true);
  assert.equal(top, 13 + 7); // 13 resources, plus the instances of resources 6, 7, 8 (two each) and 11 (one)
  const names: string[] = [];
  typedValues(SPEC, "/3/0", (a, v) => { if (a === "lwm2mtlv.resource_name") names.push(String(v)); });
  assert.deepEqual(names.slice(0, 4), ["Manufacturer", "Model Number", "Serial Number", "Firmware Version"]);
});

test("TLV truncated: a value past the end is malformed, the elements before it still decode", () => {
  const ctx = context();
  const cut = SPEC.subarray(0, 30);
  lwm2mtlv.dissect(ctx, cut, 0, cut.length, cut.length);
  assert.equal(ctx.layers, 1);
  assert.match(ctx.problems[0], /runs past/);
  const ids: number[] = [];
  FIELDS.find((f) => f.abbrev === "lwm2mtlv.identifier")!.each!(cut, 0, cut.length, cut.length, 0, (v) => ids.push(v as number));
  assert.deepEqual(ids, [0, 1]);
});

test("TLV length field too small for its header: cut header is malformed, nothing read past the end", () => {
  const b = hex("e3 01");
  assert.equal(walkTlv(b, 0, b.length, -1, () => {}), false);
  assert.match(walkError, /header cut short/);
});

test("TLV unknown object and resource: generic views, no resource name", () => {
  const got: string[] = [];
  typedValues(SEEDS[2], "/4242/0", (a, v) => got.push(`${a}=${v}`));
  assert.ok(got.includes("lwm2mtlv.value.boolean=1"));
  assert.ok(got.includes("lwm2mtlv.value.float=1.5"));
  assert.ok(got.includes("lwm2mtlv.value.integer=-1"));
  assert.ok(!got.some((g) => g.startsWith("lwm2mtlv.object_name") || g.startsWith("lwm2mtlv.resource_name")));
});

test("SenML JSON, CBOR and LwM2M JSON records; garbage gives none", () => {
  assert.deepEqual(senmlRecords("senml+json", JSON_SEED).map((r) => `${r.name}=${r.value}`), ["/3/0/0=Open Mobile Alliance", "/3/0/9=87", "/3/0/1=true"]);
  assert.deepEqual(senmlRecords("senml+cbor", CBOR_SEED).map((r) => `${r.name}=${r.value}`), ["/6/0/0=43.5", "/6/0/5=1700000000"]);
  assert.deepEqual(senmlRecords("lwm2m+json", Buffer.from('{"bn":"/3/0/","e":[{"n":"0","sv":"ACME"}]}')).map((r) => r.name), ["/3/0/0"]);
  assert.deepEqual(senmlRecords("senml+json", Buffer.from("[{")), []);
  assert.deepEqual(senmlRecords("senml+cbor", hex("9f 9f 9f")), []);
  const deep = new Uint8Array(1000).fill(0x81);
  const r = new CborReader(deep);
  r.item(0);
  assert.equal(r.ok, false, "nesting is bounded");
});

/** Deterministic PRNG (mulberry32). */
function rng(seed: number) {
  return () => { seed |= 0; seed = (seed + 0x6d2b79f5) | 0; let t = Math.imul(seed ^ (seed >>> 15), 1 | seed); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}

function mutate(r: () => number, seed: Uint8Array): Uint8Array {
  let b = Uint8Array.from(seed);
  const k = 1 + Math.floor(r() * 4);
  for (let i = 0; i < k; i++) {
    const op = r();
    if (b.length === 0) break;
    const at = Math.floor(r() * b.length);
    if (op < 0.5) b[at] = Math.floor(r() * 256);
    else if (op < 0.7) b[at] ^= 1 << Math.floor(r() * 8);
    else if (op < 0.85) b = b.subarray(0, at);
    else b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at, Math.min(b.length, at + 8)), ...b.subarray(at)]);
  }
  return b;
}

test("fuzz: 6000 mutated TLV, SenML JSON and CBOR payloads, nothing throws or hangs", () => {
  const r = rng(0x1c0a9);
  const started = Date.now();
  let occurrences = 0, malformed = 0;
  for (let i = 0; i < 4000; i++) {
    const b = mutate(r, SEEDS[i % SEEDS.length]);
    const ctx = context();
    lwm2mtlv.dissect(ctx, b, 0, b.length, b.length);
    if (ctx.problems.length) malformed++;
    occurrences += decodeAll(b);
  }
  for (let i = 0; i < 2000; i++) {
    const j = mutate(r, JSON_SEED), c = mutate(r, CBOR_SEED);
    for (const f of ["senml+json", "senml+cbor", "lwm2m+json"] as const) { senmlRecords(f, j); senmlRecords(f, c); }
  }
  const ms = Date.now() - started;
  assert.ok(ms < 20000, `took ${ms} ms`);
  assert.ok(malformed > 100 && occurrences > 10000, `${malformed} malformed, ${occurrences} occurrences`);
});
