// Modbus command baseline and write alerts: which (source, unit, function code) sent what, at which addresses, in a
// baseline window; then every write (FC 5, 6, 15, 16, 22, 23) in a later window from a source, unit or function
// code outside it, or at an address the baseline never wrote, is an offence. Offences of the same (source, unit,
// function code) less than `window` seconds apart are one alert: one burst, one alert, not hundreds.

import * as aq from "arquero";
import type { ColumnTable } from "../table/to-arquero.js";
import { columnArray, keyPart, numberArray } from "./groups.js";

/** Modbus function codes that change the device (write coils/registers, mask write, read/write multiple). */
export const MODBUS_WRITE_FCS: ReadonlySet<number> = new Set([5, 6, 15, 16, 22, 23]);

export const MODBUS_FC_NAMES: Record<number, string> = {
  1: "Read Coils", 2: "Read Discrete Inputs", 3: "Read Holding Registers", 4: "Read Input Registers",
  5: "Write Single Coil", 6: "Write Single Register", 8: "Diagnostics", 15: "Write Multiple Coils",
  16: "Write Multiple Registers", 22: "Mask Write Register", 23: "Read Write Register", 43: "Read Device Identification",
};

export interface ModbusColumns {
  src?: string;
  unit?: string;
  fc?: string;
  ref?: string;
  time?: string;
}

function cols(o: ModbusColumns) {
  return { src: o.src ?? "ip.src", unit: o.unit ?? "mbtcp.unit_id", fc: o.fc ?? "modbus.func_code",
    ref: o.ref ?? "modbus.reference_num", time: o.time ?? "frame.time_epoch" };
}

/**
 * The command baseline of Modbus requests (pass requests only, e.g. cap.filter("modbus && tcp.dstport == 502")):
 * one row per (source, unit, function code) with count, first/last seen and the sorted distinct addresses.
 */
export function modbusBaseline(requests: ColumnTable, options: ModbusColumns = {}): ColumnTable {
  const c = cols(options);
  const src = columnArray(requests, c.src), unit = numberArray(requests, c.unit), fc = numberArray(requests, c.fc);
  const ref = numberArray(requests, c.ref), ts = numberArray(requests, c.time);
  const groups = new Map<string, { src: unknown; unit: number; fc: number; count: number; first: number; last: number; refs: Set<number> }>();
  for (let i = 0; i < src.length; i++) {
    if (Number.isNaN(fc[i])) continue;
    const k = `${keyPart(src[i])}|${unit[i]}|${fc[i]}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { src: src[i], unit: unit[i], fc: fc[i], count: 0, first: ts[i], last: ts[i], refs: new Set() }));
    g.count++;
    g.first = Math.min(g.first, ts[i]);
    g.last = Math.max(g.last, ts[i]);
    if (!Number.isNaN(ref[i])) g.refs.add(ref[i]);
  }
  const rows = [...groups.values()].map((g) => ({ [c.src]: g.src, [c.unit]: g.unit, [c.fc]: g.fc,
    function: MODBUS_FC_NAMES[g.fc] ?? `FC ${g.fc}`, count: g.count, first: g.first, last: g.last,
    addresses: [...g.refs].sort((a, b) => a - b) }));
  return aq.from(rows, [c.src, c.unit, c.fc, "function", "count", "first", "last", "addresses"]);
}

export interface AlertOptions extends ModbusColumns {
  /** Offences of one (source, unit, FC) closer than this many seconds are one alert; default 60. */
  window?: number;
}

interface Alert {
  src: unknown; unit: number; fc: number; reason: string; first: number; last: number; count: number;
  addresses: Set<number>; frames: number[];
}

/**
 * Write alerts for the requests of `later` against a modbusBaseline() table: one row per burst with source, unit,
 * function code and name, reason ("new source", "new function code for this source", "address outside baseline"),
 * first/last time, count, the addresses written and the frame numbers.
 */
export function modbusWriteAlerts(base: ColumnTable, later: ColumnTable, options: AlertOptions = {}): ColumnTable {
  const c = cols(options), window = options.window ?? 60;
  const known = new Map<string, Set<number>>(), sources = new Set<string>();
  for (const r of base.objects() as Record<string, unknown>[]) {
    sources.add(keyPart(r[c.src]));
    known.set(`${keyPart(r[c.src])}|${r[c.unit]}|${r[c.fc]}`, new Set(r.addresses as number[]));
  }
  const src = columnArray(later, c.src), unit = numberArray(later, c.unit), fc = numberArray(later, c.fc);
  const ref = numberArray(later, c.ref), ts = numberArray(later, c.time);
  const frames = later.columnNames().includes("frame.number") ? numberArray(later, "frame.number") : ts.map(() => NaN);
  const order = ts.map((_, i) => i).sort((a, b) => ts[a] - ts[b]);
  const open = new Map<string, Alert>(), alerts: Alert[] = [];
  for (const i of order) {
    if (!MODBUS_WRITE_FCS.has(fc[i])) continue;
    const s = keyPart(src[i]), k = `${s}|${unit[i]}|${fc[i]}`, refs = known.get(k);
    const reason = !sources.has(s) ? "new source" : !refs ? "new function code for this source"
      : !Number.isNaN(ref[i]) && !refs.has(ref[i]) ? "address outside baseline" : undefined;
    if (!reason) continue;
    let a = open.get(k);
    if (!a || ts[i] - a.last > window) {
      a = { src: src[i], unit: unit[i], fc: fc[i], reason, first: ts[i], last: ts[i], count: 0, addresses: new Set(), frames: [] };
      open.set(k, a);
      alerts.push(a);
    }
    a.last = ts[i];
    a.count++;
    if (!Number.isNaN(ref[i])) a.addresses.add(ref[i]);
    a.frames.push(frames[i]);
  }
  const rows = alerts.map((a) => ({ [c.src]: a.src, [c.unit]: a.unit, [c.fc]: a.fc, function: MODBUS_FC_NAMES[a.fc] ?? `FC ${a.fc}`,
    reason: a.reason, first: a.first, last: a.last, count: a.count, addresses: [...a.addresses].sort((x, y) => x - y), frames: a.frames }));
  return aq.from(rows, [c.src, c.unit, c.fc, "function", "reason", "first", "last", "count", "addresses", "frames"]);
}

/** Suricata rules (suricata 6+ modbus keyword) that alert on what `alerts` found; sids from `sidBase`. */
export function suricataRules(alerts: ColumnTable, options: { sidBase?: number; src?: string; fc?: string; unit?: string } = {}): string {
  const src = options.src ?? "ip.src", fc = options.fc ?? "modbus.func_code", unit = options.unit ?? "mbtcp.unit_id";
  let sid = options.sidBase ?? 9_500_001;
  return (alerts.objects() as Record<string, unknown>[]).map((a) => {
    const addr = String(a[src]).replace(/[^0-9A-Fa-f.:]/g, "") || "any";
    const code = Number(a[fc]), u = Number(a[unit]);
    const msg = `WIREBOOK Modbus ${MODBUS_FC_NAMES[code] ?? `FC ${code}`} (FC ${code}) from unauthorized source ${addr}`;
    return `alert tcp ${addr} any -> any 502 (msg:"${msg}"; flow:to_server,established; modbus: ` +
      (Number.isFinite(u) ? `unit ${u}, ` : "") + `function ${code}; threshold: type limit, track by_src, count 1, seconds 60; ` +
      `classtype:attempted-admin; reference:url,attack.mitre.org/techniques/T0855/; sid:${sid++}; rev:1;)`;
  }).join("\n");
}
