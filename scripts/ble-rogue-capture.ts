// The ble-rogue notebook's evidence: a deterministic, documented BLE advertising capture (no radio needed).
// `node dist/scripts/ble-rogue-capture.js [OUT.pcap]` (default notebooks/ble-rogue/ble-rogue.pcap) writes a classic
// pcap, LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR (256), of what a three-radio sniffer on channels 37/38/39 would record:
//   - six temperature sensors "TEMP-01".."TEMP-06" (public addresses, Nordic OUI), ADV_IND every 1 s + advDelay
//     (0–10 ms, Core Vol 6 Part B §4.4.2.2.1) on 37, 38, 39: Flags, 16-bit UUID 0x181A (Environmental Sensing),
//     Nordic (0x0059) manufacturer data carrying the temperature, and the complete local name;
//   - a phone that active-scans every 5 s: SCAN_REQ to each advertiser on channel 37, answered by a SCAN_RSP
//     (TX power level + 0x181A service data with the temperature);
//   - from t = 20 s, one sensor reprogrammed as a beacon: a random static address, ADV_SCAN_IND every 100 ms with
//     Flags + Apple (0x004C) iBeacon manufacturer data, the name "TEMP-07" in its SCAN_RSP, and a far stronger signal.
// Each packet: the 10-byte RF pseudo-header (https://www.tcpdump.org/linktypes/LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR.html),
// access address 0x8E89BED6, the advertising PDU header and payload, and a correct CRC-24 (Core Vol 6 Part B §3.1.1).

import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

/** Advertising PDU types used here (Core Vol 6 Part B §2.3). */
const ADV_IND = 0x0, SCAN_REQ = 0x3, SCAN_RSP = 0x4, ADV_SCAN_IND = 0x6;
const ACCESS_ADDRESS = 0x8e89bed6;
/** CRC init of the advertising channels, and the CRC polynomial x^24+x^10+x^9+x^6+x^4+x^3+x+1 reflected. */
const CRC_INIT_ADV = 0x555555, CRC_POLY_REFLECTED = 0xda6000;
const LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR = 256;
/** RF header flags: dewhitened, signal valid, noise valid (LE 1M, advertising). "CRC checked" stays clear so that
 * Wireshark verifies the CRC itself instead of trusting the sniffer. */
const RF_FLAGS = 0x0001 | 0x0002 | 0x0004;
/** RF channel numbers (btle_rf.channel) of the advertising channels 37, 38, 39. */
const RF_CHANNEL: Record<number, number> = { 37: 0, 38: 12, 39: 39 };
const NOISE_DBM = -95;

export const FLEET_SIZE = 6;
export const ROGUE_ADDRESS = "d7:4c:0f:be:ac:07";
export const ROGUE_NAME = "TEMP-07";
export const IBEACON_UUID = "e2c56db5-dffb-48d2-b060-d0f5a71096e0";
export const CAPTURE_START = 1717236000; // 2024-06-01T10:00:00Z
export const DURATION = 60, ROGUE_FROM = 20;

/** BLE CRC-24 over a PDU (header + payload), as the 24-bit LFSR state; the 3 CRC bytes are its bytes LSB first. */
export function bleCrc24(pdu: Uint8Array, init = CRC_INIT_ADV): number {
  let state = reverse24(init);
  for (const byte of pdu) {
    for (let bit = 0; bit < 8; bit++) {
      const feedback = (state ^ (byte >> bit)) & 1;
      state >>>= 1;
      if (feedback) state ^= CRC_POLY_REFLECTED;
    }
  }
  return state;
}

function reverse24(v: number): number {
  let r = 0;
  for (let i = 0; i < 24; i++) r |= ((v >> i) & 1) << (23 - i);
  return r;
}

/** A small deterministic PRNG (mulberry32), so the same seed writes the same file. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A BD_ADDR "aa:bb:…" in air order (least significant byte first). */
function addrBytes(addr: string): number[] {
  return addr.split(":").map((h) => parseInt(h, 16)).reverse();
}

/** One AD structure: length, type, data (Core Vol 3 Part C §11). */
const ad = (type: number, data: number[]): number[] => [data.length + 1, type, ...data];
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
const le16 = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff];

interface Device { address: string; random: boolean; name: string; rssi: number; temp: number }

/** Sensor ADV_IND data: Flags, UUID16 0x181A, Nordic manufacturer data (version, temperature ×100, battery), name. */
function sensorAdv(d: Device, temp: number): number[] {
  return [...ad(0x01, [0x06]), ...ad(0x03, le16(0x181a)),
    ...ad(0xff, [...le16(0x0059), 0x01, ...le16(Math.round(temp * 100) & 0xffff), 0x5a]), ...ad(0x09, ascii(d.name))];
}
/** Sensor SCAN_RSP data: TX power level, Environmental Sensing service data (temperature ×100). */
function sensorScanRsp(temp: number): number[] {
  return [...ad(0x0a, [0x00]), ...ad(0x16, [...le16(0x181a), ...le16(Math.round(temp * 100) & 0xffff)])];
}
/** The beacon's ADV_SCAN_IND data: Flags and an Apple iBeacon (type 0x02, length 0x15, UUID, major, minor, power). */
function beaconAdv(): number[] {
  const uuid = IBEACON_UUID.replace(/-/g, "").match(/../g)!.map((h) => parseInt(h, 16));
  return [...ad(0x01, [0x06]), ...ad(0xff, [...le16(0x004c), 0x02, 0x15, ...uuid, 0x00, 0x01, 0x00, 0x07, 0xc5])];
}
/** The beacon's SCAN_RSP: just the fleet-like name. */
const beaconScanRsp = (): number[] => ad(0x09, ascii(ROGUE_NAME));

/** The link-layer packet: access address, header (type, TxAdd, RxAdd, length), payload, CRC. */
function llPacket(type: number, txRandom: boolean, rxRandom: boolean, payload: number[]): Uint8Array {
  const pdu = Uint8Array.from([type | (txRandom ? 0x40 : 0) | (rxRandom ? 0x80 : 0), payload.length, ...payload]);
  const crc = bleCrc24(pdu);
  const out = new Uint8Array(4 + pdu.length + 3);
  new DataView(out.buffer).setUint32(0, ACCESS_ADDRESS, true);
  out.set(pdu, 4);
  out.set([crc & 0xff, (crc >> 8) & 0xff, (crc >> 16) & 0xff], 4 + pdu.length);
  return out;
}

interface Packet { t: number; channel: number; rssi: number; ll: Uint8Array }

function rfRecord(p: Packet): Uint8Array {
  const out = new Uint8Array(10 + p.ll.length);
  const v = new DataView(out.buffer);
  v.setUint8(0, RF_CHANNEL[p.channel]);
  v.setInt8(1, p.rssi);
  v.setInt8(2, NOISE_DBM);
  v.setUint8(3, 0);
  v.setUint32(4, ACCESS_ADDRESS, true);
  v.setUint16(8, RF_FLAGS, true);
  out.set(p.ll, 10);
  return out;
}

/** Every packet of the scenario, in time order. Deterministic for a given seed. */
export function scenarioPackets(seed = 1): Packet[] {
  const r = rng(seed), jitter = (s: number) => (r() * 2 - 1) * s;
  const fleet: Device[] = Array.from({ length: FLEET_SIZE }, (_, i) => ({
    address: `f4:ce:36:10:20:${(0x31 + i).toString(16)}`, random: false, name: `TEMP-0${i + 1}`,
    rssi: -82 + 3 * i, temp: 19 + i * 0.7,
  }));
  const rogue: Device = { address: ROGUE_ADDRESS, random: true, name: ROGUE_NAME, rssi: -44, temp: 0 };
  const scanner = "6a:11:22:33:44:55";
  const out: Packet[] = [];
  const event = (d: Device, t: number, type: number, adv: number[], scanRsp: number[] | null) => {
    const rssi = () => Math.round(d.rssi + jitter(3));
    const payload = [...addrBytes(d.address), ...adv];
    [37, 38, 39].forEach((ch, k) => {
      const tc = t + k * 0.0007;
      out.push({ t: tc, channel: ch, rssi: rssi(), ll: llPacket(type, d.random, false, payload) });
      if (ch === 37 && scanRsp) {
        out.push({ t: tc + 0.00045, channel: ch, rssi: -60 + Math.round(jitter(2)),
          ll: llPacket(SCAN_REQ, true, d.random, [...addrBytes(scanner), ...addrBytes(d.address)]) });
        out.push({ t: tc + 0.0007, channel: ch, rssi: rssi(),
          ll: llPacket(SCAN_RSP, d.random, false, [...addrBytes(d.address), ...scanRsp]) });
      }
    });
  };
  const scanned = (t: number) => t % 5 < 0.12; // the phone scans for ~120 ms every 5 s
  for (const d of fleet) {
    for (let t = r() * 1.0; t < DURATION; t += 1.0 + r() * 0.01) {
      const temp = d.temp + 0.3 * Math.sin(t / 20) + jitter(0.05);
      event(d, t, ADV_IND, sensorAdv(d, temp), scanned(t) ? sensorScanRsp(temp) : null);
    }
  }
  for (let t = ROGUE_FROM + r() * 0.1; t < DURATION; t += 0.1 + r() * 0.01) {
    event(rogue, t, ADV_SCAN_IND, beaconAdv(), scanned(t) ? beaconScanRsp() : null);
  }
  return out.sort((a, b) => a.t - b.t);
}

/** The scenario as a classic little-endian pcap (microsecond timestamps, link type 256). */
export function buildCapture(seed = 1): Uint8Array {
  const records = scenarioPackets(seed).map((p) => ({ us: Math.round((CAPTURE_START + p.t) * 1e6), data: rfRecord(p) }));
  const size = 24 + records.reduce((n, x) => n + 16 + x.data.length, 0);
  const out = new Uint8Array(size), v = new DataView(out.buffer);
  v.setUint32(0, 0xa1b2c3d4, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, 65535, true);
  v.setUint32(20, LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR, true);
  let o = 24;
  for (const x of records) {
    v.setUint32(o, Math.floor(x.us / 1e6), true);
    v.setUint32(o + 4, x.us % 1e6, true);
    v.setUint32(o + 8, x.data.length, true);
    v.setUint32(o + 12, x.data.length, true);
    out.set(x.data, o + 16);
    o += 16 + x.data.length;
  }
  return out;
}

const self = fileURLToPath(import.meta.url);
if (process.argv[1] && path.resolve(process.argv[1]) === self) {
  const root = path.resolve(path.dirname(self), "..", "..");
  const file = process.argv[2] ?? path.join(root, "notebooks", "ble-rogue", "ble-rogue.pcap");
  const bytes = buildCapture(Number(process.env.SEED ?? 1));
  writeFileSync(file, bytes);
  console.log(`${file}: ${bytes.length} bytes`);
}
