// Literal text -> typed values, one converter per field type, as Wireshark 4.0's fvalue_from_literal /
// fvalue_from_string / fvalue_from_charconst do it (epan/ftypes/ftype-*.c): integers in decimal, hex (0x), octal
// (leading 0) and binary (0b); byte strings with ':', '-' or '.' separators or none (strutil.c hex_str_to_bytes);
// dotted-quad IPv4 and RFC 4291 IPv6 with a CIDR prefix; value names of the field (case-insensitive).
// Host names are not resolved (tshark -n resolves none either): they are rejected.

import type { FieldDef, FieldType } from "../dissectors/field.js";
import { msg } from "./messages.js";
import { isIpv6Text } from "./scan.js";
import { INTEGER_TYPES, intRange, typeName } from "./types.js";

/** A literal turned into a value of a field type. `prefix` is the CIDR prefix of an address (32/128 when absent). */
export interface TypedConst {
  readonly type: FieldType;
  readonly value: number | string | Uint8Array;
  readonly prefix: number | null;
}

/** Raises the conversion's error message; the caller attaches the span. */
export type Fail = (problem: string) => never;

export interface ConvertOptions {
  /** The field the literal is compared with: its value names are tried when the text is no valid value. */
  readonly field?: FieldDef;
  /** `contains` accepts a partial value (an Ethernet address of fewer than 6 bytes). */
  readonly partial?: boolean;
}

const c = (type: FieldType, value: TypedConst["value"], prefix: number | null = null): TypedConst => ({ type, value, prefix });

/** An unquoted literal (a word, number, address or byte string) as a value of `type`. */
export function fromLiteral(type: FieldType, text: string, fail: Fail, opts: ConvertOptions = {}): TypedConst {
  switch (type) {
    case "string": return c(type, text);
    case "bytes": case "protocol": {
      const b = parseBytes(text);
      return b ? c(type, b) : fail(msg.badBytes(text));
    }
    case "ether": {
      const b = parseEther(text, fail, opts.partial ?? false);
      return b.length === 6 ? c(type, etherNumber(b)) : c("bytes", b); // a partial address is searched as bytes
    }
    case "ipv4": return parseIpv4(text, fail);
    case "ipv6": return parseIpv6(text, fail);
    case "double": {
      const v = parseDouble(text);
      return v === null ? fail(msg.badDouble(text)) : c(type, v);
    }
    case "rel_time": {
      if (!/^[0-9]+(\.[0-9]*)?$/.test(text)) return fail(msg.badTime(text));
      return c(type, Number(text));
    }
    case "abs_time": {
      const v = parseAbsTime(text);
      return v === null ? fail(msg.badAbsTime(`\`${text}\``)) : c(type, v);
    }
    case "bool": return c(type, parseBool(text, fail, opts.field));
    case "none": return fail(msg.cannotOperate("a label", typeName(type), "=="));
    default:
      if (INTEGER_TYPES.has(type)) return c(type, parseInteger(type, text, fail, opts.field));
      return fail(msg.notNumber(text));
  }
}

/** A double-quoted string as a value of `type` (strings and bytes take it as is; integers only as value names). */
export function fromString(type: FieldType, bytes: Uint8Array, quoted: string, fail: Fail, opts: ConvertOptions = {}): TypedConst {
  switch (type) {
    case "string": return c(type, decodeUtf8(bytes));
    case "bytes": case "protocol": return c(type, bytes);
    case "abs_time": {
      const v = parseAbsTime(decodeUtf8(bytes));
      return v === null ? fail(msg.badAbsTime(quoted)) : c(type, v);
    }
    case "bool": return c(type, parseBool(decodeUtf8(bytes), fail, opts.field, true));
    default:
      if (INTEGER_TYPES.has(type) && opts.field?.values) {
        const v = valueByName(opts.field, decodeUtf8(bytes));
        if (v !== null) return c(type, v);
        return fail(msg.notValueName(decodeUtf8(bytes), opts.field.abbrev));
      }
      return fail(msg.fromString(typeName(type), quoted));
  }
}

/** A character constant ('a', '\n') as a value of `type`. */
export function fromChar(type: FieldType, code: number, text: string, fail: Fail): TypedConst {
  if (INTEGER_TYPES.has(type)) {
    const [, max] = intRange(type);
    return BigInt(code) > max ? fail(msg.tooBig(text, max)) : c(type, code);
  }
  switch (type) {
    case "bool": return c(type, code !== 0 ? 1 : 0);
    case "bytes": case "protocol": return c(type, Uint8Array.of(code));
    case "string": return c(type, String.fromCharCode(code));
    default: return fail(msg.charToType(text, typeName(type)));
  }
}

// ---------------------------------------------------------------- integers and booleans

/** strtoull with base 0 plus 0b binary: the unsigned value, or null for text that is no number. */
export function parseUnsigned(text: string): bigint | null {
  if (/^0[bB][01]+$/.test(text)) return BigInt(text);
  if (/^0[xX][0-9A-Fa-f]+$/.test(text)) return BigInt(text);
  if (/^0[0-7]*$/.test(text)) return BigInt("0o" + (text.slice(1) || "0"));
  if (/^[1-9][0-9]*$/.test(text)) return BigInt(text);
  return null;
}

function parseInteger(type: FieldType, text: string, fail: Fail, field?: FieldDef): number {
  const v = parseUnsigned(text);
  const [min, max] = intRange(type);
  let problem: string | null = null;
  if (v === null) problem = msg.notNumber(text);
  else if (v > 0xffffffffffffffffn) problem = msg.overflow(text);
  else if (v > max) problem = msg.tooBig(text, max);
  else if (v < min) problem = msg.tooSmall(text, min);
  if (problem === null) return Number(v);
  if (field?.values) {
    const named = valueByName(field, text);
    if (named !== null) return named;
    return fail(msg.notValueName(text, field.abbrev));
  }
  return fail(problem);
}

/** The number whose value name is `name` (ASCII case-insensitive), or null. */
function valueByName(field: FieldDef, name: string): number | null {
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(field.values ?? {})) if (v.toLowerCase() === want) return Number(k);
  return null;
}

/** 1/0 for True/TRUE/False/FALSE, any integer (non-zero is true), or the field's own true/false names. */
function parseBool(text: string, fail: Fail, field?: FieldDef, quoted = false): number {
  if (!quoted) {
    if (text === "True" || text === "TRUE") return 1;
    if (text === "False" || text === "FALSE") return 0;
    const n = parseUnsigned(text);
    if (n !== null) return n !== 0n ? 1 : 0;
  }
  const names = field?.values;
  const t = names?.[1] ?? "True", f = names?.[0] ?? "False";
  if (text.toLowerCase() === t.toLowerCase()) return 1;
  if (text.toLowerCase() === f.toLowerCase()) return 0;
  return fail(msg.notBool(text, field?.abbrev ?? "this field"));
}

// ---------------------------------------------------------------- numbers and times

/** g_ascii_strtod over the whole text: decimal and hex floats, inf, infinity, nan. Null when invalid or out of range. */
export function parseDouble(text: string): number | null {
  const t = text.toLowerCase();
  if (t === "inf" || t === "infinity") return Infinity;
  if (t === "nan") return NaN;
  if (/^([0-9]+\.?[0-9]*|\.[0-9]+)(e[+-]?[0-9]+)?$/.test(t)) {
    const v = Number(t);
    return Number.isFinite(v) ? v : null;
  }
  const h = /^0x([0-9a-f]*)(?:\.([0-9a-f]*))?(?:p([+-]?[0-9]+))?$/.exec(t);
  if (h && (h[1] || h[2])) {
    let v = h[1] ? parseInt(h[1], 16) : 0;
    const frac = h[2] ?? "";
    for (let k = 0; k < frac.length; k++) v += parseInt(frac[k], 16) / 16 ** (k + 1);
    const r = v * 2 ** Number(h[3] ?? 0);
    return Number.isFinite(r) ? r : null;
  }
  return null;
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/**
 * Seconds since the epoch of an ISO 8601 date-time ("2020-07-04T12:34:56.5Z", the T optional, time optional) or the
 * legacy "Sep 26, 2004 23:18:04.954975 [UTC]"; local time unless a zone is given (as tshark). Null when invalid.
 */
export function parseAbsTime(text: string): number | null {
  const s = text.trim();
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?$/i.exec(s);
  const old = /^([A-Za-z]{3})\s+(\d{1,2}),\s*(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?(\s+UTC)?$/i.exec(s);
  let y: number, mo: number, d: number, parts: (string | undefined)[], zone: string | undefined;
  if (iso) {
    [y, mo, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
    parts = iso.slice(4, 8);
    zone = iso[8];
  } else if (old) {
    mo = MONTHS.indexOf(old[1].toLowerCase()) + 1;
    if (mo === 0) return null;
    [d, y] = [Number(old[2]), Number(old[3])];
    parts = old.slice(4, 8);
    zone = old[8] ? "UTC" : undefined;
  } else return null;
  const [hh, mm, ss] = [Number(parts[0] ?? 0), Number(parts[1] ?? 0), Number(parts[2] ?? 0)];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 60) return null;
  const frac = parts[3] ? Number("0." + parts[3]) : 0;
  let ms: number;
  if (zone === undefined) ms = new Date(y, mo - 1, d, hh, mm, ss).getTime();
  else {
    ms = Date.UTC(y, mo - 1, d, hh, mm, ss);
    const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
    if (z) ms -= (z[1] === "-" ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3] ?? 0)) * 60000;
  }
  return Number.isFinite(ms) ? ms / 1000 + frac : null;
}

// ---------------------------------------------------------------- bytes and addresses

const isHex = (ch: string | undefined) => ch !== undefined && /^[0-9A-Fa-f]$/.test(ch);
const isSep = (ch: string | undefined) => ch === ":" || ch === "." || ch === "-";

/**
 * A byte string: "0xNN" (one byte), a single hex digit, or hex_str_to_bytes' form (pairs or quads of hex digits,
 * optionally separated by ':', '.' or '-'; a lone digit is one byte). Null when the text is no byte string.
 */
export function parseBytes(text: string): Uint8Array | null {
  if (/^0[xX][0-9A-Fa-f]+$/.test(text)) {
    const v = parseInt(text.slice(2), 16);
    return v <= 0xff ? Uint8Array.of(v) : null;
  }
  if (text === "") return null;
  const out: number[] = [];
  let p = 0;
  while (p < text.length) {
    const [a, b, c2, d] = [text[p], text[p + 1], text[p + 2], text[p + 3]];
    if (isHex(a) && isHex(b) && isHex(c2) && isHex(d)) {
      out.push(parseInt(a + b, 16), parseInt(c2 + d, 16));
      p += 4;
    } else if (isHex(a) && isHex(b)) {
      out.push(parseInt(a + b, 16));
      p += 2;
    } else if (isHex(a) && (b === undefined || isSep(b))) {
      out.push(parseInt(a, 16));
      p += 1;
    } else return null;
    if (p < text.length) {
      if (isSep(text[p])) p++;
      else if (!isHex(text[p])) return null;
    }
  }
  return Uint8Array.from(out);
}

function parseEther(text: string, fail: Fail, partial: boolean): Uint8Array {
  const b = parseBytes(text);
  if (b === null) return fail(msg.notEther(text));
  if (b.length > 6) return fail(msg.badEther(text, "contains too many bytes"));
  if (b.length < 6 && !partial) return fail(msg.badEther(text, "contains too few bytes"));
  return b;
}

/** A 6-byte MAC address as the 48-bit number the columns hold. */
export function etherNumber(b: Uint8Array): number {
  let v = 0;
  for (const x of b) v = v * 256 + x;
  return v;
}

const V4 = /^(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})(?:\/([0-9]+))?$/;

/** Dotted-quad IPv4 with an optional /prefix, as a uint32 and the prefix bits. */
export function parseIpv4(text: string, fail: Fail): TypedConst {
  const m = V4.exec(text);
  const octets = m ? m.slice(1, 5).map(Number) : [];
  if (!m || octets.some((o) => o > 255)) return fail(msg.badIpv4(text, []));
  const bits = m[5] === undefined ? 32 : Number(m[5]);
  if (bits > 32) return fail(msg.cidr4(bits));
  const v = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  return c("ipv4", v, bits);
}

/** RFC 4291 IPv6 text with an optional /prefix, as 16 bytes and the prefix bits. */
export function parseIpv6(text: string, fail: Fail): TypedConst {
  const slash = text.indexOf("/");
  const addr = slash < 0 ? text : text.slice(0, slash);
  const bits = slash < 0 ? 128 : /^[0-9]+$/.test(text.slice(slash + 1)) ? Number(text.slice(slash + 1)) : NaN;
  if (!isIpv6Text(addr) || Number.isNaN(bits)) return fail(msg.badIpv6(text, []));
  if (bits > 128) return fail(msg.cidr6(bits));
  return c("ipv6", ipv6Bytes(addr), bits);
}

/** The 16 bytes of a valid IPv6 text form. */
export function ipv6Bytes(addr: string): Uint8Array {
  const out = new Uint8Array(16);
  const words = (s: string): number[] => {
    if (s === "") return [];
    const w: number[] = [];
    for (const g of s.split(":")) {
      if (g.includes(".")) {
        const o = g.split(".").map(Number);
        w.push((o[0] << 8) | o[1], (o[2] << 8) | o[3]);
      } else w.push(parseInt(g, 16));
    }
    return w;
  };
  const dbl = addr.indexOf("::");
  const head = words(dbl < 0 ? addr : addr.slice(0, dbl));
  const tail = dbl < 0 ? [] : words(addr.slice(dbl + 2));
  const all = [...head, ...new Array(8 - head.length - tail.length).fill(0), ...tail];
  all.forEach((w, k) => { out[2 * k] = w >> 8; out[2 * k + 1] = w & 0xff; });
  return out;
}

const utf8 = new TextDecoder("utf-8");
export const decodeUtf8 = (b: Uint8Array): string => utf8.decode(b);
