// Fuzzing the Modbus/TCP dissector with mutated real ADUs (deterministic seeds): no exception escapes, nothing
// hangs. Once directly (every getter and the summary on every recorded layer), once through the whole pass (a
// mutated copy of a real capture: reassembly, resynchronisation, pairing, every field extracted).

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import type { FieldDef } from "../../lib/dissectors/field.js";
import { aduLength, looksLikeMbtcp, mbtcp, summary } from "../../lib/dissectors/mbtcp.js";
import { current } from "../../lib/dissectors/tcp-reassembly.js";
import { open } from "../../lib/table/capture.js";
import { requireTool } from "../oracle/tshark.js";
import { MODBUS_FIELDS } from "./modbus-compare.js";
import { corpusFile, RecordingContext, rng, tcpSegments } from "./mqtt-corpus.js";

const FILES = [
  "modbus/modbus-testdata-part1.pcap", "modbus/modbus-testdata-part2-function-scan.pcap",
  "modbus/modbus-write-multiple-coils-fc15.pcap", "modbus/modbus-4sics-fc23-exception.pcap", "modbus/modbus-fuzz-72.pcap",
];

/** Real TCP payloads that start like Modbus/TCP (protocol id 0). */
async function realAdus(): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const rel of FILES) {
    const f = corpusFile(rel);
    if (!f) continue;
    for (const s of await tcpSegments(f)) {
      if (s.end - s.o >= 8 && s.b[s.o + 2] === 0 && s.b[s.o + 3] === 0) out.push(s.b.slice(s.o, s.end));
    }
  }
  return out;
}

/** One random mutation of an ADU (a copy). */
function mutate(src: Uint8Array, r: () => number): Uint8Array {
  let b = src.slice();
  const ops = 1 + Math.floor(r() * 4);
  for (let k = 0; k < ops; k++) {
    const op = Math.floor(r() * 7), at = Math.floor(r() * b.length);
    if (op === 0) b[at] = Math.floor(r() * 256); // any byte
    else if (op === 1) b[5] = Math.floor(r() * 12); // a small length field
    else if (op === 2) b[7] = Math.floor(r() * 256); // any function code
    else if (op === 3) b[7] |= 0x80; // an exception
    else if (op === 4) b = b.slice(0, Math.floor(r() * b.length)); // cut short
    else if (op === 5) { const t = new Uint8Array(b.length + Math.floor(r() * 40)); t.set(b); for (let i = b.length; i < t.length; i++) t[i] = Math.floor(r() * 256); b = t; }
    else if (b.length > 9) b[8 + Math.floor(r() * (b.length - 8))] = [0, 0xff, 1, 7, 14][Math.floor(r() * 5)]; // counts, MEI, ids
  }
  return b;
}

test("fuzz: mutated real ADUs never throw from dissect, getters or summary", async (t) => {
  if (!requireTool(t, "corpus")) return;
  const adus = await realAdus();
  assert.ok(adus.length > 200, `${adus.length} real ADUs`);
  const r = rng(0x6d6f6462);
  const started = Date.now();
  let layers = 0;
  mbtcp.reset!();
  for (let n = 0; n < 20000; n++) {
    const b = mutate(adus[Math.floor(r() * adus.length)], r);
    const ctx = new RecordingContext(false);
    ctx.frame = n;
    current.frame = n;
    current.stream = Math.floor(r() * 3);
    current.dir = r() < 0.5 ? 0 : 1;
    (ctx as unknown as { buf: Uint8Array }).buf = b;
    const rep = b.length + (r() < 0.2 ? Math.floor(r() * 20) : 0);
    const len = aduLength(b, 0, b.length);
    looksLikeMbtcp(b, Math.floor(r() * (b.length + 1)), b.length);
    if (len !== 0) mbtcp.dissect(ctx, b, 0, len > 0 ? Math.min(len, b.length) : b.length, len > 0 ? Math.max(len, Math.min(len, rep)) : rep);
    for (const l of ctx.layers) {
      layers++;
      for (const f of l.d.fields as readonly FieldDef[]) {
        if (f.get) f.get(l.b, l.o, l.end, l.rep, l.aux);
        else if (f.each) f.each(l.b, l.o, l.end, l.rep, l.aux, () => {});
      }
      if (l.d === mbtcp) summary(l.b, l.o, l.end, l.rep, l.aux);
    }
  }
  current.frame = -1;
  t.diagnostic(`20000 mutated ADUs, ${layers} layers, ${Date.now() - started} ms`);
  assert.ok(layers > 10000);
  assert.ok(Date.now() - started < 20_000, "well under the time limit");
});

/** Walks a little-endian microsecond pcap: the file offset of each frame's first byte. */
function frameOffsets(file: Uint8Array): number[] {
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength), out: number[] = [];
  for (let p = 24; p + 16 <= file.length;) {
    const incl = dv.getUint32(p + 8, true);
    out.push(p + 16);
    p += 16 + incl;
  }
  return out;
}

test("fuzz: a mutated copy of a real capture decodes through the whole pass without a dissector error", async (t) => {
  if (!requireTool(t, "corpus")) return;
  const src = corpusFile("modbus/modbus-multiple-pdus-per-segment.pcap")!;
  const original = fs.readFileSync(src);
  const starts = frameOffsets(original), segs = await tcpSegments(src);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wirebook-modbus-fuzz-"));
  const started = Date.now();
  for (const seed of [1, 2, 3]) {
    const r = rng(seed), bytes = Uint8Array.from(original);
    for (const s of segs) {
      if (s.end <= s.o || r() < 0.9) continue; // one payload in ten
      const base = starts[s.frame];
      for (let k = Math.floor(r() * 4); k >= 0; k--) bytes[base + s.o + Math.floor(r() * (s.end - s.o))] = Math.floor(r() * 256);
    }
    const file = path.join(dir, `fuzz-${seed}.pcap`);
    fs.writeFileSync(file, bytes);
    const cap = await open(file);
    try {
      const cols = cap.columns([...MODBUS_FIELDS, "frame.protocols", "_ws.expert.message"]);
      const expert = cols[cols.length - 1];
      let modbusFrames = 0;
      for (let i = 0; i < cap.count; i++) {
        const msg = expert.get(i);
        assert.ok(msg === undefined || !/dissector error/.test(String(msg)), `frame ${i + 1}: ${msg}`);
        if (cols[0].count(i) > 0) modbusFrames++;
      }
      t.diagnostic(`seed ${seed}: ${cap.count} frames, ${modbusFrames} with Modbus`);
      assert.ok(modbusFrames > 300, `${modbusFrames} frames with Modbus`);
    } finally {
      cap.close();
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
  assert.ok(Date.now() - started < 25_000, "well under the time limit");
});
