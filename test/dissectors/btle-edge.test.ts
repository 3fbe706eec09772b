// Named edge cases of the BLE dissectors on real frames from the corpus: every field of a real ADV_IND and CONNECT_IND,
// truncated packets, a length field too small / too large, an unknown PDU type, and connection tracking.

import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { btatt } from "../../lib/dissectors/btatt.js";
import { btcommonAd } from "../../lib/dissectors/btcommon-ad.js";
import { btleRf } from "../../lib/dissectors/btle-rf.js";
import { btle } from "../../lib/dissectors/btle.js";
import type { Dissector } from "../../lib/dissectors/dissector.js";
import type { FieldValue } from "../../lib/dissectors/field.js";
import { requireTool } from "../oracle/tshark.js";
import { bleDir, pcapFrames } from "./btle-frames.js";
import { RecordingContext } from "./mqtt-corpus.js";

/** Dissects one LINKTYPE 256 frame; returns the context (layers and problems). */
function run(b: Uint8Array, ctx = new RecordingContext(), rep = b.length): RecordingContext {
  (ctx as { linktype: number }).linktype = 256;
  ctx.dissect(btleRf, b, 0, b.length, rep);
  return ctx;
}
/** All values of a field in the recorded layer of `d`. */
function values(ctx: RecordingContext, d: Dissector, abbrev: string): FieldValue[] {
  const l = ctx.layers.find((x) => x.d === d && x.frame === ctx.frame);
  if (!l) return [];
  const f = d.fields.find((x) => x.abbrev === abbrev)!;
  const out: FieldValue[] = [];
  if (f.get) { const v = f.get(l.b, l.o, l.end, l.rep, l.aux); if (v !== undefined) out.push(v); } else f.each!(l.b, l.o, l.end, l.rep, l.aux, (v) => out.push(v));
  return out;
}
const one = (ctx: RecordingContext, d: Dissector, a: string) => values(ctx, d, a)[0];

function frames(t: { skip(m?: string): void }, name: string): Uint8Array[] | null {
  if (!requireTool(t, "corpus")) return null;
  return pcapFrames(path.join(bleDir()!, name));
}

test("ADV_IND with flags, 16-bit UUIDs, name and manufacturer data (sniffle frame 1)", (t) => {
  // tshark: frame 1 of ble-ll-phdr-sniffle-adv.pcap, "ADV_IND", Device Name 8eyvpVmq, AwoX data, CRC 0x0bd8cc
  const f = frames(t, "ble-ll-phdr-sniffle-adv.pcap");
  if (!f) return;
  const ctx = run(f[0]);
  assert.deepEqual(ctx.problems, []);
  assert.deepEqual(ctx.layers.map((l) => l.d.proto), ["btle_rf", "btle", "btcommon"]);
  assert.equal(one(ctx, btle, "btle.access_address"), 0x8e89bed6);
  assert.equal(one(ctx, btle, "btle.advertising_header.pdu_type"), 0);
  assert.equal(one(ctx, btle, "btle.crc"), 0x0bd8cc);
  assert.deepEqual(values(ctx, btcommonAd, "btcommon.eir_ad.entry.type"), [0x01, 0x02, 0x09, 0xff]);
  assert.deepEqual(values(ctx, btcommonAd, "btcommon.eir_ad.entry.uuid_16"), [0x1800]);
  assert.deepEqual(values(ctx, btcommonAd, "btcommon.eir_ad.entry.device_name"), ["8eyvpVmq"]);
  assert.deepEqual(values(ctx, btcommonAd, "btcommon.eir_ad.entry.company_id"), [0x0160]);
  assert.deepEqual(values(ctx, btcommonAd, "btcommon.eir_ad.entry.flags.bredr_not_supported"), [1]);
  assert.deepEqual(values(ctx, btcommonAd, "btcommon.eir_ad.entry.flags.le_limited_discoverable_mode"), [1]);
});

test("iBeacon in Apple manufacturer data decodes UUID, major, minor, measured power", (t) => {
  const f = frames(t, "ble-ll-phdr-sniffle-adv.pcap");
  if (!f) return;
  const i = f.findIndex((b) => b.length > 30 && b[27] === 0x4c && b[29] === 0x02 && b[30] === 0x15);
  assert.ok(i >= 0, "an iBeacon frame in the sniffle capture");
  const ctx = run(f[i]);
  const uuid = values(ctx, btcommonAd, "bluetooth.apple.ibeacon.uuid128")[0] as Uint8Array;
  assert.equal(Buffer.from(uuid).toString("hex"), "432f53496e8d4806957ad3f9735ac71b");
  assert.deepEqual(values(ctx, btcommonAd, "bluetooth.apple.ibeacon.major"), [0x0160]);
  assert.deepEqual(values(ctx, btcommonAd, "bluetooth.apple.ibeacon.minor"), [0x1054]);
  assert.deepEqual(values(ctx, btcommonAd, "bluetooth.apple.ibeacon.measured_power"), [-70]);
});

test("CONNECT_IND opens a connection: later data PDUs on its access address carry master/slave", (t) => {
  const f = frames(t, "ble-ll-phdr-pairing-att-smp.pcap");
  if (!f) return;
  btle.reset!();
  const ctx = new RecordingContext();
  let connectAt = -1, dataAt = -1;
  f.forEach((b, i) => {
    ctx.frame = i;
    run(b, ctx);
    if (connectAt < 0 && one(ctx, btle, "btle.advertising_header.pdu_type") === 5) connectAt = i;
    if (connectAt >= 0 && dataAt < 0 && one(ctx, btle, "btle.data_header.llid") !== undefined) dataAt = i;
  });
  if (connectAt < 0) { t.skip("no CONNECT_IND in this capture (the sniffer joined an existing connection)"); return; }
  assert.ok(dataAt > connectAt);
  // Replay up to the data PDU: it names the CONNECT_IND's initiator as master and its advertiser as slave.
  btle.reset!();
  const c2 = new RecordingContext();
  let init: FieldValue, adv: FieldValue;
  for (let i = 0; i <= dataAt; i++) {
    c2.frame = i;
    run(f[i], c2);
    if (i === connectAt) { init = one(c2, btle, "btle.initiator_address"); adv = one(c2, btle, "btle.advertising_address"); }
  }
  assert.equal(one(c2, btle, "btle.master_bd_addr"), init);
  assert.equal(one(c2, btle, "btle.slave_bd_addr"), adv);
  assert.equal(one(c2, btle, "btle.connection_parameters_in"), connectAt + 1);
});

test("truncated packets: layer kept, frame flagged, getters return undefined", (t) => {
  const f = frames(t, "ble-ll-phdr-sniffle-adv.pcap");
  if (!f) return;
  for (const cut of [0, 5, 9, 12, 15, 20, 25]) {
    // A capture cut short: fewer bytes captured than were on the air.
    const ctx = run(f[0].slice(0, cut), new RecordingContext(), f[0].length);
    assert.ok(ctx.layers.length >= 1, `cut ${cut}`);
    if (cut < 22) assert.ok(ctx.problems.length >= 1, `cut ${cut} flagged`);
    if (cut < 16) assert.equal(one(ctx, btle, "btle.advertising_header"), undefined);
    assert.equal(one(ctx, btle, "btle.crc"), undefined, `cut ${cut}: the CRC was not captured`);
  }
});

test("AD length field too large is flagged malformed; too small (0) ends the list as unused", (t) => {
  const f = frames(t, "ble-ll-phdr-sniffle-adv.pcap");
  if (!f) return;
  const big = f[0].slice();
  big[22] = 0xf0; // first AD structure's length
  const ctx = run(big);
  assert.ok(ctx.problems.some((p) => p.proto === "btcommon"));
  const zero = f[0].slice();
  zero[22] = 0;
  const z = run(zero);
  assert.deepEqual(values(z, btcommonAd, "btcommon.eir_ad.unused"), [1]);
  assert.deepEqual(values(z, btcommonAd, "btcommon.eir_ad.entry"), []);
});

test("unknown advertising PDU type decodes to its number", (t) => {
  const f = frames(t, "ble-ll-phdr-sniffle-adv.pcap");
  if (!f) return;
  const b = f[0].slice();
  b[14] = (b[14] & 0xf0) | 0x0f;
  const ctx = run(b);
  assert.equal(one(ctx, btle, "btle.advertising_header.pdu_type"), 0x0f);
  assert.equal(one(ctx, btle, "btle.advertising_address"), undefined);
});

test("ATT error response shows the opcode bits of both opcodes (as tshark does)", (t) => {
  const f = frames(t, "ble-ll-phdr-pairing-att-smp.pcap");
  if (!f) return;
  const ctx = new RecordingContext();
  const i = f.findIndex((b) => { ctx.frame++; run(b, ctx); return one(ctx, btatt, "btatt.opcode") === 0x01; });
  assert.ok(i >= 0);
  assert.equal(values(ctx, btatt, "btatt.opcode.method").length, 2);
  assert.equal(values(ctx, btatt, "btatt.error_code").length, 1);
});

