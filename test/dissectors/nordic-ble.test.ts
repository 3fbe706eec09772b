// LINKTYPE_NORDIC_BLE (272): no corpus capture has it, so the test re-frames the real link-layer packets of the
// corpus's LINKTYPE 256 captures into nRF Sniffer version 3 headers (flags, channel, RSSI and direction taken from
// each packet's RF header), writes a pcap in os.tmpdir(), and compares every nordic_ble and btle field with tshark.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { btatt } from "../../lib/dissectors/btatt.js";
import { btcommonAd } from "../../lib/dissectors/btcommon-ad.js";
import { btl2cap } from "../../lib/dissectors/btl2cap.js";
import { btle } from "../../lib/dissectors/btle.js";
import { btsmp } from "../../lib/dissectors/btsmp.js";
import { channelIndex } from "../../lib/dissectors/btle-rf.js";
import { nordicBle } from "../../lib/dissectors/nordic-ble.js";
import { requireTool, tsharkFields } from "../oracle/tshark.js";
import { bleExcuse } from "./btle-compare.js";
import { bleDir, pcapFrames } from "./btle-frames.js";
import { compareFrames } from "./protocol-compare.js";
import { RecordingContext, rng } from "./mqtt-corpus.js";

/** A classic little-endian pcap (microseconds) of `frames` with link type `lt`, 1 ms apart. */
export function writePcap(file: string, lt: number, frames: readonly Uint8Array[]): void {
  const parts: Uint8Array[] = [];
  const g = Buffer.alloc(24);
  g.writeUInt32LE(0xa1b2c3d4, 0); g.writeUInt16LE(2, 4); g.writeUInt16LE(4, 6); g.writeUInt32LE(262144, 16); g.writeUInt32LE(lt, 20);
  parts.push(g);
  frames.forEach((f, i) => {
    const h = Buffer.alloc(16);
    h.writeUInt32LE(1700000000 + Math.floor(i / 1000), 0); h.writeUInt32LE((i % 1000) * 1000, 4);
    h.writeUInt32LE(f.length, 8); h.writeUInt32LE(f.length, 12);
    parts.push(h, f);
  });
  fs.writeFileSync(file, Buffer.concat(parts));
}

/** One 256 frame (RF header + LL packet) as a Nordic version 3 frame. */
function renordic(rf: Uint8Array, i: number, ts: number): Uint8Array {
  const ll = rf.subarray(10), flags = rf[8] | (rf[9] << 8);
  const pdu = (flags >> 7) & 7, aa = ll[0] | (ll[1] << 8) | (ll[2] << 16) | (ll[3] << 24);
  const adv = aa === (0x8e89bed6 | 0) || pdu === 1;
  const out = new Uint8Array(17 + ll.length);
  const dv = new DataView(out.buffer);
  out[0] = i % 3; // board id
  dv.setUint16(1, 10 + ll.length, true);
  out[3] = 3; // protocol version
  dv.setUint16(4, i & 0xffff, true);
  out[6] = adv ? 0x02 : 0x06;
  out[7] = 10;
  const crcOk = (flags & 0x0400) === 0 || (flags & 0x0800) !== 0 ? 1 : 0;
  const phy = (flags >> 14) & 3;
  out[8] = crcOk | (!adv && pdu === 2 ? 2 : 0) | (i % 7 === 3 ? 0x0c : 0) | (adv && i % 5 === 1 ? 0x08 : 0) | (phy << 4);
  out[9] = channelIndex(rf[0]);
  out[10] = (flags & 2) !== 0 ? -((rf[1] << 24) >> 24) & 0xff : 0;
  dv.setUint16(11, (i * 7) & 0xffff, true);
  dv.setUint32(13, ts >>> 0, true);
  out.set(ll, 17);
  return out;
}

/** The Nordic capture built from every classic-pcap BLE capture of the corpus, or null without the corpus. */
export function nordicFrames(): Uint8Array[] | null {
  const d = bleDir();
  if (d === null) return null;
  let ts = 1000;
  return fs.readdirSync(d).filter((f) => f.endsWith(".pcap")).sort()
    .flatMap((f) => pcapFrames(path.join(d, f))).filter((f) => f.length > 14)
    .map((f, i) => renordic(f, i, (ts += 150 + (i % 13) * 1000)));
}

test("nordic_ble + btle fields agree with tshark on real LL packets re-framed as LINKTYPE_NORDIC_BLE v3", async (t) => {
  if (!requireTool(t, "corpus") || !requireTool(t, "tshark")) return;
  const frames = nordicFrames()!;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wb-nordic-"));
  const file = path.join(dir, "nordic.pcap");
  writePcap(file, 272, frames);
  const fields = [nordicBle, btle, btcommonAd, btl2cap, btatt, btsmp].flatMap((d) => d.fields)
    .filter((f) => f.type !== "protocol" && f.abbrev !== "bluetooth.apple.ibeacon.measured_power");
  // The deliberate differences are btle-compare.ts's (iBeacon, 64-bit values, ATT state), counted under its reasons.
  const r = await compareFrames(file, { fields: fields.map((f) => f.abbrev), everyFrame: true, excuse: (_f, field, th, ours) => bleExcuse(field, th, ours) });
  const excused = [...r.excluded.values()].reduce((a, b) => a + b, 0);
  t.diagnostic(`${r.fields} fields x ${r.frames} frames = ${r.compared} compared, ${r.mismatches.length} mismatches, ${excused} excused (${[...r.excluded].map(([k, n]) => `${k} ${n}`).join(", ")})`);
  assert.deepEqual(r.mismatches.slice(0, 30), []);
  const seen = await tsharkFields(file, ["nordic_ble.delta_time", "nordic_ble.direction", "nordic_ble.micok", "btatt.opcode"]);
  for (let k = 0; k < 4; k++) assert.ok(seen.some((row) => (row[k] ?? "") !== ""), `column ${k} is exercised`);
  fs.rmSync(dir, { recursive: true });
});

test("nordic_ble: truncated header, length field too small, unknown packet id", () => {
  const ctx = new RecordingContext();
  ctx.linktype = 272;
  nordicBle.reset!();
  const real = Uint8Array.from([0, 0x19, 0, 3, 1, 0, 2, 10, 0x01, 37, 60, 0, 0, 0x10, 0x27, 0, 0,
    0xd6, 0xbe, 0x89, 0x8e, 0x00, 0x06, 1, 2, 3, 4, 5, 6, 0xaa, 0xbb, 0xcc]);
  ctx.dissect(nordicBle, real, 0, real.length, real.length);
  assert.deepEqual(ctx.layers.map((l) => l.d.proto), ["nordic_ble", "btle"]);
  for (const n of [0, 3, 10, 16]) {
    const c = new RecordingContext(); c.linktype = 272;
    c.dissect(nordicBle, real, 0, n, n);
    assert.ok(c.problems.length > 0, `cut at ${n}`);
  }
  const short = real.slice(); short[1] = 5; // payload length too small: Wireshark does not call btle
  const c2 = new RecordingContext(); c2.linktype = 272;
  c2.dissect(nordicBle, short, 0, short.length, short.length);
  assert.deepEqual(c2.layers.map((l) => l.d.proto), ["nordic_ble"]);
  const odd = real.slice(); odd[6] = 0x42; // unknown packet id: btle decides by access address
  const c3 = new RecordingContext(); c3.linktype = 272;
  c3.dissect(nordicBle, odd, 0, odd.length, odd.length);
  assert.deepEqual(c3.layers.map((l) => l.d.proto), ["nordic_ble", "btle"]);
});

test("nordic_ble fuzz: thousands of mutated frames, nothing throws", (t) => {
  if (!requireTool(t, "corpus")) return;
  const real = nordicFrames()!;
  const rand = rng(0x272);
  nordicBle.reset!(); btle.reset!();
  for (let k = 0; k < 20000; k++) {
    const b = real[Math.floor(rand() * real.length)].slice();
    const cut = rand() < 0.15 ? Math.floor(rand() * b.length) : b.length;
    for (let m = 1 + Math.floor(rand() * 4); m > 0; m--) b[rand() < 0.6 ? Math.floor(rand() * Math.min(22, b.length)) : Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
    const ctx = new RecordingContext();
    ctx.linktype = 272;
    ctx.frame = k;
    ctx.dissect(nordicBle, b, 0, cut, cut);
    for (const l of ctx.layers) for (const f of l.d.fields) {
      if (f.get) f.get(l.b.subarray(0, l.end), l.o, l.end, l.rep, l.aux);
      else if (f.each) f.each(l.b.subarray(0, l.end), l.o, l.end, l.rep, l.aux, () => {});
    }
  }
});
