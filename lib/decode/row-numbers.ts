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
import { codesLimit, codesPay, finishSink, kindOfRange, newSink, numbers } from "./compact.js";
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

/**
 * A column of `n` rows of a numeric field, expecting about `expected` occurrences (a hint: any number may come), and
 * at most `bound` rows with one (a caller that knows fewer than n rows can have the field says so: see Collector.grow).
 */
export function rowNumbers(field: FieldDef, n: number, expected: number, bound = n): RowNumbers {
  const st = storageOf(field.type);
  if (st === "any" || st === "fixed16") throw new Error(`rowNumbers: ${field.abbrev} is not numeric`);
  const t = field.type, doubles = t === "double" || t === "rel_time" || t === "abs_time";
  return new Collector(field, n, expected, doubles ? K.F64 : K.U8, Math.max(0, Math.min(bound, n)));
}

/**
 * Occurrences by occurrence past which a growing array jumps to its bound at once rather than doubling. Why: every
 * outgrown array is garbage that V8 collects late (array buffers: measured 150 MB pending at the end of the TCP
 * replay of a 2M-frame capture), whereas the untouched pages of a large array cost no memory (they are not resident
 * until written), so one array as large as the column can get, filled as values come, costs only what it holds.
 */
const JUMP = 1 << 16;

const NONE8 = new Uint8Array(0), NONE16 = new Uint16Array(0), NONE32 = new Uint32Array(0), NONEI32 = new Int32Array(0), NONE64 = new Float64Array(0);

/**
 * Distinct values the codes of a collector may stand for (two-byte codes); past this many, values are kept as they
 * come. Why codes first: a column of few distinct values (a window size, a scale factor, the time between segments)
 * ends as codes into them anyway (compact.ts numbers), and building its values first (four or eight bytes a row) to
 * turn them into codes at the end leaves those values as garbage (measured: 44 MB in the TCP replay of a 2M-frame
 * capture), collected late.
 */
const MAX_CODES = 65536;

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

  /** Occurrences by occurrence at which to look at the density again (Collector.grow); the arrays may be larger. */
  check: number;

  /**
   * While true, slots hold codes into `dict` (distinct values as bits, numbered in order of first appearance), in
   * c8 (up to 256 values) or c16, and `kind` is the kind the values would need (see MAX_CODES). Doubles start coded;
   * integers start as byte values (codes of bytes never pay) and turn coded when they first widen, if their values are
   * few (toCodes). Coding stops, for good, once there are more distinct values than codes could pay for.
   */
  coded: boolean;
  /** Integers not tried as codes yet (toCodes is tried once). */
  codable: boolean;
  /** The last value coded (its bits) and its code: runs of one value skip the table. */
  lastLo = 0;
  lastHi = 0;
  lastCode = -1;
  c8 = NONE8;
  c16 = NONE16;
  dict = new Float64Array(64);
  distinct = 0;
  /** Open addressing over `dict`: code + 1 (0: empty). */
  table = new Int32Array(256);
  /** The dictionary's values as bits (two words a value). */
  dictBits = new Int32Array(this.dict.buffer);
  /** The value being coded, and its bits. */
  readonly key = new Float64Array(1);
  readonly keyBits = new Int32Array(this.key.buffer);

  constructor(readonly field: FieldDef, readonly n: number, expected: number, kind: K, readonly bound: number) {
    const w = Sink.width(kind);
    // The rule finishLevel applies at the end, applied to the expectation: an array by row when it is clearly the
    // smaller (the expectation is an upper bound: by a hair, the column ends by occurrence, and turning an array of
    // every row into one by occurrence at the end costs both at once).
    this.dense = expected >= n || expected * (4 + w) > n * (w + 0.125) * 1.01;
    const slots = this.dense ? n : Math.min(Math.max(16, expected), Math.max(16, bound));
    this.check = slots;
    this.bits = new Uint8Array(this.dense ? (n + 7) >>> 3 : 0);
    this.rows = new Uint32Array(this.dense ? 0 : slots);
    this.kind = kind;
    this.coded = kind === K.F64;
    this.codable = !this.coded;
    if (this.coded) this.c8 = new Uint8Array(slots);
    else this.data = Sink.alloc(kind, slots);
  }

  /** The codes' array. */
  get codes(): Uint8Array | Uint16Array {
    return this.c16.length > 0 ? this.c16 : this.c8;
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
    else if (this.count === this.check && this.grow(r)) { s = r; this.bits[r >>> 3] |= 1 << (r & 7); }
    else { s = this.count; this.rows[s] = r; }
    const k = this.kind;
    if (this.coded) this.putCode(s, x);
    // Each store sees one array type (see the top). A value the array does not hold (or -0, which only doubles
    // keep) widens it first.
    else if (k === K.F64) this.f64[s] = x;
    else if (x === 0 && 1 / x < 0) this.widenPut(s, x);
    else if (k === K.U8 && (x & 0xff) === x) this.u8[s] = x;
    else if (k === K.U16 && (x & 0xffff) === x) this.u16[s] = x;
    else if (k === K.U32 && x >>> 0 === x) this.u32[s] = x;
    else if (k === K.I32 && (x | 0) === x) this.i32[s] = x;
    else this.widenPut(s, x);
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

  /** Stores the code of x in slot s (coding x when new), or x itself once there are too many distinct values. */
  putCode(s: number, x: number): void {
    // The kind an array of the values would have by now (as widen makes it).
    const k = this.kind;
    if (k !== K.F64) {
      if (x === 0 && 1 / x < 0) this.kind = K.F64;
      else if (!Sink.fits(k, x)) this.kind = Sink.join(k, Sink.kindOf(x) === K.BITS ? K.U8 : Sink.kindOf(x));
    }
    this.key[0] = x;
    const lo = this.keyBits[0], hi = this.keyBits[1];
    let c = this.lastCode;
    if (lo !== this.lastLo || hi !== this.lastHi || c < 0) {
      const t = this.table, mask = t.length - 1, g = this.dictBits;
      let h = (Math.imul(lo ^ Math.imul(hi, 0x85ebca6b | 0), 0x9e3779b1 | 0) >>> 8) & mask;
      while ((c = t[h]) !== 0 && (g[2 * c - 2] !== lo || g[2 * c - 1] !== hi)) h = (h + 1) & mask;
      if (c === 0) {
        // More values than codes could pay for, even over every row: the values, from now on.
        if (this.distinct >= Math.min(MAX_CODES, codesLimit(this.n, Sink.width(this.kind)))) {
          this.decode(this.kind, this.dense ? this.n : this.rows.length);
          this.data[s] = x;
          return;
        }
        c = this.addCode(x, h);
      } else c--;
      this.lastLo = lo;
      this.lastHi = hi;
      this.lastCode = c;
    }
    if (this.c16.length > 0) this.c16[s] = c;
    else this.c8[s] = c;
  }

  /** Enters x (whose empty table slot is h) as the next code. */
  addCode(x: number, h: number): number {
    const c = this.distinct++;
    if (c === this.dict.length) {
      const d = new Float64Array(c * 2);
      d.set(this.dict);
      this.dict = d;
      this.dictBits = new Int32Array(d.buffer);
    }
    this.dict[c] = x;
    this.table[h] = c + 1;
    if (this.distinct * 2 > this.table.length) this.rehash();
    // A 257th value: two-byte codes (only the slots written so far are copied: see JUMP).
    if (c === 256) {
      const w = new Uint16Array(this.c8.length);
      w.set(this.c8.subarray(0, this.dense ? this.last + 1 : this.count));
      this.c16 = w;
      this.c8 = NONE8;
    }
    return c;
  }

  rehash(): void {
    const t = new Int32Array(this.table.length * 2), mask = t.length - 1, g = this.dictBits;
    for (let c = 0; c < this.distinct; c++) {
      const lo = g[2 * c], hi = g[2 * c + 1];
      let h = (Math.imul(lo ^ Math.imul(hi, 0x85ebca6b | 0), 0x9e3779b1 | 0) >>> 8) & mask;
      while (t[h] !== 0) h = (h + 1) & mask;
      t[h] = c + 1;
    }
    this.table = t;
  }

  /**
   * Codes -> values in an array of `kind` (which holds every value put) and `slots` slots, in the same layout; the
   * codes and the dictionary are dropped.
   */
  decode(kind: K, slots: number): void {
    const d = Sink.alloc(kind === K.BITS ? K.U8 : kind, slots), codes = this.codes, dict = this.dict;
    each(this, (_r, s) => { d[s] = dict[codes[s]]; });
    this.coded = false;
    this.c8 = NONE8;
    this.c16 = NONE16;
    this.dict = NONE64;
    this.dictBits = NONEI32;
    this.table = NONEI32;
    this.kind = kind === K.BITS ? K.U8 : kind;
    this.data = d;
  }

  extra(r: number, x: number): void {
    if (r < this.last) this.outOfOrder = true;
    if (this.extraRows === null) { this.extraRows = []; this.extraVals = []; }
    this.extraRows.push(r);
    this.extraVals!.push(x);
  }

  /**
   * The arrays by occurrence have `check` values (they may have room for more): turns them by row when that is smaller
   * at the density seen so far (true), else looks again at twice as many (false). As Sink.grow decides, once
   * Sink.DENSE_AFTER occurrences make the density a fair guess; the array keeps its kind. Arrays that are full grow
   * by doubling while small, then to every row the field can still have (JUMP), so they are copied a few times at
   * most, and only their written part is ever resident.
   */
  grow(r: number): boolean {
    const m = this.count, w = Sink.width(this.kind), old = this.coded ? this.codes : this.data;
    if (m >= Sink.DENSE_AFTER && m * (4 + w) > (r + 1) * (w + 0.125)) {
      const n = this.n, bits = new Uint8Array((n + 7) >>> 3), d = this.slotArray(n);
      for (let s = 0; s < m; s++) {
        const row = this.rows[s];
        bits[row >>> 3] |= 1 << (row & 7);
        d[row] = old[s];
      }
      this.dense = true;
      this.bits = bits;
      this.rows = new Uint32Array(0);
      this.setSlots(d);
      return true;
    }
    // The next look is at twice as many, or when the arrays are full (a bound that did not hold), if sooner.
    this.check = Math.min(m * 2, this.rows.length);
    if (m < this.rows.length) return false;
    // Room for every row that can still have a value here (one each: more go to `extra`), or twice as much while
    // the arrays are small; a bound the caller gave that did not hold just doubles them.
    const most = Math.min(this.bound, m + (this.n - r));
    let size = m >= JUMP ? most : Math.min(m * 2, most);
    if (size <= m) size = m * 2 + 16;
    this.check = Math.min(m * 2, size);
    const rows = new Uint32Array(size), d = this.slotArray(size);
    rows.set(this.rows);
    d.set(old as never);
    this.rows = rows;
    this.setSlots(d);
    return false;
  }

  /** A new array of the slots' type (codes or values), of `size` slots. */
  slotArray(size: number): NumArray {
    if (!this.coded) return Sink.alloc(this.kind, size);
    return this.c16.length > 0 ? new Uint16Array(size) : new Uint8Array(size);
  }

  setSlots(d: NumArray): void {
    if (!this.coded) this.data = d;
    else if (d instanceof Uint16Array) this.c16 = d;
    else this.c8 = d as Uint8Array;
  }

  /** The array does not hold x: it becomes of the narrowest kind holding both (Sink.kindOf joined). */
  /**
   * Slot s gets x, which the values' array does not hold (or -0, which only doubles keep): the first time, the values
   * turn into codes when they are few enough for codes to pay (toCodes); else the array widens.
   */
  widenPut(s: number, x: number): void {
    const k = Sink.join(this.kind, Sink.kindOf(x) === K.BITS ? K.U8 : Sink.kindOf(x));
    if (this.codable) {
      this.codable = false;
      if (this.toCodes(s, k)) { this.putCode(s, x); return; }
    }
    // Wider values may make an array by row the larger at the density so far (frame numbers past 65535 in a third
    // of the rows): by occurrence now, while the array by row is still mostly unwritten, rather than at the end.
    const m = this.count + 1, w = Sink.width(k);
    if (this.dense && m >= Sink.DENSE_AFTER && m * (4 + w) < (this.last + 1) * (w + 0.125)) {
      this.byOccurrence(k);
      this.data[this.count] = x;
      return;
    }
    this.widen(x);
    this.data[s] = x;
  }

  /**
   * Arrays by row -> by occurrence, the values in an array of kind k (which holds them); the row being put (the last,
   * its bit set, no value yet) is the last slot.
   */
  byOccurrence(k: K): void {
    const m = this.count + 1, size = Math.max(m + 16, Math.min(this.bound, this.count + (this.n - this.last)));
    const rows = new Uint32Array(size), d = Sink.alloc(k, size), src = this.data;
    let at = 0;
    each(this, (row) => { rows[at] = row; d[at++] = src[row]; });
    this.dense = false;
    this.bits = NONE8;
    this.rows = rows;
    this.kind = k;
    this.data = d;
    this.check = Math.min(2 * m, size);
  }

  /**
   * Byte values -> codes, in place (a byte a slot both), when their distinct values (with one more to come) are few
   * enough for codes to pay at kind k over every row. Slot s is the one being put (not a value yet).
   */
  toCodes(s: number, k: K): boolean {
    if (this.kind !== K.U8) return false;
    const limit = Math.min(MAX_CODES, codesLimit(this.n, Sink.width(k)));
    const v = this.u8, code = new Int16Array(256).fill(-1), order: number[] = [];
    each(this, (_r, at) => {
      if (at !== s && code[v[at]] < 0) { code[v[at]] = order.length; order.push(v[at]); }
    });
    if (order.length + 1 > limit) return false;
    each(this, (_r, at) => { if (at !== s) v[at] = code[v[at]]; });
    this.coded = true;
    this.u8 = NONE8;
    this.c8 = v;
    for (const x of order) {
      this.key[0] = x;
      const lo = this.keyBits[0], hi = this.keyBits[1], mask = this.table.length - 1;
      let h = (Math.imul(lo ^ Math.imul(hi, 0x85ebca6b | 0), 0x9e3779b1 | 0) >>> 8) & mask;
      while (this.table[h] !== 0) h = (h + 1) & mask;
      this.addCode(x, h);
    }
    return true;
  }

  widen(x: number): void {
    const k = Sink.join(this.kind, Sink.kindOf(x) === K.BITS ? K.U8 : Sink.kindOf(x)), old = this.data, d = Sink.alloc(k, old.length);
    // Only the slots written so far: the rest of a large array is pages never touched, which cost nothing until used.
    d.set(old.subarray(0, this.dense ? this.last + 1 : this.count) as never);
    this.kind = k;
    this.data = d;
  }
}

// ------------------------------------------------------------------------------------------------ finishing

function finish(c: Collector): Column {
  if (c.outOfOrder) {
    if (c.coded) c.decode(c.kind, c.dense ? c.n : c.count);
    return Column.of(c.field, c.n, viaSink(c));
  }
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
    let k = K.BITS;
    // Coded: the dictionary holds exactly the values put.
    if (c.coded) for (let i = 0; i < c.distinct && k !== K.F64; i++) k = Sink.join(k, Sink.kindOf(c.dict[i]));
    else {
      const src = c.data;
      each(c, (_r, s) => { if (k !== K.F64) k = Sink.join(k, Sink.kindOf(src[s])); });
    }
    return k;
  }
  return kindOfRange(c.seen[1], c.seen[2]);
}

/** One level, as finishLevel (compact.ts) lays it out: the smaller of by-row and by-occurrence, narrowest values. */
function levels(c: Collector): Level[] {
  const m = c.count, n = c.n;
  if (m === 0) return [];
  const k = c.varied ? kindOf(c) : K.CONST;
  const w = Sink.width(k), sparseBytes = m * (4 + w), denseBytes = n * (w + 0.125);
  const dense = m === n || (c.dense ? !(sparseBytes < denseBytes) : sparseBytes > denseBytes);
  const slots = dense ? n : m;
  let bits: Uint8Array | null = null, rows: Uint32Array | null = null;
  if (dense && m < n) bits = c.dense ? c.bits : presence(c);
  // By occurrence, the arrays are views of their first m slots, not copies (see JUMP: the rest was never written).
  if (!dense) rows = !c.dense ? (c.rows.length === m ? c.rows : c.rows.subarray(0, m)) : rowList(c);
  let enc: Enc;
  // Codes that pay (as numbers() would decide) are the level's; otherwise they become the values (the codes are the
  // garbage then, a byte or two a slot rather than the values' four or eight).
  if (c.coded && k !== K.CONST && k !== K.BITS && codesPay(slots, w, c.distinct)) enc = { kind: "dict", codes: codesIn(c, dense, slots), dict: c.dict.slice(0, c.distinct) };
  else {
    const known = c.coded;
    if (c.coded && k !== K.CONST) c.decode(k, c.dense ? n : m);
    enc = valuesEnc(c, k, dense, slots, known);
  }
  // Equal bitmaps and row lists of other columns are kept once (share.ts), as finishLevel does.
  return [{ layout: dense ? (m === n ? "all" : "bits") : "rows", bits: bits && share(bits), valid: null, rows: rows && share(rows), repeat: false, count: m, enc }];
}

/** The codes, slot by row (`dense`) or by occurrence. */
function codesIn(c: Collector, dense: boolean, slots: number): Uint8Array | Uint16Array {
  const src = c.codes, m = c.count;
  if (dense === c.dense) return dense || src.length === m ? src : src.subarray(0, m);
  const d = src instanceof Uint16Array ? new Uint16Array(slots) : new Uint8Array(slots);
  if (dense) for (let s = 0; s < m; s++) d[c.rows[s]] = src[s];
  else {
    let at = 0;
    each(c, (r) => { d[at++] = src[r]; });
  }
  return d;
}

/**
 * The encoding of the values (held as values, of a kind k holds) of a level laid out `dense` or not. `uncoded`: codes
 * are known not to pay (the collector's said so), so numbers() need not look for them again.
 */
function valuesEnc(c: Collector, k: K, dense: boolean, slots: number, uncoded: boolean): Enc {
  const m = c.count, src = c.data;
  let enc: Enc;
  if (k === K.CONST) enc = { kind: "const", value: c.seen[0] };
  else if (k === K.BITS) enc = { kind: "bits", data: bitValues(c, dense, slots) };
  else {
    let d: NumArray;
    if (dense === c.dense && c.kind === k) d = dense || src.length === m ? src : src.subarray(0, m);
    else d = moved(c, Sink.alloc(k, slots), dense);
    enc = uncoded ? { kind: "num", data: d instanceof Float64Array ? share(d) : d } : numbers(d, slots);
  }
  return enc;
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
