// BLE advertiser profiles: per advertising address, what it sends (PDU types, AD structure layout, company ids,
// service UUIDs), how often (advertising interval between events, an event being one hop over 37/38/39), where
// (channels) and how loud (RSSI); and the deviations of each address from an expected device profile (the fleet's
// majority or an allow-list). Core Vol 6 Part B §2.3 (advertising PDUs), §4.4.2.2 (advertising events and advDelay);
// Core Supplement Part A (AD types).

import * as aq from "arquero";
import type { Capture } from "../table/capture.js";
import type { ColumnTable } from "../table/to-arquero.js";
import { ADV_PDU_TYPES } from "../dissectors/btle.js";
import { madSorted, mean, quantileSorted, sortedFinite, stdev } from "./describe.js";
import { columnArray, groupRows, toNumber } from "./groups.js";

/** The fields bleProfiles reads from a capture (one row per advertising PDU). */
export const BLE_ADV_FIELDS = [
  "frame.time_epoch", "btle_rf.channel", "btle_rf.signal_dbm", "btle.advertising_address",
  "btle.advertising_header.pdu_type", "btle.advertising_header.randomized_tx", "btle.length",
  "btcommon.eir_ad.entry.type", "btcommon.eir_ad.entry.length", "btcommon.eir_ad.entry.company_id",
  "btcommon.eir_ad.entry.uuid_16", "btcommon.eir_ad.entry.uuid_128", "btcommon.eir_ad.entry.device_name",
  "bluetooth.apple.ibeacon.uuid128",
] as const;

/** PDU types sent by the advertiser itself (SCAN_REQ and CONNECT_IND carry the *target's* AdvA; excluded). */
const OWN_PDUS = new Set([0x0, 0x1, 0x2, 0x4, 0x6, 0x7]);
/** PDU types that open an advertising event (SCAN_RSP answers inside one). */
const EVENT_PDUS = new Set([0x0, 0x1, 0x2, 0x6, 0x7]);

export interface BleProfileOptions {
  /** PDUs of one address closer than this (s) are one advertising event (the 37/38/39 hop); default 0.01. */
  eventGap?: number;
  /** A display filter selecting the frames to profile (capture input only); default "btle.advertising_header". */
  filter?: string;
}

/** "0x004c": a 16-bit value as tshark prints a hex uint16. */
export const hex16 = (v: number): string => `0x${v.toString(16).padStart(4, "0")}`;
const hex8 = (v: number): string => v.toString(16).padStart(2, "0");

/** The advertising channel index (37, 38, 39, or 0–36) of an RF channel number (btle_rf.channel, 0–39). */
export function channelIndex(rf: number): number {
  if (rf === 0) return 37;
  if (rf === 12) return 38;
  if (rf === 39) return 39;
  return rf < 12 ? rf - 1 : rf - 2;
}

/** A possibly repeated cell as a list: null/NaN → [], a scalar → [it]. */
function list(v: unknown): unknown[] {
  if (v === null || v === undefined || (typeof v === "number" && Number.isNaN(v))) return [];
  return Array.isArray(v) ? v : [v];
}

function uuidText(v: unknown): string {
  if (typeof v === "number") return hex16(v);
  if (v instanceof Uint8Array && v.length === 16) {
    const h = Buffer.from(v).toString("hex");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  return v instanceof Uint8Array ? Buffer.from(v).toString("hex") : String(v);
}

/** The layout of one PDU: its type name and its AD structures as type:length, e.g. "ADV_IND[01:2 03:3 ff:8 09:8]". */
function pduLayout(type: number, adTypes: unknown[], adLengths: unknown[]): string {
  const name = (ADV_PDU_TYPES as Record<number, string>)[type] ?? `PDU_${type}`;
  return `${name}[${adTypes.map((t, k) => `${hex8(toNumber(t))}:${toNumber(adLengths[k])}`).join(" ")}]`;
}

const col = (t: ColumnTable, name: string, n: number): unknown[] =>
  t.columnNames().includes(name) ? columnArray(t, name) : new Array(n).fill(null);
const uniq = <T>(xs: Iterable<T>): T[] => [...new Set(xs)];

/** The advertising PDUs of a capture as a table with BLE_ADV_FIELDS (those the dissectors know). */
export function bleAdvertisements(cap: Capture, filter = "btle.advertising_header"): ColumnTable {
  return cap.filter(filter).select(...BLE_ADV_FIELDS);
}

/**
 * One row per advertising address (in order of first appearance): random (TxAdd), names, count, pdu_types,
 * channels (advertising channel indexes), first/last (epoch s), events, interval_median and interval_mad (s, between
 * advertising events), rssi_mean/rssi_sd/rssi_min/rssi_max (dBm), ad_types, company_ids, uuids and layout (the
 * distinct per-PDU AD layouts, " | "-separated). Lists are comma-separated text. Reads a Capture or a table with
 * BLE_ADV_FIELDS columns (only time, address and pdu_type are required); never modifies its input.
 */
export function bleProfiles(src: Capture | ColumnTable, opts: BleProfileOptions = {}): ColumnTable {
  const t = isCapture(src) ? bleAdvertisements(src, opts.filter) : src;
  const n = t.numRows(), gap = opts.eventGap ?? 0.01;
  const time = columnArray(t, "frame.time_epoch").map(toNumber);
  const type = columnArray(t, "btle.advertising_header.pdu_type").map(toNumber);
  const addr = columnArray(t, "btle.advertising_address");
  const c = (f: string) => col(t, f, n);
  const [chan, rssi, tx, adT, adL, cid, u16, u128, name, beacon] = ["btle_rf.channel", "btle_rf.signal_dbm",
    "btle.advertising_header.randomized_tx", "btcommon.eir_ad.entry.type", "btcommon.eir_ad.entry.length",
    "btcommon.eir_ad.entry.company_id", "btcommon.eir_ad.entry.uuid_16", "btcommon.eir_ad.entry.uuid_128",
    "btcommon.eir_ad.entry.device_name", "bluetooth.apple.ibeacon.uuid128"].map(c);
  const keep = Array.from({ length: n }, (_, i) => (addr[i] != null && OWN_PDUS.has(type[i]) ? addr[i] : null));
  const rows: Record<string, unknown>[] = [];
  for (const g of groupRows(aq.table({ a: keep }), ["a"])) {
    if (g.values[0] == null) continue;
    const r = g.rows;
    const starts = eventStarts(r.filter((i) => EVENT_PDUS.has(type[i])).map((i) => time[i]), gap);
    const iat = sortedFinite(starts.slice(1).map((s, k) => s - starts[k]));
    const sig = r.map((i) => toNumber(rssi[i])).filter(Number.isFinite);
    rows.push({
      address: String(g.values[0]),
      random: r.some((i) => toNumber(tx[i]) === 1),
      names: uniq(r.flatMap((i) => list(name[i]).map(String))).join(","),
      count: r.length,
      pdu_types: uniq(r.map((i) => type[i])).sort((a, b) => a - b).map((p) => (ADV_PDU_TYPES as Record<number, string>)[p] ?? String(p)).join(","),
      channels: uniq(r.map((i) => toNumber(chan[i])).filter(Number.isFinite).map(channelIndex)).sort((a, b) => a - b).join(","),
      first: Math.min(...r.map((i) => time[i])),
      last: Math.max(...r.map((i) => time[i])),
      events: starts.length,
      interval_median: quantileSorted(iat, 0.5),
      interval_mad: madSorted(iat),
      rssi_mean: mean(sig), rssi_sd: stdev(sig),
      rssi_min: sig.length ? Math.min(...sig) : NaN, rssi_max: sig.length ? Math.max(...sig) : NaN,
      ad_types: uniq(r.flatMap((i) => list(adT[i]).map((x) => hex8(toNumber(x))))).join(","),
      company_ids: uniq(r.flatMap((i) => list(cid[i]).map((x) => hex16(toNumber(x))))).join(","),
      uuids: uniq(r.flatMap((i) => [...list(u16[i]), ...list(u128[i]), ...list(beacon[i])].map(uuidText))).join(","),
      layout: uniq(r.map((i) => pduLayout(type[i], list(adT[i]), list(adL[i])))).sort().join(" | "),
    });
  }
  return rows.length ? aq.from(rows) : aq.table(Object.fromEntries(PROFILE_COLUMNS.map((k) => [k, []])));
}

/** The columns of a bleProfiles table, in order. */
export const PROFILE_COLUMNS = ["address", "random", "names", "count", "pdu_types", "channels", "first", "last", "events",
  "interval_median", "interval_mad", "rssi_mean", "rssi_sd", "rssi_min", "rssi_max", "ad_types", "company_ids", "uuids",
  "layout"] as const;

/**
 * One row per advertising event after an address's first: address, frame.time_epoch (the event's start) and
 * interval (s since the previous event of that address) — the data behind interval_median, for charts.
 */
export function bleIntervals(src: Capture | ColumnTable, opts: BleProfileOptions = {}): ColumnTable {
  const t = isCapture(src) ? bleAdvertisements(src, opts.filter) : src;
  const time = columnArray(t, "frame.time_epoch").map(toNumber);
  const type = columnArray(t, "btle.advertising_header.pdu_type").map(toNumber);
  const addr = columnArray(t, "btle.advertising_address");
  const out: Record<string, unknown[]> = { address: [], "frame.time_epoch": [], interval: [] };
  const keep = addr.map((a, i) => (a != null && EVENT_PDUS.has(type[i]) ? a : null));
  for (const g of groupRows(aq.table({ a: keep }), ["a"])) {
    if (g.values[0] == null) continue;
    const starts = eventStarts(g.rows.map((i) => time[i]), opts.eventGap ?? 0.01);
    for (let k = 1; k < starts.length; k++) {
      out.address.push(String(g.values[0])); out["frame.time_epoch"].push(starts[k]); out.interval.push(starts[k] - starts[k - 1]);
    }
  }
  return aq.table(out);
}

function isCapture(x: Capture | ColumnTable): x is Capture {
  // "sha256" in x, not its value: reading the digest would wait for the background hash (or throw after close).
  return typeof (x as Capture).messages === "function" && "sha256" in x;
}

/** Start times of advertising events: sorted times split wherever the gap exceeds `gap`. */
function eventStarts(times: number[], gap: number): number[] {
  const s = sortedFinite(times), out: number[] = [];
  for (let k = 0; k < s.length; k++) if (k === 0 || s[k] - s[k - 1] > gap) out.push(s[k]);
  return out;
}

/** What a device of the fleet looks like. Absent members are not checked. */
export interface ExpectedProfile {
  /** Allow-list of advertising addresses. */
  addresses?: string[];
  /** Whether the devices use random (true) or public (false) addresses. */
  random?: boolean;
  /** Allowed company ids, as numbers or "0x0059". */
  companyIds?: (number | string)[];
  /** Allowed service UUIDs as bleProfiles prints them ("0x181a", or 8-4-4-4-12 text). */
  uuids?: string[];
  /** Allowed per-PDU layouts ("ADV_IND[01:2 03:3 ff:8 09:8]"). */
  layouts?: string[];
  /** The expected median advertising interval (s). */
  interval?: number;
}

const split = (s: unknown, sep = ","): string[] => (typeof s === "string" && s !== "" ? s.split(sep) : []);

/**
 * The fleet majority as an ExpectedProfile: the members are the addresses sharing the most common layout; their
 * company ids, UUIDs and layouts are allowed, their majority address type and median interval expected.
 */
export function expectedProfile(profiles: ColumnTable): ExpectedProfile {
  const ps = profiles.objects() as Record<string, unknown>[];
  if (!ps.length) return {};
  const byLayout = new Map<string, Record<string, unknown>[]>();
  for (const p of ps) byLayout.set(String(p.layout), [...(byLayout.get(String(p.layout)) ?? []), p]);
  const members = [...byLayout.values()].sort((a, b) => b.length - a.length)[0];
  const intervals = sortedFinite(members.map((p) => toNumber(p.interval_median)));
  return {
    random: members.filter((p) => p.random).length * 2 > members.length,
    companyIds: uniq(members.flatMap((p) => split(p.company_ids))),
    uuids: uniq(members.flatMap((p) => split(p.uuids))),
    layouts: uniq(members.flatMap((p) => split(p.layout, " | "))),
    interval: intervals.length ? quantileSorted(intervals, 0.5) : undefined,
  };
}

export interface DeviationOptions {
  /** An interval more than this factor away from the expected one (either way) deviates; default 2. */
  intervalFactor?: number;
}

/**
 * One row per (address, kind, value) departing from `expected` (default: the fleet majority, expectedProfile):
 * address, names, kind ("address", "address type", "company id", "uuid", "layout", "interval"), value, expected.
 * Addresses in profile order. Never throws on empty input.
 */
export function bleDeviations(profiles: ColumnTable, expected: ExpectedProfile | "majority" = "majority", opts: DeviationOptions = {}): ColumnTable {
  const e = expected === "majority" ? expectedProfile(profiles) : expected;
  const factor = opts.intervalFactor ?? 2;
  const cids = e.companyIds?.map((c) => (typeof c === "number" ? hex16(c) : c.toLowerCase()));
  const out: Record<string, unknown[]> = { address: [], names: [], kind: [], value: [], expected: [] };
  const add = (p: Record<string, unknown>, kind: string, value: string, exp: string) => {
    out.address.push(p.address); out.names.push(p.names); out.kind.push(kind); out.value.push(value); out.expected.push(exp);
  };
  const outside = (p: Record<string, unknown>, kind: string, values: string[], allowed: string[] | undefined) => {
    if (allowed) for (const v of values) if (!allowed.includes(v)) add(p, kind, v, allowed.join(", ") || "(none)");
  };
  for (const p of profiles.objects() as Record<string, unknown>[]) {
    if (e.addresses && !e.addresses.map((a) => a.toLowerCase()).includes(String(p.address))) add(p, "address", String(p.address), "allow-list");
    if (e.random !== undefined && Boolean(p.random) !== e.random) add(p, "address type", p.random ? "random" : "public", e.random ? "random" : "public");
    outside(p, "company id", split(p.company_ids), cids);
    outside(p, "uuid", split(p.uuids), e.uuids?.map((u) => u.toLowerCase()));
    outside(p, "layout", split(p.layout, " | "), e.layouts);
    const iv = toNumber(p.interval_median);
    if (e.interval && Number.isFinite(iv) && (iv > e.interval * factor || iv * factor < e.interval)) {
      add(p, "interval", `${iv.toFixed(3)} s`, `${e.interval.toFixed(3)} s`);
    }
  }
  return aq.table(out);
}
