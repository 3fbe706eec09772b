// Named edge cases of the Modbus/TCP dissector on real ADUs from the corpus (as tshark shows them, in the comment
// above each), whole and mutated: a query and its response, bits limited to the request's count, an exception, a
// truncated ADU, a length field too small, a byte count that disagrees, an unknown and a user-defined function code.
// The dissector is run directly; the reassembler's `current` says which connection and direction an ADU is on.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { FieldDef } from "../../lib/dissectors/field.js";
import { aduLength, looksLikeMbtcp, mbtcp, summary } from "../../lib/dissectors/mbtcp.js";
import { modbus } from "../../lib/dissectors/modbus.js";
import { AUX_PAIRED, mbtcpRequestFrame } from "../../lib/dissectors/modbus-aux.js";
import { current } from "../../lib/dissectors/tcp-reassembly.js";
import { formatValue } from "../../lib/table/tshark-format.js";
import { corpusFile, RecordingContext, type Rec, tcpSegments } from "./mqtt-corpus.js";
import { requireTool } from "../oracle/tshark.js";

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, "hex"));

/** The TCP payload of frame `n` (1-based) of a corpus capture. */
async function payload(rel: string, n: number): Promise<Uint8Array> {
  const file = corpusFile(rel);
  assert.ok(file, rel);
  const seg = (await tcpSegments(file)).find((s) => s.frame === n - 1);
  assert.ok(seg, `frame ${n} of ${rel}`);
  return seg.b.slice(seg.o, seg.end);
}

interface Adu { b: Uint8Array; dir: number; rep?: number }

/** Dissects ADUs in order on one connection (direction 0 carries queries when it speaks first). */
function run(adus: Adu[]): RecordingContext {
  mbtcp.reset!();
  const ctx = new RecordingContext(false);
  adus.forEach(({ b, dir, rep }, k) => {
    ctx.frame = k;
    current.frame = k;
    current.stream = 0;
    current.dir = dir;
    (ctx as unknown as { buf: Uint8Array }).buf = b;
    mbtcp.dissect(ctx, b, 0, b.length, rep ?? b.length);
  });
  current.frame = -1;
  return ctx;
}

/** Every field of a recorded layer as tshark -T fields prints it (occurrences joined by ","); absent fields left out. */
function fields(rec: Rec): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of rec.d.fields as readonly FieldDef[]) {
    const vals: string[] = [];
    if (f.get) { const v = f.get(rec.b, rec.o, rec.end, rec.rep, rec.aux); if (v !== undefined) vals.push(formatValue(f, v)); }
    else if (f.each) f.each(rec.b, rec.o, rec.end, rec.rep, rec.aux, (v) => vals.push(formatValue(f, v)));
    if (vals.length) out[f.abbrev] = vals.join(",");
  }
  return out;
}

const layersOf = (ctx: RecordingContext, frame: number) => ctx.layers.filter((l) => l.frame === frame);
const problems = (ctx: RecordingContext, frame: number) => ctx.problems.filter((p) => p.frame === frame).map((p) => `${p.proto}: ${p.reason}`);

test("a query and its response: every field as tshark shows it", async (t) => {
  if (!requireTool(t, "corpus")) return;
  // modbus-testdata-part1 #57 "   Query: Trans:     1; Unit:  10, Func:   3: Read Holding Registers"
  // #58 "Response: Trans:     1; Unit:  10, Func:   3: Read Holding Registers"
  const q = await payload("modbus/modbus-testdata-part1.pcap", 57), r = await payload("modbus/modbus-testdata-part1.pcap", 58);
  const ctx = run([{ b: q, dir: 0 }, { b: r, dir: 1 }]);
  const [qm, qp] = layersOf(ctx, 0), [rm, rp] = layersOf(ctx, 1);
  assert.deepEqual(fields(qm), { "mbtcp.trans_id": "1", "mbtcp.prot_id": "0", "mbtcp.len": "6", "mbtcp.unit_id": "10" });
  assert.deepEqual(fields(qp), { "modbus.func_code": "3", "modbus.reference_num": "5", "modbus.word_cnt": "2" });
  assert.deepEqual(fields(rm), { "mbtcp.trans_id": "1", "mbtcp.prot_id": "0", "mbtcp.len": "7", "mbtcp.unit_id": "10" });
  assert.deepEqual(fields(rp), {
    "modbus.func_code": "3", "modbus.byte_cnt": "4", "modbus.regnum16": "5,6", "modbus.regval_uint16": "9,24",
  });
  assert.equal(mbtcpRequestFrame(rm.aux), 1, "the response names its request's frame");
  assert.ok(rp.aux & AUX_PAIRED);
  assert.equal(summary(r, 0, r.length, r.length, rm.aux), "Response: Trans:     1; Unit:  10, Func:   3: Read Holding Registers");
  assert.equal(summary(q, 0, q.length, q.length, qm.aux), "   Query: Trans:     1; Unit:  10, Func:   3: Read Holding Registers");
  assert.deepEqual(ctx.problems, []);
});

test("read coils: a paired response shows the bits asked for, an unpaired one every bit", async (t) => {
  if (!requireTool(t, "corpus")) return;
  // modbus-testdata-part1 #51 "   Query: Trans:     1; Unit:  10, Func:   1: Read Coils" (1 coil from 0)
  // #52 "Response: Trans:     1; Unit:  10, Func:   1: Read Coils"
  const q = await payload("modbus/modbus-testdata-part1.pcap", 51), r = await payload("modbus/modbus-testdata-part1.pcap", 52);
  const paired = run([{ b: q, dir: 0 }, { b: r, dir: 1 }]);
  assert.deepEqual(fields(layersOf(paired, 1)[1]), { "modbus.func_code": "1", "modbus.byte_cnt": "1", "modbus.bitnum": "0", "modbus.bitval": "0" });
  // A different transaction id: no request, so 8 bits from 0 (as tshark shows a response whose request it missed).
  const other = r.slice();
  other[1] = 9;
  const lone = run([{ b: q, dir: 0 }, { b: other, dir: 1 }]);
  assert.equal(fields(layersOf(lone, 1)[1])["modbus.bitnum"], "0,1,2,3,4,5,6,7");
  assert.equal(mbtcpRequestFrame(layersOf(lone, 1)[0].aux), 0);
});

test("write single coil: the value shows as two data bytes and a padding byte, like tshark", async (t) => {
  if (!requireTool(t, "corpus")) return;
  // modbus-testdata-part1 #60 "   Query: Trans:     1; Unit:  10, Func:   5: Write Single Coil"
  const q = await payload("modbus/modbus-testdata-part1.pcap", 60);
  const ctx = run([{ b: q, dir: 0 }]);
  assert.deepEqual(fields(layersOf(ctx, 0)[1]), { "modbus.func_code": "5", "modbus.reference_num": "2", "modbus.data": "0000", "modbus.padding": "0x00" });
});

test("an exception response: function and exception code, no request frame", async (t) => {
  if (!requireTool(t, "corpus")) return;
  // modbus-4sics-fc23-exception #1 "   Query: Trans:    11; Unit:   1, Func:  23: Read Write Register"
  // #2 "Response: Trans:    11; Unit:   1, Func:  23: Read Write Register. Exception returned "
  const q = await payload("modbus/modbus-4sics-fc23-exception.pcap", 1), r = await payload("modbus/modbus-4sics-fc23-exception.pcap", 2);
  const ctx = run([{ b: q, dir: 0 }, { b: r, dir: 1 }]);
  const [rm, rp] = layersOf(ctx, 1);
  assert.deepEqual(fields(rp), { "modbus.func_code": "23", "modbus.exception_code": "10" });
  assert.equal(rp.aux & AUX_PAIRED, 0, "tshark shows no request frame on an exception");
  assert.equal(summary(r, 0, r.length, r.length, rm.aux), "Response: Trans:    11; Unit:   1, Func:  23: Read Write Register. Exception returned ");
  // The query's byte count (0xbf = 191) disagrees with the 244 bytes that follow: all of them show as data.
  const qp = fields(layersOf(ctx, 0)[1]);
  assert.equal(qp["modbus.byte_cnt"], "191");
  assert.equal(qp["modbus.write_reference_num"], "223");
  assert.equal(qp["modbus.data"].length, 2 * (q.length - 17));
  assert.deepEqual(problems(ctx, 0), [`modbus: Read Write Register: byte count 191 but ${q.length - 17} bytes follow`]);
});

test("truncated: an ADU cut by the capture keeps the fields before the cut and is malformed", async (t) => {
  if (!requireTool(t, "corpus")) return;
  const r = await payload("modbus/modbus-testdata-part1.pcap", 58); // 13 bytes: 4 bytes of register values
  const ctx = run([{ b: hex("0001000000060a0300050002"), dir: 0 }, { b: r.subarray(0, 11), dir: 1, rep: 13 }]);
  const [rm, rp] = layersOf(ctx, 1);
  assert.equal(fields(rm)["mbtcp.len"], "7");
  assert.deepEqual(fields(rp), { "modbus.func_code": "3", "modbus.byte_cnt": "4" });
  assert.deepEqual(problems(ctx, 1), ["modbus: Read Holding Registers cut short: 4 of 6 bytes captured"]);
  // Cut before the function code: no MBAP field at all (tshark reads the unit id and function code first).
  const short = run([{ b: r.subarray(0, 7), dir: 1, rep: 13 }]);
  assert.deepEqual(fields(layersOf(short, 0)[0]), {});
  assert.equal(layersOf(short, 0).length, 1, "an mbtcp layer, no modbus layer");
  assert.match(problems(short, 0)[0], /^mbtcp: ADU cut short: 7 of 13 bytes captured/);
});

test("length field too small: the PDU ends before its fields, or a byte count disagrees", async (t) => {
  if (!requireTool(t, "corpus")) return;
  const q = await payload("modbus/modbus-testdata-part1.pcap", 57), r = await payload("modbus/modbus-testdata-part1.pcap", 58);
  // Length 2: unit id and function code only; the byte count is missing.
  const two = r.slice(0, 8);
  two[5] = 2;
  let ctx = run([{ b: q, dir: 0 }, { b: two, dir: 1 }]);
  assert.deepEqual(fields(layersOf(ctx, 1)[1]), { "modbus.func_code": "3" });
  assert.deepEqual(problems(ctx, 1), ["modbus: Read Holding Registers: length 2 too small for its fields"]);
  // Length 4: byte count 4 but 1 byte follows, shown as data (Wireshark's reading).
  const four = r.slice(0, 10);
  four[5] = 4;
  ctx = run([{ b: q, dir: 0 }, { b: four, dir: 1 }]);
  assert.deepEqual(fields(layersOf(ctx, 1)[1]), { "modbus.func_code": "3", "modbus.byte_cnt": "4", "modbus.data": "00" });
  assert.deepEqual(problems(ctx, 1), ["modbus: Read Holding Registers: byte count 4 but 1 bytes follow"]);
  // Below 2 (or a protocol id other than 0) the payload is not Modbus/TCP at all.
  const one = r.slice();
  one[5] = 1;
  assert.equal(aduLength(one, 0, one.length), 0);
  const proto = r.slice();
  proto[3] = 1;
  assert.equal(aduLength(proto, 0, proto.length), 0);
  assert.equal(aduLength(r, 0, r.length), 13);
});

test("unknown function code: decoded as data and malformed; a user-defined one is not malformed", async (t) => {
  if (!requireTool(t, "corpus")) return;
  // modbus-fuzz-72 #3 "   Query: Trans:     0; Unit:   1, Func:  29: Unknown function (29)"
  const q = await payload("modbus/modbus-fuzz-72.pcap", 3);
  let ctx = run([{ b: q, dir: 0 }]);
  assert.deepEqual(fields(layersOf(ctx, 0)[1]), { "modbus.func_code": "29", "modbus.data": "00000000" });
  assert.deepEqual(problems(ctx, 0), ["modbus: unknown function code 29"]);
  assert.equal(summary(q, 0, q.length, q.length, layersOf(ctx, 0)[0].aux), "   Query: Trans:     0; Unit:   1, Func:  29: Unknown function (29)");
  const user = q.slice();
  user[7] = 65;
  ctx = run([{ b: user, dir: 0 }]);
  assert.deepEqual(ctx.problems, []);
});

test("the resync heuristic takes only a payload's first ADU, with tshark's test", async (t) => {
  if (!requireTool(t, "corpus")) return;
  const q = await payload("modbus/modbus-testdata-part1.pcap", 57);
  mbtcp.reset!();
  const twice = Buffer.concat([q, q]);
  assert.equal(looksLikeMbtcp(twice, 0, twice.length), 1);
  assert.equal(looksLikeMbtcp(twice, 12, twice.length), 0, "not inside a payload already looked at");
  const other = Uint8Array.from(twice);
  assert.equal(looksLikeMbtcp(other, 12, other.length), 1, "the start of another payload");
  const bad = q.slice();
  bad[2] = 0x28;
  assert.equal(looksLikeMbtcp(bad, 0, bad.length), 0, "protocol id not 0");
  assert.equal(looksLikeMbtcp(q.slice(0, 6), 0, 6), -1, "six bytes cannot tell");
  // A payload's first ADU needs 8 bytes (tshark rejects less); one that follows another takes its length alone.
  const more = Buffer.concat([q, q.subarray(0, 3)]);
  assert.equal(aduLength(more, 0, more.length), 12);
  assert.equal(aduLength(more, 12, more.length), -1);
  assert.equal(aduLength(q.subarray(0, 7), 0, 7), 0);
  // Header bytes carried over and rejected with the next segment's start (a buffer of their own, like this one):
  // Wireshark rejects that whole segment, so its start is refused once.
  assert.equal(aduLength(other, 0, other.length), 0);
  assert.equal(looksLikeMbtcp(other, 1, other.length), 0, "nor anywhere else in it");
  assert.equal(aduLength(q, 0, q.length), 12);
  assert.equal(modbus.fields[0].abbrev, "modbus");
});
