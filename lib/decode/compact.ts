// From what was collected to the levels a column keeps: finishing a Sink (choosing each level's final layout now that
// the row count is known, trimming arrays to size, sharing identical presence bitmaps), and turning the arrays of
// the original constructor (dense values + valid, or CSR starts) into levels.

import { storageOf, type FieldDef } from "../dissectors/field.js";
import { lowerBound, slotOf, valueAt, type Enc, type Level, type NumArray, type Value } from "./level.js";
import { FileBytes } from "./file-bytes.js";
import { share } from "./share.js";
import { K, P, Sink, sinkClass, type LevelState } from "./sink.js";

/** A sink for a field's values, of the copy of the Sink class that suits the field (see sink.ts). n: rows, 0 if unknown. */
export function newSink(field: FieldDef, n: number): Sink {
  const st = storageOf(field.type);
  let plan = P.NUM, min = K.BITS, blob = false;
  if (st === "any") { plan = P.DICT; min = K.U8; blob = field.type === "bytes"; }
  else if (st === "fixed16") { plan = P.DICT_16; min = K.U8; }
  // Addresses repeat (a capture's hosts): interned as they come, so their columns are codes from the start rather
  // than four- or eight-byte values turned into codes at the end (which left the values as garbage).
  else if (field.type === "ether" || field.type === "ipv4") { plan = P.DICT_F64; min = K.U8; }
  else if (field.type === "double" || field.type === "rel_time" || field.type === "abs_time") min = K.F64;
  const kind = plan === P.NUM ? `${st}:${min}` : plan === P.DICT_F64 ? `${st}:${field.type}` : `${st}:dict`;
  const S = sinkClass(kind);
  return new S(n, plan, min, blob);
}

/** The levels of everything put into `s`, for a column of n rows. */
export function finishSink(s: Sink, n: number): Level[] {
  if (s.lateRows !== null) return rebuildInOrder(s, n);
  const dictOut = finishedDict(s);
  return s.levels.map((L) => finishLevel(s, L, n, dictOut));
}

type DictOut = readonly Value[] | Float64Array | Uint8Array | null;

function finishedDict(s: Sink): DictOut {
  switch (s.plan) {
    case P.DICT: return s.dict;
    case P.DICT_F64: return s.dictF64.slice(0, s.dictSize);
    case P.DICT_16: return s.dict16.slice(0, s.dictSize * 16);
    default: return null;
  }
}

function finishLevel(s: Sink, L: LevelState, n: number, dict: DictOut): Level {
  const k = L.kind, w = Sink.width(k), m = L.count;
  const sparseBytes = m * (4 + w), denseBytes = n * (w + 0.125);
  if (L.dense && L.size !== n) resize(L, n);
  if (!L.dense && !L.repeat && k !== K.JS && k !== K.BLOB && (m === n || sparseBytes > denseBytes)) toDense(L, n);
  else if (L.dense && m < n && sparseBytes < denseBytes) toSparse(L, n);
  let layout: Level["layout"], bits: Uint8Array | null = null, rows: Uint32Array | null = null;
  if (L.dense) {
    if (m === n) layout = "all";
    else { layout = "bits"; bits = share(L.bits); }
  } else {
    layout = "rows";
    rows = share(L.rows.length === m ? L.rows : L.rows.subarray(0, m));
    trimSparse(L);
  }
  return { layout, bits, valid: null, rows, repeat: L.repeat, count: m, enc: encOf(s, L, dict, L.dense ? n : m) };
}

/** The encoding of a finished level's values (`slots` of them). */
function encOf(s: Sink, L: LevelState, dict: DictOut, slots: number): Enc {
  switch (L.kind) {
    case K.CONST:
      if (s.plan === P.DICT) return { kind: "const", value: (dict as readonly Value[])[L.c] };
      if (s.plan === P.DICT_F64) return { kind: "const", value: (dict as Float64Array)[L.c] };
      if (s.plan === P.DICT_16) return { kind: "const", value: (dict as Uint8Array).slice(L.c * 16, L.c * 16 + 16) };
      return { kind: "const", value: L.c };
    case K.BITS: return { kind: "bits", data: L.data as Uint8Array };
    case K.F16: return { kind: "fixed16", data: L.data as Uint8Array };
    case K.JS: return { kind: "any", data: L.data as Value[] };
    case K.BLOB:
      if (L.pos.length > 0) return { kind: "file", data: L.data as Uint8Array, ends: L.ends, pos: L.pos, lens: L.lens, file: new FileBytes(s.source!) };
      return { kind: "blob", data: L.data as Uint8Array, ends: L.ends };
    default:
      if (s.plan === P.DICT || s.plan === P.DICT_F64) return { kind: "dict", codes: L.data as NumArray, dict: dict as readonly Value[] | Float64Array };
      if (s.plan === P.DICT_16) return { kind: "dict16", codes: L.data as NumArray, dict: dict as Uint8Array };
      return numbers(L.data as NumArray, slots);
  }
}

/** Moves slot `from` of `src` to slot `to` of `dst` (arrays of kind k). */
function moveSlot(k: K, src: NumArray, from: number, dst: NumArray, to: number): void {
  if (k === K.BITS) { if ((src[from >>> 3] >>> (from & 7)) & 1) dst[to >>> 3] |= 1 << (to & 7); }
  else if (k === K.F16) dst.set(src.subarray(from * 16, from * 16 + 16), to * 16);
  else dst[to] = src[from];
}

/** A dense level sized on a guess (rows not known while it filled) gets arrays of exactly n rows. */
function resize(L: LevelState, n: number): void {
  const bits = new Uint8Array((n + 7) >>> 3);
  bits.set(L.bits.subarray(0, bits.length));
  if (n & 7 && bits.length > 0) bits[bits.length - 1] &= (1 << (n & 7)) - 1;
  L.bits = bits;
  if (L.kind !== K.CONST) {
    const d = Sink.alloc(L.kind, n), len = d.length;
    d.set((L.data as NumArray).subarray(0, len) as never);
    L.data = d;
  }
  L.size = n;
}

function toDense(L: LevelState, n: number): void {
  const bits = new Uint8Array((n + 7) >>> 3), d = L.kind === K.CONST ? null : Sink.alloc(L.kind, n);
  for (let s = 0; s < L.count; s++) {
    const r = L.rows[s];
    bits[r >>> 3] |= 1 << (r & 7);
    if (d) moveSlot(L.kind, L.data as NumArray, s, d, r);
  }
  L.dense = true;
  L.size = n;
  L.bits = bits;
  L.rows = new Uint32Array(0);
  L.data = d;
}

function toSparse(L: LevelState, n: number): void {
  const rows = new Uint32Array(L.count), d = L.kind === K.CONST ? null : Sink.alloc(L.kind, L.count);
  let s = 0;
  for (let r = 0; r < n; r++) {
    if (((L.bits[r >>> 3] >>> (r & 7)) & 1) === 0) continue;
    rows[s] = r;
    if (d) moveSlot(L.kind, L.data as NumArray, r, d, s);
    s++;
  }
  L.dense = false;
  L.bits = new Uint8Array(0);
  L.rows = rows;
  L.data = d;
}

/**
 * Cuts a sparse level's value arrays to its occurrences: views of their first slots, not copies. Why: a copy leaves
 * the whole array as garbage until V8 collects it (array buffers are collected late: 150 MB were pending at the end
 * of the extraction of a 2M-frame capture), whereas the part past the view was never written (the sink writes its
 * arrays in order and copies only their written part when they grow: see Sink.grow), so it is pages the system never
 * gave, which cost no memory.
 */
function trimSparse(L: LevelState): void {
  const m = L.count;
  switch (L.kind) {
    case K.CONST: case K.JS: break;
    case K.BLOB:
      if (L.data.length !== L.used) L.data = (L.data as Uint8Array).subarray(0, L.used);
      if (L.ends.length !== m) L.ends = L.ends.subarray(0, m);
      if (L.pos.length > m) { L.pos = L.pos.subarray(0, m); L.lens = L.lens.subarray(0, m); }
      break;
    default: {
      const len = L.kind === K.BITS ? (m + 7) >>> 3 : L.kind === K.F16 ? m * 16 : m;
      if (L.data.length !== len) L.data = (L.data as NumArray).subarray(0, len);
    }
  }
}

/** Values came out of row order: sorts every occurrence by row (stably, so a row keeps its order) and refills. */
function rebuildInOrder(s: Sink, n: number): Level[] {
  const pairs: { r: number; v: Value }[] = [];
  const lateRows = s.lateRows!, lateVals = s.lateVals!;
  s.lateRows = s.lateVals = null;
  const first = finishSink(s, n);
  forEachOccurrence(first, n, (r, v) => pairs.push({ r, v: v instanceof Uint8Array ? v.slice() : v }));
  for (let k = 0; k < lateRows.length; k++) pairs.push({ r: lateRows[k], v: lateVals[k] });
  pairs.sort((a, b) => a.r - b.r);
  const again = newSinkLike(s, n);
  for (const p of pairs) again.put(p.r, p.v);
  return finishSink(again, n);
}

function newSinkLike(s: Sink, n: number): Sink {
  const S = s.constructor as typeof Sink;
  const plan = s.plan === P.RAW ? P.DICT : s.plan === P.RAW_16 ? P.DICT_16 : s.plan;
  const again = new S(n, plan, s.minKind, s.blob);
  again.source = s.source;
  return again;
}

/** Every occurrence of levels (row order; a row's occurrences in order). */
export function forEachOccurrence(levels: readonly Level[], n: number, f: (row: number, v: Value) => void): void {
  for (let i = 0; i < n; i++) {
    for (const l of levels) {
      if (l.repeat) {
        for (let k = lowerBound(l.rows!, l.count, i); k < l.count && l.rows![k] === i; k++) f(i, valueAt(l.enc, k));
        break;
      }
      const s = slotOf(l, i);
      if (s < 0) break;
      f(i, valueAt(l.enc, s));
    }
  }
}

// ---------------------------------------------------------------------------- the original constructor's arrays

/** Columns of at most this many rows keep a byte-a-row `valid` as it was given (no conversion pass). */
const SMALL = 1 << 16;

/**
 * Levels of a column given the original way: dense (values by row + valid) or multi (CSR starts + flat values).
 * Does not modify the arrays; may keep a reference to them.
 */
export function levelsOf(field: FieldDef, n: number, values: NumArray | Value[], valid: Uint8Array | null, starts: Uint32Array | null): Level[] {
  const st = storageOf(field.type);
  const at = (k: number): Value => (st === "fixed16" ? (values as Uint8Array).subarray(k * 16, k * 16 + 16) : (values as ArrayLike<Value>)[k]);
  if (starts !== null) {
    const s = newSink(field, n);
    for (let i = 0; i < n; i++) for (let k = starts[i], e = starts[i + 1]; k < e; k++) s.put(i, at(k));
    return finishSink(s, n);
  }
  let present = n;
  if (valid !== null) { present = 0; for (let i = 0; i < n; i++) present += valid[i] === 1 ? 1 : 0; }
  if (present === 0) return [];
  const typed = ArrayBuffer.isView(values) && st !== "fixed16" && st !== "any";
  if (typed && (present === n || n <= SMALL)) {
    const enc = compactNumbers(values as NumArray, field, present === n ? null : valid);
    return [{ layout: present === n ? "all" : "valid", bits: null, valid: present === n ? null : valid, rows: null, repeat: false, count: present, enc }];
  }
  const s = newSink(field, n);
  for (let i = 0; i < n; i++) if (valid === null || valid[i] === 1) s.put(i, at(i));
  return finishSink(s, n);
}

/** A dense typed array as its narrowest encoding: one constant, bits, or a narrower array (the same one if none). */
function compactNumbers(a: NumArray, field: FieldDef, valid: Uint8Array | null): Enc {
  const doubles = field.type === "double" || field.type === "rel_time" || field.type === "abs_time";
  let k = doubles ? K.F64 : K.BITS, first = true, c = 0, same = true;
  if (valid === null && a.length > 0) ({ k, same, c } = kindOfValues(a, doubles));
  else {
    for (let i = 0; i < a.length; i++) {
      if (valid !== null && valid[i] !== 1) continue;
      const x = a[i];
      if (first) { c = x; first = false; } else if (same && !Object.is(x, c)) same = false;
      if (k !== K.F64) k = Sink.join(k, Sink.kindOf(x));
      if (!same && k === K.F64) break;
    }
  }
  if (same) return { kind: "const", value: c };
  if (k === K.BITS) {
    const d = new Uint8Array((a.length + 7) >>> 3);
    for (let i = 0; i < a.length; i++) if (a[i] === 1 && (valid === null || valid[i] === 1)) d[i >>> 3] |= 1 << (i & 7);
    return { kind: "bits", data: d };
  }
  if (kindOfArray(a) <= k) return numbers(a, a.length);
  const d = Sink.alloc(k, a.length);
  if (valid === null) d.set(a as never);
  else for (let i = 0; i < a.length; i++) if (valid[i] === 1) d[i] = a[i];
  return numbers(d, a.length);
}

/**
 * Numbers as they are, or as codes into their distinct values when there are few (eth.addr.oui, tcp.window_size,
 * frame.time_delta): a byte or two a value instead of four or eight. Doubles that stay are shared with an equal
 * array of another column.
 */
export function numbers(a: NumArray, slots: number): Enc {
  const w = a.BYTES_PER_ELEMENT, limit = codesLimit(slots, w);
  const d = limit > 0 ? distinctCodes(a, slots, limit) : null;
  if (d !== null && codesPay(slots, w, d.dict.length)) return { kind: "dict", codes: d.codes, dict: d.dict };
  return { kind: "num", data: a instanceof Float64Array ? share(a) : a };
}

/**
 * The most distinct values for which codes (a byte up to 256 values, else two) and their table beat `slots` values of
 * w bytes (0: codes never pay).
 */
export function codesLimit(slots: number, w: number): number {
  if (w < 2 || slots < 1024) return 0;
  const byteCodes = Math.min(256, Math.floor((0.6 * slots * w - slots) / 8));
  return Math.max(0, byteCodes, Math.min(65536, Math.floor((0.6 * slots * w - 2 * slots) / 8)));
}

/** Whether codes into `distinct` values are kept instead of `slots` values of w bytes (numbers' rule). */
export function codesPay(slots: number, w: number, distinct: number): boolean {
  return distinct <= codesLimit(slots, w) && slots * (distinct <= 256 ? 1 : 2) + 8 * distinct < 0.6 * slots * w;
}

/**
 * distinctCodes' hash table, kept from one call to the next: a fresh one (up to 512 KB, all written to empty it) for
 * each of the hundreds of columns a decode finishes would be that much garbage each time.
 */
let scratchTable = new Int32Array(0);

/**
 * Codes of a[0..slots) into its distinct values (numbered in order of first appearance), or null past `limit`
 * distinct values. Doubles compare as bits. One pass writes byte codes, turning them into two-byte codes (limit <=
 * 65536) only when a 257th value comes; giving up early touches only the part written so far (a large typed array is
 * zero pages until written). Specialised loops, no per-slot closure: this runs over every slot of every column that
 * may turn into codes.
 */
function distinctCodes(a: NumArray, slots: number, limit: number): { codes: Uint8Array | Uint16Array; dict: Float64Array } | null {
  let size = 64;
  while (size < limit * 2) size *= 2;
  if (scratchTable.length < size) scratchTable = new Int32Array(size);
  const table = scratchTable.subarray(0, size).fill(-1), dict = new Float64Array(limit);
  const out = a instanceof Float64Array ? doubleCodes(a, slots, limit, table, dict) : intCodes(a, slots, limit, table, dict);
  return out === null ? null : { codes: out.codes, dict: dict.slice(0, out.d) };
}

/** Byte codes so far (slots before s) as two-byte codes: a 257th distinct value came. */
function widerCodes(codes: Uint8Array, slots: number, s: number): Uint16Array {
  const w = new Uint16Array(slots);
  w.set(codes.subarray(0, s));
  return w;
}

/** distinctCodes for integers: the codes and the number of distinct values, or null past the limit. */
function intCodes(a: Uint8Array | Uint16Array | Uint32Array | Int32Array, slots: number, limit: number, table: Int32Array, dict: Float64Array): { codes: Uint8Array | Uint16Array; d: number } | null {
  const mask = table.length - 1;
  let codes: Uint8Array | Uint16Array = new Uint8Array(slots), d = 0, prev = NaN, pc = 0;
  for (let s = 0; s < slots; s++) {
    const x = a[s];
    // A slot equal to the one before has its code (runs are common: a constant stretch, absent rows' zeros).
    if (x !== prev) {
      // Int32 arithmetic on the hash: Uint32 values past 2^31 would not stay small integers for V8.
      let h = (Math.imul(x | 0, 0x9e3779b1 | 0) >>> 8) & mask, c: number;
      while ((c = table[h]) !== -1 && dict[c] !== x) h = (h + 1) & mask;
      if (c === -1) {
        if (d === limit) return null;
        if (d === 256) codes = widerCodes(codes as Uint8Array, slots, s);
        table[h] = c = d;
        dict[d++] = x;
      }
      prev = x;
      pc = c;
    }
    codes[s] = pc;
  }
  return { codes, d };
}

/** distinctCodes for doubles, compared as their bits (-0 is not 0; NaN equals a NaN of the same bits). */
function doubleCodes(a: Float64Array, slots: number, limit: number, table: Int32Array, dict: Float64Array): { codes: Uint8Array | Uint16Array; d: number } | null {
  const mask = table.length - 1, bits = new Int32Array(a.buffer, a.byteOffset, slots * 2), g = new Int32Array(dict.buffer);
  let codes: Uint8Array | Uint16Array = new Uint8Array(slots), d = 0, plo = 0, phi = 0, pc = -1;
  for (let s = 0; s < slots; s++) {
    const lo = bits[2 * s], hi = bits[2 * s + 1];
    if (pc < 0 || lo !== plo || hi !== phi) {
      let h = (Math.imul(lo ^ Math.imul(hi, 0x85ebca6b | 0), 0x9e3779b1 | 0) >>> 8) & mask, c: number;
      while ((c = table[h]) !== -1 && (g[2 * c] !== lo || g[2 * c + 1] !== hi)) h = (h + 1) & mask;
      if (c === -1) {
        if (d === limit) return null;
        if (d === 256) codes = widerCodes(codes as Uint8Array, slots, s);
        table[h] = c = d;
        g[2 * d] = lo;
        g[2 * d + 1] = hi;
        d++;
      }
      plo = lo;
      phi = hi;
      pc = c;
    }
    codes[s] = pc;
  }
  return { codes, d };
}

/**
 * What the loop of compactNumbers finds for every value of a (non-empty): the narrowest kind (Sink.kindOf joined over
 * the values), whether they are all one value (Object.is) and the first. Tight loops on the range instead of a kind
 * per value: an integer array needs only its lowest and highest value (kindOfRange), doubles of a double field only
 * the constant check, other doubles also whether each is an integer (not -0).
 */
function kindOfValues(a: NumArray, doubles: boolean): { k: K; same: boolean; c: number } {
  const c = a[0], n = a.length;
  if (doubles) {
    let i = 1;
    while (i < n && Object.is(a[i], c)) i++;
    return { k: K.F64, same: i === n, c };
  }
  let lo = c, hi = c;
  if (!(a instanceof Float64Array)) {
    for (let i = 1; i < n; i++) {
      const x = a[i];
      if (x < lo) lo = x;
      else if (x > hi) hi = x;
    }
    return { k: kindOfRange(lo, hi), same: lo === hi, c };
  }
  let same = true, frac = false;
  for (let i = 0; i < n; i++) {
    const x = a[i];
    if (same && !Object.is(x, c)) same = false;
    if (x !== Math.floor(x) || (x === 0 && 1 / x < 0)) frac = true; // NaN, fractions, -0: doubles (Sink.kindOf)
    if (x < lo) lo = x;
    else if (x > hi) hi = x;
    if (frac && !same) break;
  }
  return { k: frac ? K.F64 : kindOfRange(lo, hi), same, c };
}

/**
 * The narrowest kind of integers from lo to hi, as Sink.kindOf joined over them: bits, u8, u16, u32 for non-negative
 * ones; a negative one is i32, which joins with u32 (any value past 0xffff) only as f64.
 */
export function kindOfRange(lo: number, hi: number): K {
  if (lo >= 0) return hi <= 1 ? K.BITS : hi <= 0xff ? K.U8 : hi <= 0xffff ? K.U16 : hi <= 0xffffffff ? K.U32 : K.F64;
  return hi > 0xffff || lo < -0x80000000 ? K.F64 : K.I32;
}

/** The kind an existing array already is (its narrowing is pointless when no narrower kind holds the values). */
function kindOfArray(a: NumArray): K {
  if (a instanceof Uint8Array) return K.U8;
  if (a instanceof Uint16Array) return K.U16;
  if (a instanceof Uint32Array) return K.U32;
  if (a instanceof Int32Array) return K.I32;
  return K.F64;
}
