// Field values as text, exactly as `tshark -T fields` (Wireshark 4.0.17) prints them, checked against tshark on real
// captures by test/table/tshark-format.test.ts. What 4.0.17 prints, type by type, as measured on the corpus and samples:
//   integers     in the field's base: BASE_DEC "2048"; BASE_HEX (and BASE_HEX_DEC) "0x" + the type's full width
//                (uint8 "0x06", uint16 "0x0800", uint24 "0x000000", uint32 "0x00000000", uint64 16 digits) — the
//                width of the type, not of the mask (ipv6.flow, 20 bits in a uint24, prints "0x0c9309");
//                BASE_DEC_HEX prints decimal only; BASE_OCT "0755"
//   bool         "1" / "0" (4.2 and later print "True" / "False")
//   none         "1" (present); protocol: tshark prints the tree item's label ("Internet Protocol Version 4, Src: …")
//                or, when there is none, the abbrev — we have no tree labels and print the abbrev
//   double       C's "%.15g" ("0.029", "1e-05")
//   ether        "00:1b:44:11:3a:b7"; ipv4 dotted quad; ipv6 RFC 5952 ("fe80::211:25ff:fe82:95b5", "::ffff:1.2.3.4")
//   bytes        lower-case hex without separators (empty: "<none>" with BASE_ALLOW_ZERO, "<MISSING>" without, as the
//                field's emptyText says; SEP_COLON fields put ":" between bytes)
//   string       as is, except that \b \t \n \f \r print as the two characters "\b" "\t" "\n" "\f" "\r"; a
//                backslash, quote, comma or other control character prints raw (samples/strings-escapes.pcap)
//   rel_time     seconds with exactly nine decimals, "-" for negative ("0.000462000", "-1472003999.360380631")
//   abs_time     local time, "Jan 29, 2015 10:39:58.578402281 UTC" (strftime "%b %e, %Y %H:%M:%S" + nine decimals
//                + the zone's abbreviation). Decision: like tshark we print in the process's time zone (TZ); the zone
//                name comes from Intl and matches glibc's for UTC and for zones Intl names ("EDT", "CEST"); for
//                the others we print tzdata's numeric form ("-03", "+0530").
// frame.time, frame.time_epoch, frame.time_relative and frame.time_delta are exact to the nanosecond when the frame
// index is passed (FormatOptions.index): a double holds only ~0.2 µs of a 2020s epoch.

import type { FrameIndex } from "../capture/frame-index.js";
import { formatEpoch } from "../capture/frame-index.js";
import type { Column, Value } from "../decode/column.js";
import type { FieldDef } from "../dissectors/field.js";
import { hexText, ipv4Text, ipv6Text, macText } from "./address-text.js";

/** tshark's -E occurrence: every occurrence, the first, or the last. */
export type Occurrence = "a" | "f" | "l";

export interface FormatOptions {
  /** Which occurrences of a repeated field to print (default "a"). */
  occurrence?: Occurrence;
  /** What joins occurrences (default ","; tshark's -E aggregator). */
  aggregator?: string;
  /** The capture's frame index: makes frame.time* exact to the nanosecond. */
  index?: FrameIndex;
}

const HEX_WIDTH: Partial<Record<FieldDef["type"], number>> = {
  uint8: 2, int8: 2, uint16: 4, int16: 4, uint24: 6, uint32: 8, int32: 8, uint64: 16, int64: 16,
};

/** One occurrence's text as tshark -T fields prints it. Never throws. */
export function formatValue(field: FieldDef, v: Value): string {
  switch (field.type) {
    case "protocol": return field.abbrev;
    case "none": return "1";
    case "bool": return v ? "1" : "0";
    case "uint8": case "uint16": case "uint24": case "uint32": case "uint64":
    case "int8": case "int16": case "int32": case "int64":
      return integerText(field, v as number);
    case "framenum": return intText(v as number);
    case "double": return typeof v === "number" ? g15(v) : String(v);
    case "ether": return typeof v === "number" ? macText(v) : hexText(v as Uint8Array, ":");
    case "ipv4": return typeof v === "number" ? ipv4Text(v) : Array.from(v as Uint8Array).join(".");
    case "ipv6": return v instanceof Uint8Array ? ipv6Text(v) : String(v);
    case "bytes": return v instanceof Uint8Array ? bytesText(field, v) : String(v);
    case "string": return escapeText(String(v));
    case "abs_time": return absTimeText(v as number);
    case "rel_time": return relTimeText(v as number);
  }
}

/** Frame i's occurrences of the column's field, joined by the aggregator; "" when absent. Never throws. */
export function formatFrame(col: Column, i: number, opts: FormatOptions = {}): string {
  const c = col.count(i);
  if (c === 0) return "";
  const exact = opts.index ? EXACT_TIME[col.field.abbrev] : undefined;
  if (exact) return exact(opts.index!, i);
  const occ = opts.occurrence ?? "a";
  if (c === 1 || occ === "f") return formatValue(col.field, col.get(i, 0)!);
  if (occ === "l") return formatValue(col.field, col.get(i, c - 1)!);
  const agg = opts.aggregator ?? ",";
  let s = formatValue(col.field, col.get(i, 0)!);
  for (let k = 1; k < c; k++) s += agg + formatValue(col.field, col.get(i, k)!);
  return s;
}

/**
 * FT_BYTES: lower-case hex. Empty, it prints the field's `emptyText`: "<none>" for a field with BASE_ALLOW_ZERO
 * (icmpv6.opt.padn of a zero-length PadN), "<MISSING>" for one without (an empty mqtt.msg, modbus.data); "<none>"
 * when the definition does not say. A field declared with a separator display (Wireshark's SEP_COLON etc., e.g.
 * icmpv6.opt.linkaddr prints "00:11:25:82:95:b5") puts its `sep` between bytes.
 */
export function bytesText(field: FieldDef, v: Uint8Array): string {
  if (v.length === 0) return field.emptyText ?? "<none>";
  return hexText(v, field.sep ?? "");
}

// ---------------------------------------------------------------- numbers

function intText(v: number): string {
  return Number.isSafeInteger(v) ? String(v) : BigInt(Math.trunc(v)).toString();
}

/** An integer in its field's base. Negative values print in hex as two's complement of the type's width. */
export function integerText(field: FieldDef, v: number): string {
  if (field.base === "hex") {
    const width = HEX_WIDTH[field.type] ?? 8;
    let n = BigInt(Math.trunc(v));
    if (n < 0n) n += 1n << BigInt(width * 4);
    return "0x" + n.toString(16).padStart(width, "0");
  }
  if (field.base === "oct") return v === 0 ? "0" : "0" + BigInt(Math.trunc(v)).toString(8);
  return intText(v);
}

/** C's printf("%.15g", v), which Wireshark uses for FT_DOUBLE. */
export function g15(v: number): string {
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (v === 0) return Object.is(v, -0) ? "-0" : "0";
  const [mant, expText] = v.toExponential(14).split("e");
  const exp = Number(expText);
  if (exp < -4 || exp >= 15) {
    const m = mant.includes(".") ? mant.replace(/\.?0+$/, "") : mant;
    const e = Math.abs(exp);
    return `${m}e${exp < 0 ? "-" : "+"}${e < 10 ? "0" + e : e}`;
  }
  const fixed = v.toFixed(Math.max(0, 14 - exp));
  return fixed.includes(".") ? fixed.replace(/\.?0+$/, "") : fixed;
}

// ---------------------------------------------------------------- strings

const ESCAPES: Record<string, string> = { "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r" };
const NEEDS_ESCAPE = /[\b\t\n\f\r]/;
const ESCAPE_ALL = /[\b\t\n\f\r]/g;

/** A string field as tshark prints it: \b \t \n \f \r become backslash escapes, everything else is as is. */
export function escapeText(s: string): string {
  return NEEDS_ESCAPE.test(s) ? s.replace(ESCAPE_ALL, (c) => ESCAPES[c]) : s;
}

// ---------------------------------------------------------------- times

const pad9 = (n: number) => String(n).padStart(9, "0");

/** Seconds with nine decimals, as Wireshark prints FT_RELATIVE_TIME ("-0.500000000" for -0.5). */
export function relTimeText(v: number): string {
  const neg = v < 0, a = Math.abs(v);
  let s = Math.floor(a), ns = Math.round((a - s) * 1e9);
  if (ns >= 1e9) { s += 1; ns -= 1e9; }
  return (neg && (s > 0 || ns > 0) ? "-" : "") + intText(s) + "." + pad9(ns);
}

/** The exact difference of two (sec, nsec) timestamps, as relTimeText prints it. */
export function relTimeExact(secA: number, nsA: number, secB: number, nsB: number): string {
  let ds = secA - secB, dn = nsA - nsB;
  if (ds > 0 && dn < 0) { ds -= 1; dn += 1e9; } else if (ds < 0 && dn > 0) { ds += 1; dn -= 1e9; }
  const neg = ds < 0 || dn < 0;
  return (neg ? "-" : "") + intText(Math.abs(ds)) + "." + pad9(Math.abs(dn));
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const two = (n: number) => (n < 10 ? "0" : "") + n;

/**
 * Seconds since the epoch as tshark prints FT_ABSOLUTE_TIME in local time. From a double the nanoseconds are
 * rounded to the microsecond when the value is epoch-sized (a double cannot hold more); absTimeExact is exact.
 */
export function absTimeText(v: number): string {
  let sec = Math.floor(v), ns = Math.round((v - sec) * 1e9);
  if (Math.abs(v) > 1e6) ns = Math.round(ns / 1000) * 1000;
  if (ns >= 1e9) { sec += 1; ns -= 1e9; }
  return absTimeExact(sec, ns);
}

/** "Jan 29, 2015 10:39:58.578402281 UTC" from an exact (sec, nsec) pair, in the process's local time zone. */
export function absTimeExact(sec: number, nsec: number): string {
  // JS dates end at ±8.64e15 ms (year 275760); tshark prints any 64-bit time, so the calendar is computed here and
  // Date only supplies the zone's offset and name (taken at the nearest date it can represent).
  const d = new Date(Math.max(-8.64e15, Math.min(8.64e15, sec * 1000)));
  const local = sec - d.getTimezoneOffset() * 60;
  const days = Math.floor(local / 86400), secOfDay = local - days * 86400;
  const [y, m, day] = civilFromDays(days);
  const hh = Math.floor(secOfDay / 3600), mm = Math.floor((secOfDay % 3600) / 60), ss = secOfDay % 60;
  return `${MONTHS[m - 1]} ${day < 10 ? " " + day : day}, ${y} ${two(hh)}:${two(mm)}:${two(ss)}.${pad9(nsec)} ${zoneName(d)}`;
}

/** Proleptic Gregorian (year, month 1-12, day) of a day count since 1970-01-01 (H. Hinnant's civil_from_days). */
function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097), doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153), d = doy - Math.floor((153 * mp + 2) / 5) + 1, m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

let zoneFormats: Intl.DateTimeFormat[] = [];
let zoneFormatsTz: string | undefined = "\0";

/** Formatters naming the current zone; rebuilt when TZ changes (Intl fixes the zone at construction). */
function formats(): Intl.DateTimeFormat[] {
  if (zoneFormatsTz !== process.env.TZ) {
    zoneFormatsTz = process.env.TZ;
    zoneFormats = ["en-US", "en-GB", "en-IN"].map((l) => new Intl.DateTimeFormat(l, { timeZoneName: "short" }));
  }
  return zoneFormats;
}

export function zoneName(d: Date): string {
  if (process.env.TZ === "") return "UTC"; // glibc: an empty TZ is UTC
  for (const f of formats()) {
    const name = f.formatToParts(d).find((p) => p.type === "timeZoneName")?.value;
    if (name && !/^(GMT|UTC)[+-]/.test(name)) return name;
  }
  // tzdata names zones without a customary abbreviation by their offset: "-03", "+0530".
  const off = -d.getTimezoneOffset(), a = Math.abs(off), m = a % 60;
  return (off < 0 ? "-" : "+") + two(Math.floor(a / 60)) + (m ? two(m) : "");
}

/** frame.* times computed from the exact (sec, nsec) pairs of the frame index. */
const EXACT_TIME: Record<string, (ix: FrameIndex, i: number) => string> = {
  "frame.time_epoch": (ix, i) => formatEpoch(ix.tsSec[i], ix.tsNsec[i]),
  "frame.time": (ix, i) => absTimeExact(ix.tsSec[i], ix.tsNsec[i]),
  "frame.time_relative": (ix, i) => relTimeExact(ix.tsSec[i], ix.tsNsec[i], ix.tsSec[0], ix.tsNsec[0]),
  "frame.time_delta": (ix, i) => (i === 0 ? "0.000000000" : relTimeExact(ix.tsSec[i], ix.tsNsec[i], ix.tsSec[i - 1], ix.tsNsec[i - 1])),
};
