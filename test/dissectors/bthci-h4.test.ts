// LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR (201): no corpus capture has it, so the test wraps the real L2CAP PDUs of the
// corpus's BLE captures (complete LL start fragments) into HCI ACL packets behind the 4-byte direction
// pseudo-header, writes a pcap in os.tmpdir(), and compares every hci_h4, bthci_acl, btl2cap, btatt and btsmp field
// with tshark.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { btatt } from "../../lib/dissectors/btatt.js";
import { btl2cap } from "../../lib/dissectors/btl2cap.js";
import { btsmp } from "../../lib/dissectors/btsmp.js";
import { bthciAcl } from "../../lib/dissectors/bthci-acl.js";
import { bluetoothH4Phdr, hciH4 } from "../../lib/dissectors/bthci-h4.js";
import { requireTool, tsharkFields } from "../oracle/tshark.js";
import { bleExcuse } from "./btle-compare.js";
import { bleDir, pcapFrames } from "./btle-frames.js";
import { compareFrames } from "./protocol-compare.js";
import { RecordingContext, rng } from "./mqtt-corpus.js";

// The same helpers as nordic-ble.test.ts (a test module cannot import another without running its tests).
/** A classic little-endian pcap (microseconds) of `frames` with link type `lt`, 1 ms apart. */
function writePcap(file: string, lt: number, frames: readonly Uint8Array[]): void {
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

/** An H4 ACL frame with the pseudo-header: direction word, type 2, handle + flags, length, the L2CAP PDU. */
function acl(l2cap: Uint8Array, dir: number, handle: number, pb: number): Uint8Array {
  const out = new Uint8Array(4 + 1 + 4 + l2cap.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, dir, false);
  out[4] = 0x02;
  dv.setUint16(5, (handle & 0xfff) | (pb << 12), true);
  dv.setUint16(7, l2cap.length, true);
  out.set(l2cap, 9);
  return out;
}

/** Complete L2CAP PDUs of the corpus's LINKTYPE 256 captures (LL start fragments holding the whole PDU). */
function l2capPdus(): Uint8Array[] {
  const d = bleDir()!;
  const out: Uint8Array[] = [];
  for (const f of fs.readdirSync(d).filter((n) => n.endsWith(".pcap")).sort()) {
    for (const fr of pcapFrames(path.join(d, f))) {
      if (fr.length < 18 || (fr[10] | (fr[11] << 8) | (fr[12] << 16) | (fr[13] << 24)) === (0x8e89bed6 | 0)) continue;
      const h = 14, len = fr[h + 1], p = h + 2;
      if ((fr[h] & 3) !== 2 || (fr[h] & 0x20) !== 0 || len < 4 || p + len > fr.length) continue;
      if ((fr[p] | (fr[p + 1] << 8)) + 4 !== len) continue;
      out.push(fr.slice(p, p + len));
    }
  }
  return out;
}

export function h4Frames(): Uint8Array[] {
  return l2capPdus().map((pdu, i) => acl(pdu, i & 1, 0x40 + (i % 3), i % 4 === 0 ? 0 : 2));
}

test("hci_h4 + bthci_acl + btl2cap + btatt fields agree with tshark on real L2CAP PDUs wrapped as LINKTYPE 201", async (t) => {
  if (!requireTool(t, "corpus") || !requireTool(t, "tshark")) return;
  const frames = h4Frames();
  assert.ok(frames.length > 50, `${frames.length} frames`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wb-h4-"));
  const file = path.join(dir, "h4.pcap");
  writePcap(file, 201, frames);
  const fields = [hciH4, bthciAcl, btl2cap, btatt, btsmp].flatMap((d) => d.fields).filter((f) => f.type !== "protocol");
  // The deliberate differences are btle-compare.ts's (iBeacon, 64-bit values, ATT state), counted under its reasons.
  const r = await compareFrames(file, { fields: fields.map((f) => f.abbrev), everyFrame: true, excuse: (_f, field, th, ours) => bleExcuse(field, th, ours) });
  const excused = [...r.excluded.values()].reduce((a, b) => a + b, 0);
  t.diagnostic(`${r.fields} fields x ${r.frames} frames = ${r.compared} compared, ${r.mismatches.length} mismatches, ${excused} excused (${[...r.excluded].map(([k, n]) => `${k} ${n}`).join(", ")})`);
  assert.deepEqual(r.mismatches.slice(0, 30), []);
  const seen = await tsharkFields(file, ["hci_h4.direction", "bthci_acl.chandle", "btatt.opcode", "btsmp.opcode"]);
  for (let k = 0; k < 4; k++) assert.ok(seen.some((row) => (row[k] ?? "") !== ""), `column ${k} is exercised`);
  fs.rmSync(dir, { recursive: true });
});

test("hci_h4: truncated pseudo-header, ACL length field too small or too large, continuation, unknown type", () => {
  const real = acl(Uint8Array.from([0x03, 0x00, 0x04, 0x00, 0x0a, 0x03, 0x00]), 1, 0x40, 2); // L2CAP: ATT Read Request, handle 0x0003
  const run = (b: Uint8Array) => { const c = new RecordingContext(); c.linktype = 201; c.dissect(bluetoothH4Phdr, b, 0, b.length, b.length); return c; };
  const ok = run(real);
  assert.deepEqual(ok.layers.map((l) => l.d.proto), ["bluetooth", "hci_h4", "bthci_acl", "btl2cap", "btatt"]);
  assert.equal(hciH4.fields[2].get!(real, 4, real.length, 0, ok.layers[1].aux), 1);
  assert.ok(run(real.subarray(0, 3)).problems.length > 0, "pseudo-header cut");
  assert.ok(run(real.subarray(0, 7)).problems.length > 0, "ACL header cut");
  const long = real.slice(); long[7] = 0x40; // data total length past the end
  assert.ok(run(long).problems.some((p) => p.proto === "bthci_acl"));
  const small = real.slice(); small[7] = 2; // too small for the L2CAP header: not handed on
  assert.deepEqual(run(small).layers.map((l) => l.d.proto), ["bluetooth", "hci_h4", "bthci_acl"]);
  const cont = real.slice(); cont[6] = (cont[6] & 0xcf) | 0x10; // continuing fragment
  assert.deepEqual(run(cont).layers.map((l) => l.d.proto), ["bluetooth", "hci_h4", "bthci_acl"]);
  const odd = real.slice(); odd[4] = 0x42; // unknown packet type
  assert.deepEqual(run(odd).layers.map((l) => l.d.proto), ["bluetooth", "hci_h4"]);
});

test("hci_h4 fuzz: thousands of mutated frames, nothing throws", (t) => {
  if (!requireTool(t, "corpus")) return;
  const real = h4Frames();
  const rand = rng(0x201);
  for (let k = 0; k < 20000; k++) {
    const b = real[Math.floor(rand() * real.length)].slice();
    const cut = rand() < 0.15 ? Math.floor(rand() * b.length) : b.length;
    for (let m = 1 + Math.floor(rand() * 4); m > 0; m--) b[rand() < 0.6 ? Math.floor(rand() * Math.min(16, b.length)) : Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
    const ctx = new RecordingContext();
    ctx.linktype = 201;
    ctx.frame = k;
    ctx.dissect(bluetoothH4Phdr, b, 0, cut, cut);
    for (const l of ctx.layers) for (const f of l.d.fields) {
      if (f.get) f.get(l.b.subarray(0, l.end), l.o, l.end, l.rep, l.aux);
      else if (f.each) f.each(l.b.subarray(0, l.end), l.o, l.end, l.rep, l.aux, () => {});
    }
  }
});
