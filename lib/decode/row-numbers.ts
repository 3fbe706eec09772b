// The numbers of a derived column (tcp.seq, udp.time_delta, ip.version …), collected by row straight into one typed
// array and turned into a level without going through a Sink (sink.ts): a derived field knows how many rows the
// column has, so once occurrences turn out frequent the array is by row, allocated once for every row (a caller that
// expects many says so and starts there), and a put is a few stores. Values start in bytes and the array widens only
// when a value does not fit (u8 -> u16 -> u32 or i32 -> f64, as the Sink widens), so a column of small numbers never
// holds four or eight bytes a row while it is built. The finished level is what finishSink would make of the same
// values (same layout rule, narrowest kind, dictionary codes when they pay, shared bitmaps). A row's later
// occurrences (a tunnel's second IP header) are kept aside and become the next levels through a Sink; rows out of
// order (never, from a scan in frame order) send everything through a Sink.
//
// Why one field per array type (u8, u16, u32, i32, f64) and a branch on the kind, rather than one `data` field: a
// store `data[slot] = x` that sees several typed-array types is polymorphic (or megamorphic past four), and measured
// at 20-80 ns a store; behind the branch each store sees one type only.

import { storageOf, type FieldDef } from "../dissectors/field.js";
import { Column } from "./column.js";
import { finishSink, kindOfRange, newSink, numbers } from "./compact.js";
import { MAX_SINGLE, type Enc, type Level, type NumArray } from "./level.js";
import { share } from "./share.js";
import { K, Sink } from "./sink.js";

/** Where a derived column's numbers go, row by row. */
export interface RowNumbers {
  /** Appends one occurrence of row r (rows in increasing order are the fast case). */
  put(r: number, x: number): void;
  /** The column of everything put. */
  finish(): Column;
}

/** A column of `n` rows of a numeric field, expecting about `expected` occurrences (a hint: any number may come). */
export function rowNumbers(field: FieldDef, n: number, expected: number): RowNumbers {
  const st = storageOf(field.type);
  if (st === "any" || st === "fixed16") throw new Error(`rowNumbers: ${field.abbrev} is not numeric`);
  const t = field.type, doubles = t === "double" || t === "rel_time" || t === "abs_time";
  return new Collector(field, n, expected, doubles ? K.F64 : K.U8);
}

const NONE8 = new Uint8Array(0), NONE16 = new Uint16Array(0), NONE32 = new Uint32Array(0), NONEI32 = new Int32Array(0), NONE64 = new Float64Array(0);

/** The collecting state. */
class Collector implements RowNumbers {
  /** By row (slot = row, presence in `bits`) or by occurrence (slot k is row rows[k]). */
  dense: boolean;
  bits: Uint8Array;
  rows: Uint32Array;
  /** The kind of the values' array (K.U8 … K.F64); the array of that kind holds them, the others are empty. */
  kind: K;
  u8 = NONE8;
  u16 = NONE16;
  u32 = NONE32;
  i32 = NONEI32;
  f64 = NONE64;
  count = 0;
  last = -1;
  /** Occurrences after a row's first, or out of row order, in arrival order. */
  extraRows: number[] | null = null;
  extraVals: number[] | null = null;
  outOfOrder = false;
  /**
   * What finishing needs to know of the values put, kept as they come (no pass over them at the end): the first
   * value, the lowest, the highest. In a typed array, not fields: a field that holds a small integer and later a
   * double changes the object's shape, and puts on columns of both shapes would no longer be monomorphic.
   */
  readonly seen = new Float64Array([0, Infinity, -Infinity]);
  varied = false;

  constructor(readonly field: FieldDef, readonly n: number, expected: number, kind: K) {
    const w = Sink.width(kind);
    // The rule finishLevel applies at the end, applied to the expectation: an array by row when it is the smaller.
    this.dense = expected >= n || expected * (4 + w) > n * (w + 0.125);
    const slots = this.dense ? n : Math.max(16, expected);
    this.bits = new Uint8Array(this.dense ? (n + 7) >>> 3 : 0);
    this.rows = new Uint32Array(this.dense ? 0 : slots);
    this.kind = kind;
    this.data = Sink.alloc(kind, slots);
  }

  /** The values' array. */
  get data(): NumArray {
    switch (this.kind) {
      case K.U8: return this.u8;
      case K.U16: return this.u16;
      case K.U32: return this.u32;
      case K.I32: return this.i32;
      default: return this.f64;
    }
  }

  set data(d: NumArray) {
    this.u8 = NONE8; this.u16 = NONE16; this.u32 = NONE32; this.i32 = NONEI32; this.f64 = NONE64;
    if (d instanceof Uint8Array) this.u8 = d;
    else if (d instanceof Uint16Array) this.u16 = d;
    else if (d instanceof Uint32Array) this.u32 = d;
    else if (d instanceof Int32Array) this.i32 = d;
    else this.f64 = d;
  }

  put(r: number, x: number): void {
    if (r <= this.last) { this.extra(r, x); return; }
    this.last = r;
    let s: number;
    if (this.dense) { s = r; this.bits[r >>> 3] |= 1 << (r & 7); }
    else if (this.count === this.rows.length && this.grow(r)) { s = r; this.bits[r >>> 3] |= 1 << (r & 7); }
    else { s = this.count; this.rows[s] = r; }
    // Each store sees one array type (see the top). A value the array does not hold (or -0, which only doubles
    // keep) widens it first.
    const k = this.kind;
    if (k === K.F64) this.f64[s] = x;
    else if (x === 0 && 1 / x < 0) { this.widen(x); this.f64[s] = x; }
    else if (k === K.U8 && (x & 0xff) === x) this.u8[s] = x;
    else if (k === K.U16 && (x & 0xffff) === x) this.u16[s] = x;
    else if (k === K.U32 && x >>> 0 === x) this.u32[s] = x;
    else if (k === K.I32 && (x | 0) === x) this.i32[s] = x;
    else { this.widen(x); this.data[s] = x; }
    // As Sink does: one value (-0 apart from 0) is a constant; NaN never equals the first.
    const seen = this.seen;
    if (this.count === 0) seen[0] = x;
    else if (x !== seen[0] || (x === 0 && 1 / x !== 1 / seen[0])) this.varied = true;
    if (x < seen[1]) seen[1] = x;
    if (x > seen[2]) seen[2] = x;
    this.count++;
  }

  finish(): Column {
    return finish(this);
  }

  extra(r: number, x: number): void {
    if (r < this.last) this.outOfOrder = true;
    if (this.extraRows === null) { this.extraRows = []; this.extraVals = []; }
    this.extraRows.push(r);
    this.extraVals!.push(x);
  }

  /**
   * A full array by occurrence meets row r: turns it by row when that is smaller at the density seen so far (true),
   * else doubles it (false). As Sink.grow decides, once Sink.DENSE_AFTER occurrences make the density a fair guess;
   * the array keeps its kind.
   */
  grow(r: number): boolean {
    const m = this.count, w = Sink.width(this.kind), old = this.data;
    if (m >= Sink.DENSE_AFTER && m * (4 + w) > (r + 1) * (w + 0.125)) {
      const n = this.n, bits = new Uint8Array((n + 7) >>> 3), d = Sink.alloc(this.kind, n);
      for (let s = 0; s < m; s++) {
        const row = this.rows[s];
        bits[row >>> 3] |= 1 << (row & 7);
        d[row] = old[s];
      }
      this.dense = true;
      this.bits = bits;
      this.rows = new Uint32Array(0);
      this.data = d;
      return true;
    }
    const rows = new Uint32Array(this.rows.length * 2), d = Sink.alloc(this.kind, rows.length);
    rows.set(this.rows);
    d.set(old as never);
    this.rows = rows;
    this.data = d;
    return false;
  }

  /** The array does not hold x: it becomes of the narrowest kind holding both (Sink.kindOf joined). */
  widen(x: number): void {
    const k = Sink.join(this.kind, Sink.kindOf(x) === K.BITS ? K.U8 : Sink.kindOf(x)), old = this.data, d = Sink.alloc(k, old.length);
    d.set(old as never);
    this.kind = k;
    this.data = d;
  }
}

// ------------------------------------------------------------------------------------------------ finishing

function finish(c: Collector): Column {
  if (c.outOfOrder) return Column.of(c.field, c.n, viaSink(c));
  const first = levels(c);
  if (c.extraRows === null) return Column.of(c.field, c.n, first);
  const later = laterLevels(c);
  return Column.of(c.field, c.n, later === null ? viaSink(c) : [...first, ...later]);
}

/** Calls f(row, slot) for every occurrence put (row order). */
function each(c: Collector, f: (row: number, slot: number) => void): void {
  if (!c.dense) { for (let s = 0; s < c.count; s++) f(c.rows[s], s); return; }
  const b = c.bits;
  for (let byte = 0; byte < b.length; byte++) {
    let m = b[byte];
    while (m !== 0) {
      const r = byte * 8 + (31 - Math.clz32(m & -m));
      m &= m - 1;
      f(r, r);
    }
  }
}

/**
 * The narrowest kind holding every value, as the Sink's widening ends up (constant -> bits -> u8 -> u16 -> u32 or
 * i32 -> f64; u32 and i32 values together need f64; doubles stay doubles). From the range seen while putting when
 * the array holds integers; otherwise (doubles) by a pass over the values unless the field is of a double type.
 */
function kindOf(c: Collector): K {
  const t = c.field.type;
  if (t === "double" || t === "rel_time" || t === "abs_time") return K.F64;
  if (c.kind === K.F64) {
    const src = c.data;
    let k = K.BITS;
    each(c, (_r, s) => { if (k !== K.F64) k = Sink.join(k, Sink.kindOf(src[s])); });
    return k;
  }
  return kindOfRange(c.seen[1], c.seen[2]);
}

/** One level, as finishLevel (compact.ts) lays it out: the smaller of by-row and by-occurrence, narrowest values. */
function levels(c: Collector): Level[] {
  const m = c.count, n = c.n, src = c.data;
  if (m === 0) return [];
  const k = c.varied ? kindOf(c) : K.CONST;
  const w = Sink.width(k), sparseBytes = m * (4 + w), denseBytes = n * (w + 0.125);
  const dense = m === n || (c.dense ? !(sparseBytes < denseBytes) : sparseBytes > denseBytes);
  const slots = dense ? n : m;
  let bits: Uint8Array | null = null, rows: Uint32Array | null = null;
  if (dense && m < n) bits = c.dense ? c.bits : presence(c);
  if (!dense) rows = !c.dense ? (c.rows.length === m ? c.rows : c.rows.slice(0, m)) : rowList(c);
  let enc: Enc;
  if (k === K.CONST) enc = { kind: "const", value: c.seen[0] };
  else if (k === K.BITS) enc = { kind: "bits", data: bitValues(c, dense, slots) };
  else {
    let d: NumArray;
    if (dense === c.dense && c.kind === k) d = dense || src.length === m ? src : src.slice(0, m);
    else d = moved(c, Sink.alloc(k, slots), dense);
    enc = numbers(d, slots);
  }
  // Equal bitmaps and row lists of other columns are kept once (share.ts), as finishLevel does.
  return [{ layout: dense ? (m === n ? "all" : "bits") : "rows", bits: bits && share(bits), valid: null, rows: rows && share(rows), repeat: false, count: m, enc }];
}

/** The values (all 0 or 1) as bits, slot by row (`dense`) or by occurrence. */
function bitValues(c: Collector, dense: boolean, slots: number): Uint8Array {
  const src = c.data, d = new Uint8Array((slots + 7) >>> 3), m = c.count;
  if (dense === c.dense) {
    // Slots stay where they are; by row, an absent row holds 0.
    const used = dense ? slots : m;
    for (let s = 0; s < used; s++) if (src[s] === 1) d[s >>> 3] |= 1 << (s & 7);
  } else if (dense) {
    for (let s = 0; s < m; s++) if (src[s] === 1) { const r = c.rows[s]; d[r >>> 3] |= 1 << (r & 7); }
  } else {
    let at = 0;
    each(c, (r) => { if (src[r] === 1) d[at >>> 3] |= 1 << (at & 7); at++; });
  }
  return d;
}

/** The values copied into `d` (of a narrower kind or another layout), slot by row (`dense`) or by occurrence. */
function moved(c: Collector, d: NumArray, dense: boolean): NumArray {
  const src = c.data, m = c.count;
  // The same layout: a native element-wise copy (every value fits d's kind; absent rows hold 0).
  if (dense === c.dense) d.set((dense ? src : src.subarray(0, m)) as never);
  else if (dense) for (let s = 0; s < m; s++) d[c.rows[s]] = src[s];
  else {
    let at = 0;
    each(c, (r) => { d[at++] = src[r]; });
  }
  return d;
}

/** The presence bitmap of occurrences held by occurrence. */
function presence(c: Collector): Uint8Array {
  const b = new Uint8Array((c.n + 7) >>> 3);
  for (let s = 0; s < c.count; s++) b[c.rows[s] >>> 3] |= 1 << (c.rows[s] & 7);
  return b;
}

/** The rows of occurrences held by row. */
function rowList(c: Collector): Uint32Array {
  const rows = new Uint32Array(c.count);
  let at = 0;
  each(c, (r) => { rows[at++] = r; });
  return rows;
}

/**
 * The levels after the first, from the rows' later occurrences (rows in order): a Sink of only those, whose level
 * j is the column's level j + 1. Null when a row has more than MAX_SINGLE occurrences (the column's repeating level
 * would not line up with the Sink's).
 */
function laterLevels(c: Collector): Level[] | null {
  const xr = c.extraRows!, xv = c.extraVals!, sink = newSink(c.field, c.n);
  for (let k = 0, run = 0; k < xr.length; k++) {
    run = k > 0 && xr[k] === xr[k - 1] ? run + 1 : 1;
    if (run >= MAX_SINGLE) return null;
    sink.put(xr[k], xv[k]);
  }
  return finishSink(sink, c.n);
}

/** Rows out of order (or too many occurrences): every occurrence through a Sink, each row's in arrival order. */
function viaSink(c: Collector): Level[] {
  const xr = c.extraRows!, xv = c.extraVals!, order = xr.map((_, i) => i).sort((a, b) => xr[a] - xr[b] || a - b);
  const sink = newSink(c.field, c.n), src = c.data;
  let e = 0;
  each(c, (r, s) => {
    // A row's first put came before any of its extras (a later put of the same row is an extra).
    for (; e < order.length && xr[order[e]] < r; e++) sink.put(xr[order[e]], xv[order[e]]);
    sink.put(r, src[s]);
  });
  for (; e < order.length; e++) sink.put(xr[order[e]], xv[order[e]]);
  return finishSink(sink, c.n);
}
