// Run-time helpers the generated predicates call (passed in as `R`): byte comparisons, address masks, slices,
// conversions to bytes, regular-expression tests and the generic any/all loops over value lists. Every helper is
// total: it never throws on any value a column can hold.

import type { Column } from "../decode/column.js";
import type { FieldType } from "../dissectors/field.js";
import type { ArithOp } from "./parse.js";
import type { CmpOp, Compare, CRange } from "./ir.js";

/** One value of one occurrence: numbers for numeric, address and time types; strings; bytes (incl. IPv6). */
export type RValue = number | string | Uint8Array;

// ---------------------------------------------------------------- bytes

/** Wireshark's byte order: the shorter sequence first, then memcmp. */
export function cmpBytes(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return a[k] - b[k];
  return 0;
}

export function eqBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

/** True when `needle` occurs in `hay` (an empty needle occurs everywhere). */
export function containsBytes(hay: Uint8Array, needle: Uint8Array): boolean {
  const n = needle.length;
  if (n === 0) return true;
  const first = needle[0], last = hay.length - n;
  for (let p = hay.indexOf(first); p !== -1 && p <= last; p = hay.indexOf(first, p + 1)) {
    let k = 1;
    while (k < n && hay[p + k] === needle[k]) k++;
    if (k === n) return true;
  }
  return false;
}

/** Compares the first `bits` bits of two 16-byte addresses (a at offset ao of its buffer). */
export function cmpPrefix16(a: Uint8Array, ao: number, b: Uint8Array, bits: number): number {
  let k = 0;
  for (; bits >= 8; k++, bits -= 8) if (a[ao + k] !== b[k]) return a[ao + k] - b[k];
  if (bits > 0) {
    const m = (0xff << (8 - bits)) & 0xff;
    return (a[ao + k] & m) - (b[k] & m);
  }
  return 0;
}

/** The uint32 mask of an IPv4 prefix length. */
export const mask4 = (bits: number): number => (bits <= 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0);

/** op over bytes[range] against k, comparing in place; false when the range does not fit (no value). */
export function sliceHolds(op: CmpOp, b: Uint8Array, r: CRange, k: Uint8Array): boolean {
  const from = r.from < 0 ? b.length + r.from : r.from;
  const len = r.length === null ? b.length - from : r.length;
  if (from < 0 || len < 0 || from + len > b.length) return false;
  let c = len - k.length;
  if (c === 0) for (let j = 0; j < len; j++) if (b[from + j] !== k[j]) { c = b[from + j] - k[j]; break; }
  return holds(op, c);
}

/** a & b for non-negative integers below 2^48. */
export const and48 = (a: number, b: number): number =>
  (Math.floor(a / 16777216) & Math.floor(b / 16777216)) * 16777216 + ((a & 0xffffff) & (b & 0xffffff));

// ---------------------------------------------------------------- conversions

const enc = new TextEncoder();

/** A value's bytes in network order (what a slice cuts): MAC 6, IPv4 4, IPv6 16, a string's UTF-8. */
export function toBytes(type: FieldType, v: RValue): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v === "string") return enc.encode(v);
  if (type === "ether") {
    const hi = Math.floor(v / 4294967296), lo = v >>> 0;
    return Uint8Array.of(hi >>> 8, hi & 0xff, lo >>> 24, (lo >>> 16) & 0xff, (lo >>> 8) & 0xff, lo & 0xff);
  }
  return Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}

/** The bytes `ranges` select from b, concatenated; null when a range does not fit (the value is dropped). */
export function sliceBytes(b: Uint8Array, ranges: readonly CRange[]): Uint8Array | null {
  if (ranges.length === 1) {
    const r = ranges[0];
    const from = r.from < 0 ? b.length + r.from : r.from;
    const len = r.length === null ? b.length - from : r.length;
    if (from < 0 || len < 0 || from + len > b.length) return null;
    return b.subarray(from, from + len);
  }
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const r of ranges) {
    const p = sliceBytes(b, [r]);
    if (p === null) return null;
    parts.push(p);
    total += p.length;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

const latin1Dec = new TextDecoder("latin1");
/** Bytes as a string of one char per byte: how a PCRE2 pattern compiled without UTF sees them. */
export const latin1 = (b: Uint8Array): string => latin1Dec.decode(b);

/** Tests a regular expression against a value's bytes (strings as their UTF-8). */
export function reTest(re: RegExp, v: RValue): boolean {
  if (typeof v === "string") return re.test(/^[\x00-\x7f]*$/.test(v) ? v : latin1(enc.encode(v)));
  if (typeof v === "number") return false;
  return re.test(latin1(v));
}

/** True for a value with at least one byte (a slice used as a test: tshark's frame[60:] on a 60-byte frame is false). */
export const notEmpty = (v: RValue): boolean => (typeof v === "number" ? true : v.length > 0);

/** True when the value is not zero (a bitwise or arithmetic result used as a test). */
export function nonZero(v: RValue): boolean {
  if (typeof v === "number") return v !== 0 && !Number.isNaN(v);
  if (typeof v === "string") return v.length > 0;
  for (let k = 0; k < v.length; k++) if (v[k] !== 0) return true;
  return false;
}

// ---------------------------------------------------------------- column access for the generic path

/** The value in slot s of a level's encoding (bytes kept in the capture file are read back). */
export { valueAt } from "../decode/level.js";

/** Every value of `col` in frame i (IPv6 slots as 16-byte views). */
export function colValues(col: Column, i: number): RValue[] {
  return col.all(i);
}

// ---------------------------------------------------------------- arithmetic

/** a op b for the result type `type`; undefined drops the pair (division by zero). */
export function arith(op: ArithOp, type: FieldType, a: RValue, b: RValue): RValue | undefined {
  if (typeof a !== "number" || typeof b !== "number") return op === "&" ? andBytes(a, b) : undefined;
  const integer = type !== "double" && type !== "rel_time";
  switch (op) {
    case "+": return a + b;
    case "-": return a - b;
    case "*": return a * b;
    case "/": return b === 0 ? undefined : integer ? Math.trunc(a / b) : a / b;
    case "%": return b === 0 ? undefined : a % b;
    case "&":
      if (a >= 0 && b >= 0 && a <= 0xffffffff && b <= 0xffffffff) return (a & b) >>> 0;
      return Number(BigInt.asUintN(64, BigInt(Math.trunc(a))) & BigInt.asUintN(64, BigInt(Math.trunc(b))));
  }
}

function andBytes(a: RValue, b: RValue): Uint8Array | undefined {
  if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array)) return undefined;
  const n = Math.min(a.length, b.length), out = new Uint8Array(n);
  for (let k = 0; k < n; k++) out[k] = a[k] & b[k];
  return out;
}

/** Every pair of values combined by op (Wireshark's arithmetic over repeated fields). */
export function arithAll(op: ArithOp, type: FieldType, as: readonly RValue[], bs: readonly RValue[]): RValue[] {
  const out: RValue[] = [];
  for (const a of as) for (const b of bs) {
    const r = arith(op, type, a, b);
    if (r !== undefined) out.push(r);
  }
  return out;
}

// ---------------------------------------------------------------- generic comparisons

/** a ⋚ b under `how` (prefix: the CIDR bits of an address constant), or NaN when they do not compare. */
export function order(how: Compare, a: RValue, b: RValue, prefix: number): number {
  switch (how) {
    case "num": return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : (a as number) === (b as number) ? 0 : NaN;
    case "str": return a < b ? -1 : a > b ? 1 : 0;
    case "bytes": return cmpBytes(a as Uint8Array, b as Uint8Array);
    case "ipv4": {
      const m = mask4(prefix), x = ((a as number) & m) >>> 0, y = ((b as number) & m) >>> 0;
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case "ipv6": {
      const x = a as Uint8Array, y = b as Uint8Array;
      return x.length === 16 && y.length === 16 ? cmpPrefix16(x, 0, y, prefix) : cmpBytes(x, y);
    }
  }
}

/** Applies a comparison operator to the result of order(). NaN (unordered) passes only `ne`. */
export function holds(op: CmpOp, c: number): boolean {
  switch (op) {
    case "eq": return c === 0;
    case "ne": return c !== 0;
    case "gt": return c > 0;
    case "ge": return c >= 0;
    case "lt": return c < 0;
    case "le": return c <= 0;
  }
}

/** The any/all rule over every pair: any: one pair holds; all: there are pairs and every one holds. */
export function pairs(all: boolean, as: readonly RValue[], bs: readonly RValue[], test: (a: RValue, b: RValue) => boolean): boolean {
  if (as.length === 0 || bs.length === 0) return false;
  for (const a of as) for (const b of bs) {
    if (test(a, b) !== all) return !all;
  }
  return all;
}

/** The any/all rule over single values. */
export function each(all: boolean, vs: readonly RValue[], test: (v: RValue) => boolean): boolean {
  if (vs.length === 0) return false;
  for (const v of vs) if (test(v) !== all) return !all;
  return all;
}

/** The any/all rule over single values, with an argument for the test (the set of an `in`). */
export function eachWith<T>(all: boolean, vs: readonly RValue[], test: (v: RValue, arg: T) => boolean, arg: T): boolean {
  if (vs.length === 0) return false;
  for (const v of vs) if (test(v, arg) !== all) return !all;
  return all;
}
