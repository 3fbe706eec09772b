// Every column shape (decode/level.ts): absent, dense over all rows, dense with a presence bitmap, sparse rows, a
// byte-a-row valid (small legacy columns), several levels, a repeating last level; values as a constant, bits,
// narrowed numbers, dictionary codes (strings, bytes, MACs, IPv6), raw 16-byte slots, concatenated bytes and raw
// strings. For each: count/get/all give back what was put, a display filter selects what a brute-force reading
// of the values selects, and the Arquero conversion gives the same values.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { Column, ColumnBuilder, type Value } from "../../lib/decode/column.js";
import { finishSink, newSink } from "../../lib/decode/compact.js";
import { lookupField } from "../../lib/dissectors/registry.js";
import { compileFilter } from "../../lib/dsl/compile.js";
import { ipv4Text, ipv6Text, macText } from "../../lib/table/address-text.js";
import { open } from "../../lib/table/capture.js";
import { arqueroColumn } from "../../lib/table/to-arquero.js";

type Frames = readonly (readonly Value[])[];

const field = (abbrev: string) => lookupField(abbrev)!.field;

/** A column built the way extraction builds it (rows known up front, so levels may turn dense while streaming). */
function streamed(abbrev: string, frames: Frames): Column {
  const s = newSink(field(abbrev), frames.length);
  frames.forEach((vs, i) => vs.forEach((v) => s.put(i, v)));
  return Column.of(field(abbrev), frames.length, finishSink(s, frames.length));
}

/** A column built with ColumnBuilder (rows known only at finish). */
function built(abbrev: string, frames: Frames): Column {
  const b = new ColumnBuilder(field(abbrev));
  frames.forEach((vs, i) => vs.forEach((v) => b.push(i, v)));
  return b.finish(frames.length);
}

const shape = (c: Column) => c.levels.map((l) => `${l.layout}${l.repeat ? "*" : ""}:${l.enc.kind}`).join(" ");

const same = (a: Value, b: Value) => (a instanceof Uint8Array && b instanceof Uint8Array ? Buffer.from(a).equals(Buffer.from(b)) : Object.is(a, b));

/** count/get/all/has/presentCount/forEach against the frames put in. */
function checkReads(c: Column, frames: Frames): void {
  let present = 0, occ = 0;
  frames.forEach((vs, i) => {
    assert.equal(c.count(i), vs.length, `count(${i})`);
    assert.equal(c.has(i), vs.length > 0, `has(${i})`);
    if (vs.length) present++;
    occ += vs.length;
    const got = c.all(i);
    assert.equal(got.length, vs.length);
    vs.forEach((v, k) => {
      assert.ok(same(c.get(i, k)!, v), `get(${i}, ${k}) = ${String(c.get(i, k))}, want ${String(v)}`);
      assert.ok(same(got[k], v));
    });
    assert.equal(c.get(i, vs.length), undefined);
  });
  assert.equal(c.presentCount(), present);
  assert.equal(c.occurrences, occ);
  const byRow: Value[][] = frames.map(() => []);
  c.forEach((r, v) => byRow[r].push(v instanceof Uint8Array ? v.slice() : v));
  frames.forEach((vs, i) => {
    assert.equal(byRow[i].length, vs.length, `forEach row ${i}`);
    vs.forEach((v, k) => assert.ok(same(byRow[i][k], v), `forEach row ${i} value ${k}`));
  });
}

/** A filter's frames against `want` (any-semantics over the frame's values). */
function checkFilter(c: Column, filter: string, want: (vs: readonly Value[]) => boolean, frames: Frames): void {
  const out = compileFilter(filter).run(() => c, frames.length);
  const got: number[] = [], expected: number[] = [];
  frames.forEach((vs, i) => { if (out[i]) got.push(i); if (want(vs)) expected.push(i); });
  assert.deepEqual(got, expected, `${filter} over ${shape(c)}`);
}

/** arqueroColumn against the values (text for addresses), all rows and a subset. */
function checkArquero(c: Column, frames: Frames, text: (v: Value) => unknown = (v) => v): void {
  const data = arqueroColumn(c);
  const one = (vs: readonly Value[]) => (vs.length === 0 ? null : c.multi ? vs.map(text) : text(vs[0]));
  const norm = (x: unknown): unknown => (x instanceof Uint8Array ? Array.from(x) : Array.isArray(x) ? x.map(norm) : typeof x === "number" && Number.isNaN(x) ? null : x);
  frames.forEach((vs, i) => assert.deepEqual(norm(data[i]), norm(one(vs)), `arquero row ${i}`));
  const rows = Uint32Array.from({ length: Math.ceil(frames.length / 3) }, (_, k) => k * 3);
  const sub = arqueroColumn(c, rows);
  rows.forEach((r, k) => assert.deepEqual(norm(sub[k]), norm(one(frames[r])), `arquero subset row ${r}`));
}

const N = 5000;
const gen = <T extends Value>(n: number, f: (i: number) => readonly T[]): T[][] => Array.from({ length: n }, (_, i) => [...f(i)]);

test("a field that never occurs has no level and holds nothing", () => {
  const frames = gen(N, () => []);
  for (const c of [streamed("tcp.seq", frames), built("frame.protocols", frames), new Column(field("tcp.seq"), N, new Uint32Array(N), new Uint8Array(N), null)]) {
    assert.equal(c.levels.length, 0);
    assert.equal(c.byteLength, 0);
    checkReads(c, frames);
    checkFilter(c, "tcp.seq == 0", () => false, frames);
    checkFilter(c, "tcp.seq", () => false, frames);
  }
  checkArquero(streamed("tcp.seq", frames), frames);
});

test("dense numbers: every row, a constant, bits, narrowed arrays", () => {
  const all = gen(N, (i) => [(i * 7919) % 65536]);
  const c = streamed("tcp.seq", all);
  assert.equal(shape(c), "all:num");
  const b = built("tcp.seq", all.map((vs, i) => (i % 7 === 3 ? [] : vs)));
  assert.equal(shape(b), "bits:num", "a builder that learns the row count only at finish still fills dense arrays");
  checkReads(b, all.map((vs, i) => (i % 7 === 3 ? [] : vs)));
  assert.ok(c.levels[0].enc.kind === "num" && c.levels[0].enc.data instanceof Uint16Array, "uint32 values below 65536 sit in a Uint16Array");
  checkReads(c, all);
  checkFilter(c, "tcp.seq == 7919", (vs) => vs[0] === 7919, all);
  checkFilter(c, "tcp.seq > 60000", (vs) => (vs[0] as number) > 60000, all);
  checkFilter(c, "tcp.seq in {0, 7919, 15838, 100..200}", (vs) => [0, 7919, 15838].includes(vs[0] as number) || ((vs[0] as number) >= 100 && (vs[0] as number) <= 200), all);
  checkArquero(c, all);

  const konst = gen(N, (i) => (i % 3 === 0 ? [] : [64]));
  const k = streamed("ip.ttl", konst);
  assert.equal(shape(k), "bits:const");
  checkReads(k, konst);
  checkFilter(k, "ip.ttl == 64", (vs) => vs[0] === 64, konst);
  checkFilter(k, "ip.ttl != 64", (vs) => vs.length > 0 && vs[0] !== 64, konst);
  checkFilter(k, "ip.ttl", (vs) => vs.length > 0, konst);
  checkArquero(k, konst);

  const flags = gen(N, (i) => (i % 5 === 0 ? [] : [i % 2]));
  const f = streamed("tcp.flags.syn", flags);
  assert.equal(shape(f), "bits:bits");
  checkReads(f, flags);
  checkFilter(f, "tcp.flags.syn == 1", (vs) => vs[0] === 1, flags);
  checkFilter(f, "tcp.flags.syn", (vs) => vs.length > 0, flags);
  checkFilter(f, "!tcp.flags.syn", (vs) => vs.length === 0, flags);
  checkArquero(f, flags);

  const doubles = gen(N, (i) => [i === 7 ? -0 : i / 1000]);
  const d = streamed("frame.time_delta", doubles);
  assert.equal(shape(d), "all:num");
  checkReads(d, doubles);
  checkFilter(d, "frame.time_delta > 4.5", (vs) => (vs[0] as number) > 4.5, doubles);
  checkArquero(d, doubles);
});

test("numbers with few distinct values are codes into them; equal arrays of two columns are shared", () => {
  const ouis = gen(N, (i) => [[0xb827eb, 0x001b44, 0xdca632][i % 3]]);
  const c = streamed("eth.src.oui", ouis);
  assert.equal(shape(c), "all:dict");
  assert.ok(c.byteLength < N + 100, `${c.byteLength} bytes`);
  checkReads(c, ouis);
  checkFilter(c, "eth.src.oui == 0x001b44", (vs) => vs[0] === 0x001b44, ouis);
  checkFilter(c, "eth.src.oui > 0x100000", (vs) => (vs[0] as number) > 0x100000, ouis);
  checkArquero(c, ouis);
  const times = Float64Array.from({ length: N }, (_, i) => 1.7e9 + i / 7);
  const a = new Column(field("frame.time_epoch"), N, times, new Uint8Array(N).fill(1), null);
  const b = new Column(field("frame.time_relative"), N, times.slice(), new Uint8Array(N).fill(1), null);
  const data = (x: Column) => (x.levels[0].enc as { data: Float64Array }).data;
  assert.equal(data(a), data(b), "one array for both");
  const seen = new Set<object>();
  assert.equal(a.bytesHeld(seen) + b.bytesHeld(seen), N * 8);
});

test("sparse rows: sized by occurrences; filters step a cursor through them", () => {
  const rare = gen(N, (i) => (i % 97 === 3 ? [i % 1000] : []));
  for (const c of [streamed("tcp.seq", rare), built("tcp.seq", rare)]) {
    assert.equal(shape(c), "rows:num");
    assert.ok(c.byteLength < 52 * 8, `${c.byteLength} bytes for 52 occurrences`);
    checkReads(c, rare);
    checkFilter(c, "tcp.seq == 100", (vs) => vs[0] === 100, rare);
    checkFilter(c, "tcp.seq", (vs) => vs.length > 0, rare);
    checkFilter(c, "tcp.seq >= 500 && tcp.seq < 900", (vs) => vs.length > 0 && (vs[0] as number) >= 500 && (vs[0] as number) < 900, rare);
    checkFilter(c, "!(tcp.seq <= 10)", (vs) => !(vs.length > 0 && (vs[0] as number) <= 10), rare);
    checkArquero(c, rare);
  }
});

test("several levels: the second occurrence of every frame is a dense level of its own; the 5th on repeat", () => {
  const ports = gen(N, (i) => (i % 10 === 9 ? [] : [1024 + ((i * 7) % 3000), i % 4 === 0 ? 1883 : 80]));
  const c = streamed("tcp.port", ports);
  assert.equal(shape(c), "bits:num bits:dict", "two distinct values in the second level: codes of a byte");
  checkReads(c, ports);
  checkFilter(c, "tcp.port == 1883", (vs) => vs.includes(1883), ports);
  checkFilter(c, "tcp.port != 1883", (vs) => vs.length > 0 && !vs.includes(1883), ports);
  checkFilter(c, "all tcp.port > 1000", (vs) => vs.length > 0 && vs.every((v) => (v as number) > 1000), ports);
  checkFilter(c, "tcp.port in {80, 1030}", (vs) => vs.includes(80) || vs.includes(1030), ports);
  checkArquero(c, ports);

  // SACK-like: up to seven values in a few frames -> levels 0..3 sparse, then a repeating level.
  const many = gen(N, (i) => (i % 250 === 0 ? Array.from({ length: 1 + (i / 250) % 7 }, (_, k) => k * 10 + (i % 7)) : []));
  for (const m of [streamed("tcp.options.sack_le", many), built("tcp.options.sack_le", many), new Column(field("tcp.options.sack_le"), N, Uint32Array.from(many.flat() as number[]), null, csr(many))]) {
    assert.match(shape(m), /^rows:\w+ rows:\w+ rows:\w+ rows:\w+ rows\*:\w+$/);
    checkReads(m, many);
    checkFilter(m, "tcp.options.sack_le == 50", (vs) => vs.includes(50), many);
    checkFilter(m, "tcp.options.sack_le == 61", (vs) => vs.includes(61), many);
    checkFilter(m, "all tcp.options.sack_le < 40", (vs) => vs.length > 0 && vs.every((v) => (v as number) < 40), many);
    checkFilter(m, "tcp.options.sack_le", (vs) => vs.length > 0, many);
    checkArquero(m, many);
    assert.deepEqual(Array.from(m.starts!), Array.from(csr(many)), "the original CSR shape reads back");
  }
});

function csr(frames: Frames): Uint32Array {
  const s = new Uint32Array(frames.length + 1);
  frames.forEach((vs, i) => { s[i + 1] = s[i] + vs.length; });
  return s;
}

test("dictionaries: strings, bytes, MACs and IPv6 addresses as codes", () => {
  const stacks = ["eth:ethertype:ip:tcp", "eth:ethertype:ip:udp:dns", "eth:ethertype:arp", "eth:ethertype:ipv6:icmpv6"];
  const protos = gen(N, (i) => [stacks[(i * i) % 4]]);
  const p = streamed("frame.protocols", protos);
  assert.equal(shape(p), "all:dict");
  assert.ok(p.byteLength < N + 1000, `${p.byteLength} bytes: a byte a frame and the stacks once`);
  checkReads(p, protos);
  checkFilter(p, 'frame.protocols contains "udp"', (vs) => (vs[0] as string).includes("udp"), protos);
  checkFilter(p, 'frame.protocols == "eth:ethertype:arp"', (vs) => vs[0] === "eth:ethertype:arp", protos);
  checkFilter(p, 'frame.protocols matches "ip(v6)?:"', (vs) => /ip(v6)?:/.test(vs[0] as string), protos);
  checkFilter(p, 'frame.protocols in {"eth:ethertype:arp", "eth:ethertype:ip:tcp"}', (vs) => vs[0] === stacks[0] || vs[0] === stacks[2], protos);
  checkArquero(p, protos);

  const pads = gen(N, (i) => (i % 4 === 0 ? [new Uint8Array(i % 3 === 0 ? [0, 0] : [0, 0, 0, 1])] : []));
  const b = streamed("eth.padding", pads);
  assert.equal(shape(b), "bits:dict");
  checkReads(b, pads);
  checkFilter(b, "eth.padding == 00:00:00:01", (vs) => vs.length > 0 && (vs[0] as Uint8Array).length === 4, pads);
  checkFilter(b, "eth.padding contains 01", (vs) => vs.length > 0 && (vs[0] as Uint8Array).includes(1), pads);
  checkFilter(b, "eth.padding[0:2] == 00:00", (vs) => vs.length > 0, pads);
  checkArquero(b, pads);

  const macs = gen(N, (i) => [0xb827eb000000 + (i % 40), 0x001b44113ab7]);
  const e = streamed("eth.addr", macs);
  assert.equal(shape(e), "all:dict all:const");
  checkReads(e, macs);
  checkFilter(e, "eth.addr == b8:27:eb:00:00:05", (vs) => vs.includes(0xb827eb000005), macs);
  checkFilter(e, "eth.addr[0:3] == b8:27:eb", () => true, macs);
  checkFilter(e, "eth.addr == 00:1b:44:11:3a:b7", () => true, macs);
  checkArquero(e, macs, (v) => macText(v as number));

  const v6 = (k: number) => Uint8Array.from([0xfe, 0x80, ...new Array(13).fill(0), k]);
  const addrs = gen(N, (i) => (i % 9 === 0 ? [v6(i % 5)] : []));
  const a = streamed("ipv6.src", addrs);
  assert.equal(shape(a), "rows:dict16");
  checkReads(a, addrs);
  checkFilter(a, "ipv6.src == fe80::3", (vs) => vs.length > 0 && (vs[0] as Uint8Array)[15] === 3, addrs);
  checkFilter(a, "ipv6.src == fe80::/64", (vs) => vs.length > 0, addrs);
  checkArquero(a, addrs, (v) => ipv6Text(v as Uint8Array));
});

test("values that hardly repeat stay raw: bytes concatenated, strings as they are, IPv6 in 16-byte slots", () => {
  const n = 12000;
  const payloads = gen(n, (i) => (i % 2 === 0 ? [Uint8Array.from([i & 255, (i >> 8) & 255, 0x47, 0x45, 0x54])] : []));
  const p = streamed("tcp.payload", payloads);
  assert.equal(shape(p), "rows:blob");
  checkReads(p, payloads);
  checkFilter(p, 'tcp.payload contains "GET"', (vs) => vs.length > 0, payloads);
  checkFilter(p, "tcp.payload[0:2] == 10:01", (vs) => vs.length > 0 && (vs[0] as Uint8Array)[0] === 0x10 && (vs[0] as Uint8Array)[1] === 1, payloads);
  checkArquero(p, payloads);

  const hosts = gen(n, (i) => [`host-${i}`]);
  const h = built("ip.src_host", hosts);
  assert.equal(shape(h), "rows:any");
  checkReads(h, hosts);
  checkFilter(h, 'ip.src_host == "host-77"', (vs) => vs[0] === "host-77", hosts);
  checkFilter(h, 'ip.src_host contains "-99"', (vs) => (vs[0] as string).includes("-99"), hosts);
  checkArquero(h, hosts);

  const v6 = (k: number) => Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, ...new Array(10).fill(0), k >> 8, k & 255]);
  const addrs = gen(n, (i) => [v6(i)]);
  const a = streamed("ipv6.dst", addrs);
  assert.equal(shape(a), "all:fixed16");
  checkReads(a, addrs);
  checkFilter(a, "ipv6.dst == 2001:db8::102", (vs) => (vs[0] as Uint8Array)[14] === 1 && (vs[0] as Uint8Array)[15] === 2, addrs);
  checkFilter(a, "ipv6.dst == 2001:db8::/32", () => true, addrs);
  checkArquero(a, addrs, (v) => ipv6Text(v as Uint8Array));
});

test("the original constructor: dense + valid and CSR arrays become levels and read back the same", () => {
  const n = 300, values = new Uint32Array(n), valid = new Uint8Array(n);
  const frames: Value[][] = [];
  for (let i = 0; i < n; i++) { if (i % 3) { valid[i] = 1; values[i] = 0x0a000000 + i; } frames.push(i % 3 ? [0x0a000000 + i] : []); }
  const small = new Column(field("ip.src"), n, values, valid, null);
  assert.equal(shape(small), "valid:num", "a small column keeps its byte-a-row valid");
  checkReads(small, frames);
  checkFilter(small, "ip.src == 10.0.0.0/24", (vs) => vs.length > 0 && ((vs[0] as number) & 0xffffff00) === 0x0a000000, frames);
  checkFilter(small, "ip.src == 10.0.0.5", (vs) => vs[0] === 0x0a000005, frames);
  checkArquero(small, frames, (v) => ipv4Text(v as number));
  assert.deepEqual(Array.from(small.valid!), Array.from(valid));
  assert.deepEqual(Array.from(small.values as Uint32Array).filter((_, i) => valid[i]), Array.from(values).filter((_, i) => valid[i]));

  const strings = Array.from({ length: 100_000 }, (_, i) => (i % 2 ? "tcp" : "udp"));
  const big = new Column(field("frame.protocols"), strings.length, strings, new Uint8Array(strings.length).fill(1), null);
  assert.equal(shape(big), "all:dict");
  assert.equal(big.get(99_999), "tcp");

  const ones = new Column(field("frame.malformed"), 100_000, new Uint8Array(100_000), new Uint8Array(100_000).fill(1), null);
  assert.equal(shape(ones), "all:const");
  assert.equal(ones.byteLength, 0);
});

test("rows out of order are sorted at finish, each row keeping its values' order", () => {
  const b = new ColumnBuilder(field("tcp.port"));
  b.push(5, 1); b.push(5, 2); b.push(2, 3); b.push(9, 4); b.push(2, 5); b.push(5, 6);
  const c = b.finish(10);
  const frames: Value[][] = Array.from({ length: 10 }, () => []);
  frames[2] = [3, 5]; frames[5] = [1, 2, 6]; frames[9] = [4];
  checkReads(c, frames);
  checkFilter(c, "tcp.port == 5", (vs) => vs.includes(5), frames);
});

test("two columns compared with each other, over dense and sparse levels", () => {
  const a = gen(N, (i) => (i % 3 ? [i % 100] : [])), b = gen(N, (i) => (i % 47 === 0 ? [i % 100] : i % 5 === 0 ? [7] : []));
  const ca = streamed("tcp.srcport", a), cb = streamed("tcp.dstport", b);
  assert.equal(shape(ca), "bits:num");
  const out = compileFilter("tcp.srcport == tcp.dstport").run((f) => (f === "tcp.srcport" ? ca : cb), N);
  for (let i = 0; i < N; i++) assert.equal(out[i], a[i].length && b[i].length && a[i][0] === b[i][0] ? 1 : 0, `frame ${i}`);
});

/** A pcap of n Ethernet/IPv4/UDP frames, each with a 48-byte payload of its own ("load" + the frame number). */
function udpCapture(file: string, n: number): void {
  const parts: Buffer[] = [];
  const g = Buffer.alloc(24);
  g.writeUInt32LE(0xa1b2c3d4, 0); g.writeUInt16LE(2, 4); g.writeUInt16LE(4, 6); g.writeUInt32LE(65535, 16); g.writeUInt32LE(1, 20);
  parts.push(g);
  for (let i = 0; i < n; i++) {
    const payload = Buffer.alloc(48, 0x2e);
    payload.write(`load ${i}`, 0, "latin1");
    const udp = Buffer.alloc(8);
    udp.writeUInt16BE(40000 + (i % 7), 0); udp.writeUInt16BE(5683, 2); udp.writeUInt16BE(8 + payload.length, 4);
    const ip = Buffer.alloc(20);
    ip[0] = 0x45; ip.writeUInt16BE(20 + 8 + payload.length, 2); ip[8] = 64; ip[9] = 17;
    ip.writeUInt32BE(0x0a000001, 12); ip.writeUInt32BE(0x0a000002, 16);
    const eth = Buffer.from([0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6, 8, 0]);
    const frame = Buffer.concat([eth, ip, udp, payload]);
    const h = Buffer.alloc(16);
    h.writeUInt32LE(1700000000 + Math.floor(i / 1000), 0); h.writeUInt32LE((i % 1000) * 1000, 4);
    h.writeUInt32LE(frame.length, 8); h.writeUInt32LE(frame.length, 12);
    parts.push(h, frame);
  }
  fs.writeFileSync(file, Buffer.concat(parts));
}

test("payloads stay in the capture file: read back equal to the bytes, by filters and tables too", async () => {
  const file = path.join(os.tmpdir(), `wirebook-column-test-${process.pid}.pcap`);
  udpCapture(file, 6000);
  try {
    const cap = await open(file);
    const col = cap.column("udp.payload");
    assert.equal(shape(col), "rows:file");
    assert.ok(col.byteLength < 6000 * 48 * 0.75, `${col.byteLength} bytes for 6000 payloads of 48`);
    const frames: Value[][] = Array.from({ length: cap.count }, (_, i) => {
      const p = Buffer.alloc(48, 0x2e);
      p.write(`load ${i}`, 0, "latin1");
      return [new Uint8Array(p)];
    });
    checkReads(col, frames);
    checkFilter(col, 'udp.payload contains "load 59"', (vs) => Buffer.from(vs[0] as Uint8Array).includes("load 59"), frames);
    checkFilter(col, "udp.payload[5:2] == 31:32", (vs) => Buffer.from(vs[0] as Uint8Array).subarray(5, 7).toString() === "12", frames);
    checkArquero(col, frames);
    cap.close();
  } finally {
    fs.rmSync(file, { force: true });
  }
});

test("a getter that throws loses its field for the rest of the chunk only; the other fields of its protocol keep every value", async () => {
  const { Extraction } = await import("../../lib/decode/extract.js");
  const { frameChunks } = await import("../../lib/capture/chunks.js");
  const file = path.join(os.tmpdir(), `wirebook-extract-test-${process.pid}.pcap`);
  udpCapture(file, 300);
  try {
    const cap = await open(file);
    const lt = cap.layers(), udp = cap.protoId("udp");
    const mk = (abbrev: string, get: (b: Uint8Array, o: number) => number | undefined) => ({ field: { abbrev, name: abbrev, type: "uint16" as const, description: "test", get }, proto: udp });
    const fields = [
      mk("t.before", (b, o) => (b[o] << 8) | b[o + 1]),
      mk("t.bad", (b, o) => { if (((b[o] << 8) | b[o + 1]) === 40000 + 5) throw new Error("boom"); return 7; }),
      mk("t.after", (b, o) => (b[o + 2] << 8) | b[o + 3]),
    ];
    const ex = new Extraction(fields, cap.count);
    for (const chunk of frameChunks(cap.file)) ex.run(cap.file, lt, chunk, lt.frameStart[chunk.first], lt.frameStart[chunk.last]);
    const [before, bad, after] = ex.finish();
    for (let i = 0; i < cap.count; i++) {
      assert.equal(before.get(i), 40000 + (i % 7));
      assert.equal(after.get(i), 5683);
    }
    assert.equal(bad.get(4), 7, "values before the throw are kept");
    assert.equal(bad.get(5), undefined, "the field sits out the rest of its chunk");
    assert.match(lt.problems.get(0)!.join(), /t\.bad: extraction error: boom/);
    cap.close();
  } finally {
    fs.rmSync(file, { force: true });
  }
});
