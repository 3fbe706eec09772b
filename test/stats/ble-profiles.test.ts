// BLE advertiser profiles and deviations, on the generated ble-rogue capture and on real corpus captures (checked
// against tshark's own per-frame fields); and the generator itself: deterministic, the committed file, CRC-24 the
// way real devices compute it, and tshark decoding every frame the way Wirebook does, with zero CRC errors.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import * as aq from "arquero";
import { open } from "../../lib/table/capture.js";
import { bleDeviations, bleIntervals, bleProfiles, channelIndex, expectedProfile, PROFILE_COLUMNS } from "../../lib/stats/index.js";
import { bleCrc24, buildCapture, FLEET_SIZE, IBEACON_UUID, ROGUE_ADDRESS, ROGUE_NAME } from "../../scripts/ble-rogue-capture.js";
import { corpusDir, projectRoot, requireTool, tsharkFields } from "../oracle/tshark.js";
import { compareBle } from "../dissectors/btle-compare.js";

const BUNDLED = path.join(projectRoot(), "notebooks", "ble-rogue", "ble-rogue.pcap");
const SNIFFLE = path.join(corpusDir(), "ble", "ble-ll-phdr-sniffle-adv.pcap");
const ENCRYPTED = path.join(corpusDir(), "ble", "ble-ll-phdr-encrypted-connection.pcap");

/** Records of a classic little-endian pcap (the corpus file and ours are). */
function pcapRecords(b: Uint8Array): Uint8Array[] {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength), out: Uint8Array[] = [];
  for (let o = 24; o + 16 <= b.length;) {
    const n = v.getUint32(o + 8, true);
    out.push(b.subarray(o + 16, o + 16 + n));
    o += 16 + n;
  }
  return out;
}

test("the generator is deterministic and the committed capture is its output", async () => {
  const a = buildCapture(), b = buildCapture();
  assert.deepEqual(a, b);
  assert.deepEqual(new Uint8Array(await readFile(BUNDLED)), a, "re-run `node dist/scripts/ble-rogue-capture.js`");
  assert.notDeepEqual(buildCapture(2), a, "the seed matters");
});

test("bleCrc24 reproduces the CRC of every advertising PDU of a real sniffer capture", async (t) => {
  if (!requireTool(t, "corpus")) return;
  const recs = pcapRecords(new Uint8Array(await readFile(SNIFFLE)));
  assert.equal(recs.length, 22);
  for (const r of recs) {
    const pdu = r.subarray(10 + 4, r.length - 3), crc = bleCrc24(pdu);
    assert.deepEqual([...r.subarray(r.length - 3)], [crc & 0xff, (crc >> 8) & 0xff, (crc >> 16) & 0xff]);
  }
});

test("tshark decodes the generated capture as Wirebook does, with zero CRC errors (and sees a broken one)", async (t) => {
  if (!requireTool(t, "tshark")) return;
  const r = await compareBle(BUNDLED);
  assert.equal(r.frames, 2258);
  assert.deepEqual(r.mismatches.slice(0, 5), [], `${r.mismatches.length} mismatches of ${r.compared}`);
  assert.equal(r.excluded.get("ibeacon"), 1146 * 3, "iBeacon UUID/major/minor: tshark 4.0 decodes them only with Decode As");
  const expert = await tsharkFields(BUNDLED, ["_ws.expert.message", "btle.crc"]);
  assert.equal(expert.filter((row) => row[0].includes("Incorrect CRC")).length, 0);
  assert.ok(expert.every((row) => /^0x[0-9a-f]{6}$/.test(row[1])));
  const work = await mkdtemp(path.join(os.tmpdir(), "wirebook-ble-crc-"));
  try {
    const bad = buildCapture();
    bad[24 + 16 + 10 + 8] ^= 1; // a bit of frame 1's AdvA
    await writeFile(path.join(work, "bad.pcap"), bad);
    const rows = await tsharkFields(path.join(work, "bad.pcap"), ["_ws.expert.message"]);
    assert.ok(rows[0][0].includes("Incorrect CRC"), "tshark checks the CRC (the RF header does not claim it checked)");
    assert.ok(!rows[1][0].includes("Incorrect CRC"));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});

test("profiles of the generated capture: six sensors alike, one beacon unlike them", async () => {
  const cap = await open(BUNDLED);
  try {
    const p = bleProfiles(cap);
    assert.deepEqual(p.columnNames(), [...PROFILE_COLUMNS]);
    const rows = p.objects() as Record<string, any>[];
    assert.equal(rows.length, FLEET_SIZE + 1);
    const rogue = rows.find((r) => r.address === ROGUE_ADDRESS)!;
    assert.equal(rogue.names, ROGUE_NAME);
    assert.equal(rogue.random, true);
    assert.equal(rogue.pdu_types, "SCAN_RSP,ADV_SCAN_IND");
    assert.equal(rogue.company_ids, "0x004c");
    assert.equal(rogue.uuids, IBEACON_UUID);
    assert.equal(rogue.layout, "ADV_SCAN_IND[01:2 ff:26] | SCAN_RSP[09:8]");
    assert.ok(Math.abs(rogue.interval_median - 0.105) < 0.005, String(rogue.interval_median));
    for (const r of rows.filter((x) => x !== rogue)) {
      assert.match(r.names, /^TEMP-0[1-6]$/);
      assert.equal(r.random, false);
      assert.equal(r.channels, "37,38,39");
      assert.equal(r.company_ids, "0x0059");
      assert.equal(r.uuids, "0x181a");
      assert.ok(r.layout.startsWith("ADV_IND[01:2 03:3 ff:7 09:8]"), r.layout);
      assert.ok(r.events >= 59 && r.events <= 60, `${r.events} events of 3 PDUs, one a second`);
      assert.ok(Math.abs(r.interval_median - 1.005) < 0.005 && r.interval_mad < 0.005);
      assert.ok(r.rssi_mean < rogue.rssi_mean - 20);
    }
    const e = expectedProfile(p);
    assert.deepEqual(e, { random: false, companyIds: ["0x0059"], uuids: ["0x181a"],
      layouts: ["ADV_IND[01:2 03:3 ff:7 09:8]", "SCAN_RSP[0a:2 16:5]"], interval: e.interval });
    const d = bleDeviations(p).objects() as Record<string, any>[];
    assert.deepEqual(d.map((x) => [x.address, x.kind, x.value]), [
      [ROGUE_ADDRESS, "address type", "random"], [ROGUE_ADDRESS, "company id", "0x004c"], [ROGUE_ADDRESS, "uuid", IBEACON_UUID],
      [ROGUE_ADDRESS, "layout", "ADV_SCAN_IND[01:2 ff:26]"], [ROGUE_ADDRESS, "layout", "SCAN_RSP[09:8]"], [ROGUE_ADDRESS, "interval", "0.105 s"]]);
    const iv = bleIntervals(cap);
    assert.equal(iv.numRows(), rows.reduce((n, r) => n + r.events - 1, 0));
  } finally {
    cap.close();
  }
});

test("an allow-list: unknown addresses, company ids and UUIDs, by name", async () => {
  const cap = await open(BUNDLED);
  try {
    const p = bleProfiles(cap);
    const fleet = (p.objects() as Record<string, any>[]).filter((r) => r.address !== ROGUE_ADDRESS).map((r) => r.address);
    const d = bleDeviations(p, { addresses: fleet, companyIds: [0x0059], uuids: ["0x181A"] }).objects() as Record<string, any>[];
    assert.deepEqual(d.map((x) => x.kind), ["address", "company id", "uuid"]);
    assert.ok(d.every((x) => x.address === ROGUE_ADDRESS));
    assert.equal(bleDeviations(p, {}).numRows(), 0, "nothing expected, nothing flagged");
  } finally {
    cap.close();
  }
});

test("profiles of a real Sniffle capture agree with tshark's per-frame fields", async (t) => {
  if (!requireTool(t, "corpus") || !requireTool(t, "tshark")) return;
  const rows = await tsharkFields(SNIFFLE, ["btle.advertising_address", "btle.advertising_header.pdu_type", "btle_rf.signal_dbm",
    "btle_rf.channel", "btcommon.eir_ad.entry.type", "btcommon.eir_ad.entry.company_id", "btle.advertising_header.randomized_tx"]);
  const want = new Map<string, { n: number; rssi: number[]; types: Set<string>; cids: Set<string>; ch: Set<number>; tx: string }>();
  for (const [a, pt, s, ch, ty, cid, tx] of rows) {
    if (!a || pt === "0x03" || pt === "0x05") continue;
    const w = want.get(a) ?? { n: 0, rssi: [], types: new Set(), cids: new Set(), ch: new Set(), tx };
    w.n++; w.rssi.push(Number(s)); w.ch.add(channelIndex(Number(ch)));
    ty.split(",").filter(Boolean).forEach((x) => w.types.add(x.slice(2)));
    cid.split(",").filter(Boolean).forEach((x) => w.cids.add(x));
    want.set(a, w);
  }
  const cap = await open(SNIFFLE);
  try {
    const got = bleProfiles(cap).objects() as Record<string, any>[];
    assert.deepEqual(got.map((g) => g.address), [...want.keys()]);
    for (const g of got) {
      const w = want.get(g.address)!;
      assert.equal(g.count, w.n, g.address);
      assert.equal(g.rssi_mean, w.rssi.reduce((a, b) => a + b, 0) / w.n);
      assert.deepEqual(new Set(g.ad_types.split(",")), w.types);
      assert.deepEqual(new Set(g.company_ids ? g.company_ids.split(",") : []), w.cids);
      assert.equal(g.channels, [...w.ch].sort().join(","));
      assert.equal(g.random, w.tx === "True" || w.tx === "1");
    }
    assert.ok(got.every((g) => g.events <= g.count && (g.events < 2 || g.interval_median > 0)));
  } finally {
    cap.close();
  }
});

test("edge cases: no advertising at all, an empty table, a table with only the required columns", async (t) => {
  assert.deepEqual(bleProfiles(aq.table({ "frame.time_epoch": [], "btle.advertising_address": [], "btle.advertising_header.pdu_type": [] })).columnNames(), [...PROFILE_COLUMNS]);
  assert.equal(bleDeviations(bleProfiles(aq.table({ "frame.time_epoch": [], "btle.advertising_address": [], "btle.advertising_header.pdu_type": [] }))).numRows(), 0);
  const bare = bleProfiles(aq.table({ "frame.time_epoch": [1, 1.001, 2, 2.001, 3, 3.2], "btle.advertising_address": ["a", "a", "a", "a", "a", null],
    "btle.advertising_header.pdu_type": [0, 0, 0, 3, 0, 0] })).objects() as Record<string, any>[];
  assert.equal(bare.length, 1, "SCAN_REQ (3) rows and rows without AdvA are not the advertiser's");
  assert.equal(bare[0].count, 4);
  assert.equal(bare[0].events, 3);
  assert.equal(bare[0].interval_median, 1);
  assert.equal(bare[0].layout, "ADV_IND[]");
  assert.ok(Number.isNaN(bare[0].rssi_mean));
  assert.equal(expectedProfile(aq.table({})).random, undefined);
  if (!requireTool(t, "corpus")) return;
  const cap = await open(ENCRYPTED);
  try {
    assert.equal(bleProfiles(cap).numRows(), 0, "a connection-only capture has no advertiser");
  } finally {
    cap.close();
  }
});
