// The numbers of a derived column (tcp.seq, udp.time_delta, ip.version …), collected by row straight into one typed
// array of the field's storage type and turned into a level without going through a Sink (sink.ts): a derived field
// knows how many rows the column has, so once occurrences turn out frequent the array is by row, allocated once for
// every row (a caller that expects many says so and starts there), and a put is two stores. The finished level is
// what finishSink would make of the same values (same layout rule, narrowest kind, dictionary codes when they pay,
// shared bitmaps). A row's later occurrences (a tunnel's second IP header) are kept aside and become the next levels
// through a Sink; rows out of order (never, from a scan in frame order) send everything through a Sink.

import { storageOf, type FieldDef } from "../dissectors/field.js";
import { Column } from "./column.js";
import { finishSink, kindOfRange, newSink, numbers } from "./compact.js";
import { MAX_SINGLE, type Enc, type Level, type NumArray } from "./level.js";
import { share } from "./share.js";
import { K, Sink } from "./sink.js";

export class RowNumbers {
  /** By row (slot = row, presence in `bits`) or by occurrence (slot k is row rows[k]). */
  private dense: boolean;
  private bits: Uint8Array;
  private rows: Uint32Array;
  private data: NumArray;
  /** The array holds any number exactly (doubles): no fit check on a put. */
  private exact: boolean;
  private count = 0;
  private last = -1;
  /** Occurrences after a row's first, or out of row order, in arrival order. */
  private extraRows: number[] | null = null;
  private extraVals: number[] | null = null;
  private outOfOrder = false;
  /**
   * What finishing needs to know of the values put, kept as they come (no pass over them at the end): the first
   * value, the lowest, the highest. In a typed array, not fields: a field that holds a small integer and later a
   * double changes the object's shape, and puts on columns of both shapes would no longer be monomorphic.
   */
  private readonly seen = new Float64Array([0, Infinity, -Infinity]);
  private varied = false;
  /** Bytes a value takes in `data` (what decides by row versus by occurrence). */
  private readonly width: number;

  /** A column of `n` rows of a numeric field, expecting about `expected` occurrences (a hint: any number may come). */
  constructor(readonly field: FieldDef, readonly n: number, expected: number) {
    const st = storageOf(field.type);
    if (st === "any" || st === "fixed16") throw new Error(`RowNumbers: ${field.abbrev} is not numeric`);
    const w = (this.width = st === "u8" ? 1 : st === "u16" ? 2 : st === "f64" ? 8 : 4);
    // The rule finishLevel applies at the end, applied to the expectation: an array by row when it is the smaller.
    this.dense = expected >= n || expected * (4 + w) > n * (w + 0.125);
    const slots = this.dense ? n : Math.max(16, expected);
    this.bits = new Uint8Array(this.dense ? (n + 7) >>> 3 : 0);
    this.rows = new Uint32Array(this.dense ? 0 : slots);
    this.data = st === "u8" ? new Uint8Array(slots) : st === "u16" ? new Uint16Array(slots) : st === "u32" ? new Uint32Array(slots)
      : st === "i32" ? new Int32Array(slots) : new Float64Array(slots);
    this.exact = st === "f64";
  }

  /** Appends one occurrence of row r (rows in increasing order are the fast case). */
  put(r: number, x: number): void {
    if (r <= this.last) { this.extra(r, x); return; }
    this.last = r;
    let s: number;
    if (this.dense) { s = r; this.bits[r >>> 3] |= 1 << (r & 7); }
    else if (this.count === this.rows.length && this.grow(r)) { s = r; this.bits[r >>> 3] |= 1 << (r & 7); }
    else { s = this.count; this.rows[s] = r; }
    const d = this.data;
    d[s] = x;
    // A value wider than the declared type (or -0) must not wrap: the array turns to doubles.
    if (!this.exact && (d[s] !== x || (x === 0 && 1 / x < 0))) this.widen(s, x);
    // As Sink does: one value (-0 apart from 0) is a constant; NaN never equals the first.
    const seen = this.seen;
    if (this.count === 0) seen[0] = x;
    else if (x !== seen[0] || (x === 0 && 1 / x !== 1 / seen[0])) this.varied = true;
    if (x < seen[1]) seen[1] = x;
    if (x > seen[2]) seen[2] = x;
    this.count++;
  }

  /** The column of everything put. */
  finish(): Column {
    if (this.outOfOrder) return Column.of(this.field, this.n, this.viaSink());
    const levels = this.levels();
    if (this.extraRows === null) return Column.of(this.field, this.n, levels);
    const later = this.laterLevels();
    return Column.of(this.field, this.n, later === null ? this.viaSink() : [...levels, ...later]);
  }

  private extra(r: number, x: number): void {
    if (r < this.last) this.outOfOrder = true;
    if (this.extraRows === null) { this.extraRows = []; this.extraVals = []; }
    this.extraRows.push(r);
    this.extraVals!.push(x);
  }

  /**
   * A full array by occurrence meets row r: turns it by row when that is smaller at the density seen so far (true),
   * else doubles it (false). As Sink.grow decides, once enough occurrences make the density a fair guess.
   */
  private grow(r: number): boolean {
    const m = this.count, w = this.width;
    if (m >= Sink.DENSE_AFTER && m * (4 + w) > (r + 1) * (w + 0.125)) {
      const n = this.n, bits = new Uint8Array((n + 7) >>> 3), d = new (this.data.constructor as new (n: number) => NumArray)(n);
      for (let s = 0; s < m; s++) {
        const row = this.rows[s];
        bits[row >>> 3] |= 1 << (row & 7);
        d[row] = this.data[s];
      }
      this.dense = true;
      this.bits = bits;
      this.rows = new Uint32Array(0);
      this.data = d;
      return true;
    }
    const rows = new Uint32Array(this.rows.length * 2), d = new (this.data.constructor as new (n: number) => NumArray)(rows.length);
    rows.set(this.rows);
    d.set(this.data as never);
    this.rows = rows;
    this.data = d;
    return false;
  }

  private widen(s: number, x: number): void {
    const d = new Float64Array(this.data.length);
    d.set(this.data as never);
    d[s] = x;
    this.data = d;
    this.exact = true;
  }

  /** Calls f(row, slot) for every occurrence put (row order). */
  private each(f: (row: number, slot: number) => void): void {
    if (!this.dense) { for (let s = 0; s < this.count; s++) f(this.rows[s], s); return; }
    const b = this.bits;
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
   * the array still holds integers of the declared type; otherwise (a value widened it) by a pass over the values.
   */
  private kind(): K {
    const t = this.field.type;
    if (t === "double" || t === "rel_time" || t === "abs_time") return K.F64;
    if (this.exact) {
      const src = this.data;
      let k = K.BITS;
      this.each((_r, s) => { if (k !== K.F64) k = Sink.join(k, Sink.kindOf(src[s])); });
      return k;
    }
    return kindOfRange(this.seen[1], this.seen[2]);
  }

  /** One level, as finishLevel (compact.ts) lays it out: the smaller of by-row and by-occurrence, narrowest values. */
  private levels(): Level[] {
    const m = this.count, n = this.n, src = this.data, same = !this.varied;
    if (m === 0) return [];
    const k = same ? K.CONST : this.kind();
    const w = Sink.width(k), sparseBytes = m * (4 + w), denseBytes = n * (w + 0.125);
    const dense = m === n || (this.dense ? !(sparseBytes < denseBytes) : sparseBytes > denseBytes);
    const slots = dense ? n : m;
    let bits: Uint8Array | null = null, rows: Uint32Array | null = null;
    if (dense && m < n) bits = this.dense ? this.bits : this.presence();
    if (!dense) rows = !this.dense ? (this.rows.length === m ? this.rows : this.rows.slice(0, m)) : this.rowList();
    let enc: Enc;
    if (k === K.CONST) enc = { kind: "const", value: this.seen[0] };
    else if (k === K.BITS) enc = { kind: "bits", data: this.bitValues(dense, slots) };
    else {
      let d: NumArray;
      if (dense === this.dense && kindOfArray(src) === k) d = dense || src.length === m ? src : src.slice(0, m);
      else d = this.moved(Sink.alloc(k, slots), dense);
      enc = numbers(d, slots);
    }
    // Equal bitmaps and row lists of other columns are kept once (share.ts), as finishLevel does.
    return [{ layout: dense ? (m === n ? "all" : "bits") : "rows", bits: bits && share(bits), valid: null, rows: rows && share(rows), repeat: false, count: m, enc }];
  }

  /** The values (all 0 or 1) as bits, slot by row (`dense`) or by occurrence. */
  private bitValues(dense: boolean, slots: number): Uint8Array {
    const src = this.data, d = new Uint8Array((slots + 7) >>> 3), m = this.count;
    if (dense === this.dense) {
      // Slots stay where they are; by row, an absent row holds 0.
      const used = dense ? slots : m;
      for (let s = 0; s < used; s++) if (src[s] === 1) d[s >>> 3] |= 1 << (s & 7);
    } else if (dense) {
      for (let s = 0; s < m; s++) if (src[s] === 1) { const r = this.rows[s]; d[r >>> 3] |= 1 << (r & 7); }
    } else {
      let at = 0;
      this.each((r) => { if (src[r] === 1) d[at >>> 3] |= 1 << (at & 7); at++; });
    }
    return d;
  }

  /** The values copied into `d` (of a narrower kind or another layout), slot by row (`dense`) or by occurrence. */
  private moved(d: NumArray, dense: boolean): NumArray {
    const src = this.data, m = this.count;
    // The same layout: a native element-wise copy (every value fits d's kind; absent rows hold 0).
    if (dense === this.dense) d.set((dense ? src : src.subarray(0, m)) as never);
    else if (dense) for (let s = 0; s < m; s++) d[this.rows[s]] = src[s];
    else {
      let at = 0;
      this.each((r) => { d[at++] = src[r]; });
    }
    return d;
  }

  /** The presence bitmap of occurrences held by occurrence. */
  private presence(): Uint8Array {
    const b = new Uint8Array((this.n + 7) >>> 3);
    for (let s = 0; s < this.count; s++) b[this.rows[s] >>> 3] |= 1 << (this.rows[s] & 7);
    return b;
  }

  /** The rows of occurrences held by row. */
  private rowList(): Uint32Array {
    const rows = new Uint32Array(this.count);
    let at = 0;
    this.each((r) => { rows[at++] = r; });
    return rows;
  }

  /**
   * The levels after the first, from the rows' later occurrences (rows in order): a Sink of only those, whose level
   * j is the column's level j + 1. Null when a row has more than MAX_SINGLE occurrences (the column's repeating level
   * would not line up with the Sink's).
   */
  private laterLevels(): Level[] | null {
    const xr = this.extraRows!, xv = this.extraVals!, sink = newSink(this.field, this.n);
    for (let k = 0, run = 0; k < xr.length; k++) {
      run = k > 0 && xr[k] === xr[k - 1] ? run + 1 : 1;
      if (run >= MAX_SINGLE) return null;
      sink.put(xr[k], xv[k]);
    }
    return finishSink(sink, this.n);
  }

  /** Rows out of order (or too many occurrences): every occurrence through a Sink, each row's in arrival order. */
  private viaSink(): Level[] {
    const xr = this.extraRows!, xv = this.extraVals!, order = xr.map((_, i) => i).sort((a, b) => xr[a] - xr[b] || a - b);
    const sink = newSink(this.field, this.n), src = this.data;
    let e = 0;
    this.each((r, s) => {
      // A row's first put came before any of its extras (a later put of the same row is an extra).
      for (; e < order.length && xr[order[e]] < r; e++) sink.put(xr[order[e]], xv[order[e]]);
      sink.put(r, src[s]);
    });
    for (; e < order.length; e++) sink.put(xr[order[e]], xv[order[e]]);
    return finishSink(sink, this.n);
  }
}

function kindOfArray(a: NumArray): K {
  return a instanceof Uint8Array ? K.U8 : a instanceof Uint16Array ? K.U16 : a instanceof Uint32Array ? K.U32 : a instanceof Int32Array ? K.I32 : K.F64;
}
