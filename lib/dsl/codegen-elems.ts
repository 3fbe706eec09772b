// Per-occurrence fast paths of the code generator: `x OP constant` for one value of a column, as a JS expression over
// the column's typed array (numbers, masked IPv4, in-place byte slices, 16-byte IPv6 slots, constant sets). Each
// returns null when only codegen.ts's generic value-list path fits.

import type { Storage } from "../dissectors/field.js";
import type { CmpOp, Compare, CRange, SetElem, Value } from "./ir.js";
import { mask4 } from "./runtime.js";

/** The shape of one column as the generator needs it. */
export interface ColumnShape {
  /** CSR (several values a frame) rather than dense (values + valid). */
  readonly multi: boolean;
  readonly storage: Storage;
}

/** What the element builders need from the generator: constants and column shapes. */
export interface ElemContext {
  /** A constant as `K[j]`. */
  k(value: unknown): string;
  shape(column: string): ColumnShape;
}

/** How one occurrence is reached: its value expression, or (16-byte slots) the array and slot index. */
export interface Access { readonly val: string; readonly arr: string; readonly idx: string }
export type Elem = (a: Access) => string;

export const JS_OP: Record<CmpOp, string> = { eq: "===", ne: "!==", gt: ">", ge: ">=", lt: "<", le: "<=" };
export const INT_STORAGE = new Set<Storage>(["u8", "u16", "u32", "i32"]);

/** Serialises a number as a JS numeric literal (never user text). */
export function num(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "-Infinity";
  return Object.is(x, -0) ? "-0" : String(x);
}

export const isU32 = (m: number) => Number.isInteger(m) && m >= 0 && m <= 0xffffffff;

/** An operator applied to a comparison result known when generating. */
function holdsConst(op: CmpOp, c: number): boolean {
  return op === "eq" ? c === 0 : op === "ne" ? c !== 0 : op === "gt" ? c > 0 : op === "ge" ? c >= 0 : op === "lt" ? c < 0 : c <= 0;
}

/** A per-occurrence test for `column OP constant` (and `column & constant OP constant`), or null. */
export function fastElem(g: ElemContext, a: Value, b: Value, op: CmpOp, how: Compare): { column: string; elem: Elem } | null {
  if (b.kind !== "const") return null;
  if (a.kind === "arith" && a.op === "&" && a.a.kind === "column" && a.b.kind === "const" && how === "num") {
    const st = g.shape(a.a.column).storage;
    const m = a.b.value, v = b.value;
    if (!INT_STORAGE.has(st) || typeof m !== "number" || typeof v !== "number" || !isU32(m)) return null;
    return { column: a.a.column, elem: (x) => `((${x.val} & ${num(m)}) >>> 0) ${JS_OP[op]} ${num(v)}` };
  }
  if (a.kind === "slice" && a.of.kind === "column" && a.ranges.length === 1 && how === "bytes" && b.value instanceof Uint8Array) {
    return sliceElem(g, a.of, a.ranges[0], op, b.value);
  }
  if (a.kind !== "column") return null;
  const elem = constElem(g, a.column, op, how, b);
  return elem ? { column: a.column, elem } : null;
}

/**
 * `field[from:len] OP bytes` without cutting: a MAC or IPv4 slice is a number (big-endian bytes), a bytes slice is
 * compared in place. Null when only the generic path fits. A slice that does not fit is no value (false).
 */
export function sliceElem(g: ElemContext, col: Value & { kind: "column" }, r: CRange, op: CmpOp, k: Uint8Array): { column: string; elem: Elem } | null {
  const st = g.shape(col.column).storage;
  const width = col.type === "ether" ? 6 : col.type === "ipv4" ? 4 : null;
  if (width !== null && (st === "f64" || st === "u32")) {
    const from = r.from < 0 ? width + r.from : r.from, len = r.length ?? width - from;
    if (from < 0 || len < 0 || from + len > width) return { column: col.column, elem: () => "false" };
    // Bytes order shorter-first (Wireshark), so unequal lengths decide every comparison at once.
    if (len !== k.length) return { column: col.column, elem: () => String(holdsConst(op, len - k.length)) };
    let kv = 0;
    for (const x of k) kv = kv * 256 + x;
    const div = 2 ** (8 * (width - from - len)), mod = 2 ** (8 * len);
    return { column: col.column, elem: (x) => `(Math.floor(${x.val} / ${num(div)}) % ${num(mod)}) ${JS_OP[op]} ${num(kv)}` };
  }
  if (st === "any" && (col.type === "bytes" || col.type === "protocol")) {
    const kk = g.k(k), rr = g.k(r);
    return { column: col.column, elem: (x) => `R.sliceHolds(${JSON.stringify(op)}, ${x.val}, ${rr}, ${kk})` };
  }
  return null;
}

/** `x OP constant` for one occurrence of `column`, or null when only the generic path fits. */
function constElem(g: ElemContext, column: string, op: CmpOp, how: Compare, b: Value & { kind: "const" }): Elem | null {
  const st = g.shape(column).storage;
  const v = b.value, o = JS_OP[op];
  if (how === "num" && typeof v === "number" && st !== "any" && st !== "fixed16") return (x) => `${x.val} ${o} ${num(v)}`;
  if (how === "ipv4" && typeof v === "number" && st === "u32") {
    const bits = b.prefix ?? 32;
    if (bits >= 32) return (x) => `${x.val} ${o} ${num(v)}`;
    const m = mask4(bits);
    return (x) => `((${x.val} & ${num(m)}) >>> 0) ${o} ${num((v & m) >>> 0)}`;
  }
  if (how === "str" && typeof v === "string" && st === "any") {
    const kv = g.k(v);
    return (x) => `${x.val} ${o} ${kv}`;
  }
  if (how === "bytes" && v instanceof Uint8Array && st === "any") {
    const kv = g.k(v);
    if (op === "eq") return (x) => `R.eqBytes(${x.val}, ${kv})`;
    if (op === "ne") return (x) => `!R.eqBytes(${x.val}, ${kv})`;
    return (x) => `R.cmpBytes(${x.val}, ${kv}) ${o} 0`;
  }
  if (how === "ipv6" && v instanceof Uint8Array && st === "fixed16") {
    const kv = g.k(v), bits = b.prefix ?? 128;
    return (x) => `R.cmpPrefix16(${x.arr}, ${x.idx} * 16, ${kv}, ${num(bits)}) ${o} 0`;
  }
  return null;
}

/** `x in {…}` for constant sets over numbers, IPv4 and strings. */
export function setElem(g: ElemContext, column: string, how: Compare, elems: readonly SetElem[]): Elem | null {
  const st = g.shape(column).storage;
  const okNum = (how === "num" || how === "ipv4") && st !== "any" && st !== "fixed16";
  const okStr = how === "str" && st === "any";
  if (!okNum && !okStr) return null;
  const singles: (number | string)[] = [];
  const parts: ((x: string) => string)[] = [];
  for (const e of elems) {
    const lo = (e.lo as Value & { kind: "const" });
    const bits = how === "ipv4" ? lo.prefix ?? 32 : 32;
    if (e.hi === null && bits >= 32) { singles.push(lo.value as number | string); continue; }
    const lit = (v: unknown) => (typeof v === "number" ? num(v) : g.k(v));
    if (e.hi === null) {
      const m = mask4(bits);
      parts.push((x) => `((${x} & ${num(m)}) >>> 0) === ${num(((lo.value as number) & m) >>> 0)}`);
    } else {
      const hi = (e.hi as Value & { kind: "const" }).value;
      parts.push((x) => `(${x} >= ${lit(lo.value)} && ${x} <= ${lit(hi)})`);
    }
  }
  if (singles.length > 8) {
    const set = g.k(new Set(singles));
    parts.unshift((x) => `${set}.has(${x})`);
  } else {
    for (const s of singles) parts.unshift((x) => `${x} === ${typeof s === "number" ? num(s) : g.k(s)}`);
  }
  return (a) => `(${parts.map((p) => p(a.val)).join(" || ") || "false"})`;
}
