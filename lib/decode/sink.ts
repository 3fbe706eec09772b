// Streaming construction of a column: occurrences arrive as (row, value) in row order and go straight into typed
// storage, never into boxed pairs. Each level starts sparse (rows + values, sized by occurrences) and turns dense
// (values indexed by row + a presence bitmap) once its occurrences are frequent enough that this is smaller. Values
// start as one constant and widen only as needed: constant -> bits -> u8 -> u16 -> u32/i32 -> f64. Strings, bytes,
// MAC and IPv6 addresses are interned into a dictionary (codes widen the same way) unless they hardly repeat, in
// which case they are kept as they come (bytes concatenated in one buffer, not one object each).
//
// Why a class cloned per kind of field (sinkClass): the stores `data[slot] = x` see every typed-array type the
// fields write; one shared copy of this code would see them all and go megamorphic (slow generic stores), so each
// plan gets its own copy with its own type feedback. This is why the class is self-contained: it refers to nothing
// outside itself (constants are const enums, inlined by the compiler; helpers are static methods).

import type { Value } from "./level.js";

/** How a level holds its values while being built. */
export const enum K { CONST = 0, BITS = 1, U8 = 2, U16 = 3, U32 = 4, I32 = 5, F64 = 6, F16 = 7, JS = 8, BLOB = 9 }

/** What the sink does with an incoming value. */
export const enum P {
  /** numbers as they are */
  NUM = 0,
  /** strings / bytes interned into `dict` (Value[]) */
  DICT = 1,
  /** numbers (MAC addresses) interned into `dictF64` */
  DICT_F64 = 2,
  /** 16-byte values (IPv6) interned into `dict16` */
  DICT_16 = 3,
  /** strings / bytes kept one by one (the dictionary did not pay) */
  RAW = 4,
  /** 16-byte values kept one by one */
  RAW_16 = 5,
}

/** One level under construction (see level.ts for the finished form). */
export interface LevelState {
  readonly repeat: boolean;
  /** dense: slot = row, presence in `bits`; else slot = occurrence index, row in `rows`. */
  dense: boolean;
  /** dense: rows the arrays have room for (the column's rows, or a growing guess while they are not known). */
  size: number;
  rows: Uint32Array;
  bits: Uint8Array;
  count: number;
  kind: K;
  /** CONST: the value every occurrence has (a code under a dictionary plan). */
  c: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a typed array of `kind`, or Value[] (JS)
  data: any;
  /** BLOB: end offset in data of each slot. */
  ends: Uint32Array;
  /** BLOB: bytes used in data. */
  used: number;
  /** BLOB: where a slot's bytes are in the capture file (-1: in data), once some are (else empty). */
  pos: Float64Array;
  /** BLOB: the length of a slot's bytes in the file. */
  lens: Uint32Array;
}

export class Sink {
  /** Occurrences a sparse level holds before it may turn dense (its density is a guess until then). */
  static readonly DENSE_AFTER = 1024;
  /** Dictionaries give up past this many entries (or bytes of entries) when most occurrences were new values. */
  static readonly DICT_GIVE_UP = 4096;
  static readonly DICT_GIVE_UP_BYTES = 65536;

  levels: LevelState[] = [];
  last = -1;
  cnt = 0;
  /** Occurrences put so far (in order). */
  occ = 0;
  map: Map<unknown, number> | null = null;
  bmap: Map<string, number> | null = null;
  dict: Value[] = [];
  dictF64: Float64Array = new Float64Array(0);
  /** DICT_F64: the entries of dictF64 as bits (two words an entry). */
  dictBits: Int32Array = new Int32Array(0);
  /** DICT_F64: open addressing over dictF64 by the bits of a value, code + 1 (0: empty). */
  table: Int32Array = new Int32Array(0);
  /** DICT_F64: the value being looked up, as bits; the last one looked up and its code (runs skip the table). */
  readonly key = new Float64Array(1);
  readonly keyBits = new Int32Array(this.key.buffer);
  lastLo = 0;
  lastHi = 0;
  lastCode = -1;
  dict16: Uint8Array = new Uint8Array(0);
  dictSize = 0;
  /** Bytes of the string / bytes entries of `dict`. */
  dictBytes = 0;
  /** The row a MultiGetter's values go to (emit). */
  frame = 0;
  /** Receives a MultiGetter's values for row `frame`; part of the class so that its call to put stays monomorphic. */
  readonly emit = (v: Value): void => { this.put(this.frame, v); };
  /** The capture file: bytes found in it (putAt) are kept as their place there. */
  source: { read(pos: number, len: number, into: Uint8Array, at: number): number } | null = null;
  /** Occurrences that came out of row order, in arrival order (rebuilt at finish; see finishSink). */
  lateRows: number[] | null = null;
  lateVals: Value[] | null = null;

  /**
   * @param n rows of the column, or 0 when not known yet (dense levels then grow as rows come; see growDense)
   * @param plan P
   * @param minKind the narrowest array kind once values differ (K.F64 for doubles, whose -0 and fractions matter)
   * @param blob raw values are bytes: keep them in one buffer
   */
  constructor(readonly n: number, public plan: P, public minKind: K, readonly blob: boolean) {
    if (plan === P.DICT || plan === P.DICT_16) this.map = new Map();
    // Interned numbers have a fast path of their own (putCode), so that put's stays small for every other sink.
    if (plan === P.DICT_F64) { this.table = new Int32Array(256); this.put = this.putCode; }
    if (plan === P.DICT) this.bmap = new Map();
  }

  /** Appends one occurrence of row r. Rows should come in non-decreasing order; others are handled, slowly. */
  put(r: number, v: Value): void {
    // The common case first: a number for the next occurrence of a row, to a single level whose encoding holds it
    // (the same constant, a bit, or a fitting array) and whose arrays have room: dense, or sparse with a free slot.
    if (this.plan === P.NUM && this.lateRows === null) {
      const j = r > this.last ? 0 : r === this.last && this.cnt < 3 ? this.cnt + 1 : -1;
      if (j >= 0 && j < this.levels.length) {
        const L = this.levels[j], k = L.kind, x = v as number;
        if (k === K.CONST ? x === L.c && (x !== 0 || 1 / x === 1 / L.c) : k === K.BITS ? x === 0 || x === 1 : Sink.fits(k, x)) {
          if (this.storeFast(L, k, r, j, x)) return;
        }
      }
    }
    this.putSlow(r, v);
  }

  /**
   * put for numbers interned as they come (DICT_F64): the code of v, to a level that holds it and has room, else the
   * slow path (which also takes values once the dictionary is given up: see giveUp).
   */
  putCode(r: number, v: Value): void {
    if (this.plan === P.DICT_F64 && this.lateRows === null) {
      const j = r > this.last ? 0 : r === this.last && this.cnt < 3 ? this.cnt + 1 : -1;
      if (j >= 0 && j < this.levels.length) {
        const x = this.codeF64(v as number);
        // Read after the lookup (one that gives the dictionary up changes the levels, and returns -1).
        const L = this.levels[j], k = L.kind;
        if (x >= 0 && (k === K.CONST ? x === L.c : k === K.BITS ? x <= 1 : Sink.fits(k, x))) {
          if (this.storeFast(L, k, r, j, x)) return;
        }
      }
    }
    this.putSlow(r, v);
  }

  /**
   * The fast paths' common end: x (a number or a code that fits level L of kind k) as row r's occurrence j, when L
   * has room (dense and r within its size, or sparse with a free slot); false when it has not.
   */
  storeFast(L: LevelState, k: K, r: number, j: number, x: number): boolean {
    let slot = -1;
    if (L.dense) { if (r < L.size) { slot = r; L.bits[r >>> 3] |= 1 << (r & 7); } }
    else if (L.count < L.rows.length) { slot = L.count; L.rows[slot] = r; }
    if (slot < 0) return false;
    this.last = r;
    this.cnt = j;
    this.occ++;
    if (k === K.BITS) { if (x === 1) L.data[slot >>> 3] |= 1 << (slot & 7); }
    else if (k !== K.CONST) L.data[slot] = x;
    L.count++;
    return true;
  }

  putSlow(r: number, v: Value): void {
    const L = this.level(r, v);
    if (L === null) return;
    this.occ++;
    switch (this.plan) {
      case P.NUM: this.putNum(L, r, v as number); return;
      case P.DICT: {
        const c = this.code(v);
        if (c >= 0) this.putNum(L, r, c);
        else this.putRaw(L, r, v);
        return;
      }
      case P.DICT_F64: {
        const c = this.codeF64(v as number);
        if (c >= 0) this.putNum(L, r, c);
        else this.putNum(L, r, v as number);
        return;
      }
      case P.DICT_16: {
        const c = this.code16(v as Uint8Array);
        if (c >= 0) this.putNum(L, r, c);
        else this.put16(L, r, v as Uint8Array);
        return;
      }
      case P.RAW: this.putRaw(L, r, v); return;
      case P.RAW_16: this.put16(L, r, v as Uint8Array); return;
    }
  }

  /**
   * Like put, for a value read from the bytes of a layer ending at buf[end], buf being the file's bytes from position
   * base: raw bytes equal to the layer's last bytes are kept as their place in the file (see file-bytes.ts).
   */
  putAt(r: number, v: Value, buf: Uint8Array, end: number, base: number): void {
    if (this.plan !== P.RAW || this.source === null || !(v instanceof Uint8Array) || v.length < 32 || !Sink.isTail(buf, end, v)) {
      this.put(r, v);
      return;
    }
    this.keepInFile(r, buf, end - v.length, end, base);
  }

  /**
   * Like put, for the bytes buf[start, end) of a layer's tail (FieldDef.tail), buf being the file's bytes from position
   * base (base < 0: a buffer of its own, a reassembled PDU): large ones are kept as their place in the file once the
   * sink keeps raw bytes, without a copy; others are copied out.
   */
  putTail(r: number, buf: Uint8Array, start: number, end: number, base: number): void {
    if (this.plan !== P.RAW || this.source === null || base < 0 || end - start < 32) {
      this.put(r, buf.slice(start, end));
      return;
    }
    this.keepInFile(r, buf, start, end, base);
  }

  /** Stores buf[start, end), which is at file position base + start, as that position (a raw bytes level). */
  keepInFile(r: number, buf: Uint8Array, start: number, end: number, base: number): void {
    // Out of row order: the slow path, which keeps a copy.
    if (this.lateRows !== null || r < this.last) { this.put(r, buf.slice(start, end)); return; }
    const L = this.level(r, 0)!;
    this.occ++;
    if (L.kind !== K.BLOB) { this.putRaw(L, r, buf.slice(start, end)); return; }
    if (L.count === L.rows.length) this.grow(L, r);
    const s = L.count;
    L.rows[s] = r;
    if (L.pos.length < L.rows.length) {
      // Slots before s are bytes in data (-1) unless pos had them; later slots are set as they come (here or in store).
      const p = new Float64Array(L.rows.length), q = new Uint32Array(L.rows.length), had = Math.min(L.pos.length, s);
      p.set(L.pos.subarray(0, had));
      p.fill(-1, had, s);
      q.set(L.lens.subarray(0, had));
      L.pos = p;
      L.lens = q;
    }
    L.pos[s] = base + start;
    L.lens[s] = end - start;
    if (s >= L.ends.length) {
      // Ends are all 0 while data holds no bytes: nothing to copy (see below).
      const e = new Uint32Array(Sink.room(L.ends.length, s + 1, r, this.n));
      if (L.used > 0) e.set(L.ends.subarray(0, s));
      L.ends = e;
    }
    // The end of the bytes held in data, unchanged by a slot kept in the file: while there are none (every slot in
    // the file, as for TCP payloads) it is 0, which a fresh array already holds, and writing it would make the
    // array's pages resident (3.4 MB for the 862,000 payloads of the 2M capture).
    if (L.ends[s] !== L.used) L.ends[s] = L.used;
    L.count = s + 1;
  }

  /** True when v equals buf[end - v.length, end). */
  static isTail(buf: Uint8Array, end: number, v: Uint8Array): boolean {
    const at = end - v.length;
    if (at < 0 || end > buf.length) return false;
    for (let k = 0; k < v.length; k++) if (buf[at + k] !== v[k]) return false;
    return true;
  }

  /** The level occurrence r goes to (row order), or null when it came out of order (kept aside). */
  level(r: number, v: Value): LevelState | null {
    let j: number;
    if (r === this.last && this.lateRows === null) {
      j = ++this.cnt;
      if (j > 4 /* MAX_SINGLE */) j = 4;
    } else if (r > this.last && this.lateRows === null) {
      this.last = r;
      this.cnt = j = 0;
    } else {
      this.late(r, v);
      return null;
    }
    return j < this.levels.length ? this.levels[j] : this.addLevel(j);
  }

  late(r: number, v: Value): void {
    if (this.lateRows === null) { this.lateRows = []; this.lateVals = []; }
    this.lateRows.push(r);
    this.lateVals!.push(v instanceof Uint8Array ? v.slice() : v);
  }

  addLevel(j: number): LevelState {
    const raw = this.plan === P.RAW;
    const L: LevelState = {
      repeat: j === 4 /* MAX_SINGLE */, dense: false, size: 0, rows: new Uint32Array(16), bits: new Uint8Array(0), count: 0,
      kind: raw ? (this.blob ? K.BLOB : K.JS) : this.plan === P.RAW_16 ? K.F16 : K.CONST, c: 0,
      data: raw ? (this.blob ? new Uint8Array(256) : []) : this.plan === P.RAW_16 ? new Uint8Array(256) : null,
      ends: raw && this.blob ? new Uint32Array(16) : new Uint32Array(0), used: 0, pos: new Float64Array(0), lens: new Uint32Array(0),
    };
    this.levels.push(L);
    return L;
  }

  // ------------------------------------------------------------------ numbers (and dictionary codes)

  putNum(L: LevelState, r: number, x: number): void {
    if (!L.dense && L.count === L.rows.length) this.grow(L, r);
    if (L.dense && r >= L.size) this.growDense(L, r);
    let s: number;
    if (L.dense) { s = r; L.bits[r >>> 3] |= 1 << (r & 7); } else { s = L.count; L.rows[s] = r; }
    let k = L.kind;
    if (k === K.CONST) {
      if (L.count === 0) { L.c = x; L.count = 1; return; }
      if (x === L.c && (x !== 0 || 1 / x === 1 / L.c)) { L.count++; return; }
      k = this.materialize(L, x);
    } else if (!Sink.fits(k, x)) k = this.widen(L, x);
    if (k === K.BITS) { if (x !== 0) L.data[s >>> 3] |= 1 << (s & 7); } else L.data[s] = x;
    L.count++;
  }

  static fits(k: K, x: number): boolean {
    switch (k) {
      case K.BITS: return x === 0 || x === 1;
      case K.U8: return (x & 0xff) === x;
      case K.U16: return (x & 0xffff) === x;
      case K.U32: return x >>> 0 === x;
      case K.I32: return (x | 0) === x;
      default: return true;
    }
  }

  /** The narrowest kind holding x. */
  static kindOf(x: number): K {
    if (x === 0 || x === 1) return Object.is(x, -0) ? K.F64 : K.BITS;
    if ((x & 0xff) === x) return K.U8;
    if ((x & 0xffff) === x) return K.U16;
    if (x >>> 0 === x) return K.U32;
    if ((x | 0) === x) return K.I32;
    return K.F64;
  }

  /** The narrowest kind holding the values of both kinds (u32 and i32 together need f64). */
  static join(a: K, b: K): K {
    const hi = a > b ? a : b, lo = a > b ? b : a;
    return hi === K.I32 && lo === K.U32 ? K.F64 : hi;
  }

  static alloc(k: K, slots: number): Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array {
    switch (k) {
      case K.BITS: return new Uint8Array((slots + 7) >>> 3);
      case K.U8: return new Uint8Array(slots);
      case K.U16: return new Uint16Array(slots);
      case K.U32: return new Uint32Array(slots);
      case K.I32: return new Int32Array(slots);
      case K.F16: return new Uint8Array(slots * 16);
      default: return new Float64Array(slots);
    }
  }

  /** The part of a sparse level's value array (kind k) that holds its first m slots. */
  static used(k: K, data: Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array, m: number): Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array {
    return data.subarray(0, k === K.BITS ? (m + 7) >>> 3 : k === K.F16 ? m * 16 : m);
  }

  /** Slots a level's arrays have room for. */
  cap(L: LevelState): number {
    return L.dense ? L.size : L.rows.length;
  }

  /** A CONST level meets a second value: gives it an array holding the constant in every filled slot. */
  materialize(L: LevelState, x: number): K {
    const k = Sink.join(this.minKind, Sink.join(Sink.kindOf(L.c), Sink.kindOf(x)));
    const d = Sink.alloc(k, this.cap(L)), c = L.c;
    if (c !== 0 || Object.is(c, -0)) {
      if (!L.dense) {
        if (k === K.BITS) for (let s = 0; s < L.count; s++) d[s >>> 3] |= 1 << (s & 7);
        else d.fill(c, 0, L.count);
      } else {
        // Every row present so far except r (being written) holds c: the bitmap, minus the current row.
        const b = L.bits, last = this.last;
        for (let byte = 0; byte < b.length; byte++) {
          let m = b[byte];
          while (m !== 0) {
            const s = byte * 8 + (31 - Math.clz32(m & -m));
            m &= m - 1;
            if (s === last) continue;
            if (k === K.BITS) d[s >>> 3] |= 1 << (s & 7); else d[s] = c;
          }
        }
      }
    }
    L.data = d;
    L.kind = k;
    return k;
  }

  /** A value does not fit the level's array: copies it into the narrowest kind that holds both. */
  widen(L: LevelState, x: number): K {
    const k = Sink.join(L.kind, Sink.kindOf(x)), slots = this.cap(L);
    const d = Sink.alloc(k, slots), old = L.data as Uint8Array;
    // Only the slots written so far (by row: up to the last row put): the rest is pages never touched, which cost no
    // memory until used, and copying zeros into them would make them resident.
    const used = L.dense ? Math.min(slots, this.last + 1) : L.count;
    if (L.kind === K.BITS) {
      for (let s = 0; s < used; s++) d[s] = (old[s >>> 3] >>> (s & 7)) & 1;
    } else d.set(old.subarray(0, used) as never);
    L.data = d;
    L.kind = k;
    return k;
  }

  /** Bytes a value takes in a level of kind k (what decides sparse versus dense). */
  static width(k: K): number {
    switch (k) {
      case K.CONST: return 0;
      case K.BITS: return 0.125;
      case K.U8: return 1;
      case K.U16: return 2;
      case K.U32: case K.I32: return 4;
      case K.F16: return 16;
      default: return 8;
    }
  }

  /**
   * The capacity to give an array of `have` slots that needs `need`, at row r of n (0: not known): twice as much at
   * first; once some thousands of rows have been seen, what the rate so far predicts for all n rows (plus 1/16), but
   * at least 1/8 more. A column is then copied a few times and ends with little slack. Why it matters: each outgrown
   * array is garbage until V8 collects it, and array buffers are collected late (measured at the end of the field
   * extraction of a 2M-frame capture: 205 MB of them still pending).
   */
  static room(have: number, need: number, r: number, n: number): number {
    const double = Math.max(16, have * 2, need);
    if (n <= 0 || r < 4096) return double;
    const predicted = Math.ceil(need * (n / (r + 1)) * 1.0625) + 16;
    return Math.min(double, Math.max(predicted, need + (need >> 3) + 16));
  }

  /** A sparse level is full: turns dense when that is smaller at the density seen so far, else grows (Sink.room). */
  grow(L: LevelState, r: number): void {
    const m = L.count, w = Sink.width(L.kind);
    if (!L.repeat && L.kind !== K.JS && L.kind !== K.BLOB && m >= Sink.DENSE_AFTER && m * (4 + w) > (r + 1) * (w + 0.125)) {
      this.densify(L);
      return;
    }
    const cap = Sink.room(L.rows.length, m + 1, r, this.n);
    const rows = new Uint32Array(cap);
    rows.set(L.rows.subarray(0, m));
    L.rows = rows;
    switch (L.kind) {
      case K.CONST: case K.JS: break;
      case K.BLOB: {
        const e = new Uint32Array(cap);
        if (L.used > 0) e.set(L.ends.subarray(0, m)); // else all 0 (keepInFile)
        L.ends = e;
        if (L.pos.length > 0) {
          // Slots from m on are set as they come (keepInFile, store): nothing past them is written.
          const p = new Float64Array(cap), q = new Uint32Array(cap);
          p.set(L.pos.subarray(0, m));
          q.set(L.lens.subarray(0, m));
          L.pos = p;
          L.lens = q;
        }
        break;
      }
      default: { const d = Sink.alloc(L.kind, cap); d.set(Sink.used(L.kind, L.data, m)); L.data = d; }
    }
  }

  /** Sparse -> dense: values move to their rows, presence to a bitmap. */
  densify(L: LevelState): void {
    // Room for every row when their number is known, else for twice the rows seen so far (growDense adds more).
    const n = this.n > 0 ? this.n : Math.max(1024, 2 * (L.rows[L.count - 1] + 1)), m = L.count, rows = L.rows, k = L.kind, old = L.data;
    const bits = new Uint8Array((n + 7) >>> 3);
    const d = k === K.CONST ? null : Sink.alloc(k, n);
    for (let s = 0; s < m; s++) {
      const r = rows[s];
      bits[r >>> 3] |= 1 << (r & 7);
      if (k === K.CONST) continue;
      if (k === K.BITS) { if ((old[s >>> 3] >>> (s & 7)) & 1) d![r >>> 3] |= 1 << (r & 7); }
      else if (k === K.F16) d!.set((old as Uint8Array).subarray(s * 16, s * 16 + 16), r * 16);
      else d![r] = old[s];
    }
    L.dense = true;
    L.size = n;
    L.bits = bits;
    L.rows = new Uint32Array(0);
    L.data = d;
  }

  /** A dense level of a sink that does not know its rows meets row r past its arrays: doubles them. */
  growDense(L: LevelState, r: number): void {
    const size = Math.max(2 * L.size, r + 1), bits = new Uint8Array((size + 7) >>> 3);
    bits.set(L.bits);
    L.bits = bits;
    if (L.kind !== K.CONST) {
      const d = Sink.alloc(L.kind, size);
      d.set(L.data);
      L.data = d;
    }
    L.size = size;
  }

  // ------------------------------------------------------------------ dictionaries

  /** The code of a string or bytes value, or -1 once the dictionary has been given up. */
  code(v: Value): number {
    if (this.plan !== P.DICT) return -1;
    let key: unknown = v, m = this.map!;
    if (typeof v === "object") { key = Sink.key(v); m = this.bmap!; }
    const c = m.get(key);
    if (c !== undefined) return c;
    if (this.giveUp()) return -1;
    m.set(key, this.dictSize);
    this.dict.push(typeof v === "object" ? v.slice() : v);
    this.dictBytes += typeof v === "object" ? v.length : typeof v === "string" ? 2 * v.length : 8;
    return this.dictSize++;
  }

  /**
   * The code of a number (MAC and IPv4 addresses), or -1 once the dictionary has been given up. A table of typed
   * arrays keyed by the value's bits, not a Map: a lookup per occurrence of every address field (millions).
   */
  codeF64(v: number): number {
    if (this.plan !== P.DICT_F64) return -1;
    this.key[0] = v;
    const lo = this.keyBits[0], hi = this.keyBits[1];
    if (lo === this.lastLo && hi === this.lastHi && this.lastCode >= 0) return this.lastCode;
    const t = this.table, mask = t.length - 1, g = this.dictBits;
    let h = (Math.imul(lo ^ Math.imul(hi, 0x85ebca6b | 0), 0x9e3779b1 | 0) >>> 8) & mask, c: number;
    while ((c = t[h]) !== 0 && (g[2 * c - 2] !== lo || g[2 * c - 1] !== hi)) h = (h + 1) & mask;
    if (c !== 0) c--;
    else {
      if (this.giveUp()) return -1;
      if (this.dictSize === this.dictF64.length) {
        const d = new Float64Array(Math.max(64, this.dictSize * 2));
        d.set(this.dictF64);
        this.dictF64 = d;
        this.dictBits = new Int32Array(d.buffer);
      }
      c = this.dictSize++;
      this.dictF64[c] = v;
      t[h] = c + 1;
      if (this.dictSize * 2 > t.length) this.rehash();
    }
    this.lastLo = lo;
    this.lastHi = hi;
    this.lastCode = c;
    return c;
  }

  /** The DICT_F64 table at twice the size. */
  rehash(): void {
    const t = new Int32Array(this.table.length * 2), mask = t.length - 1, g = this.dictBits;
    for (let c = 0; c < this.dictSize; c++) {
      const lo = g[2 * c], hi = g[2 * c + 1];
      let h = (Math.imul(lo ^ Math.imul(hi, 0x85ebca6b | 0), 0x9e3779b1 | 0) >>> 8) & mask;
      while (t[h] !== 0) h = (h + 1) & mask;
      t[h] = c + 1;
    }
    this.table = t;
  }

  code16(v: Uint8Array): number {
    if (this.plan !== P.DICT_16) return -1;
    const key = Sink.key(v), m = this.map!, c = m.get(key);
    if (c !== undefined) return c;
    if (this.giveUp()) return -1;
    if (this.dictSize * 16 === this.dict16.length) {
      const d = new Uint8Array(Math.max(1024, this.dict16.length * 2));
      d.set(this.dict16);
      this.dict16 = d;
    }
    m.set(key, this.dictSize);
    this.dict16.set(v.subarray(0, 16), this.dictSize * 16);
    return this.dictSize++;
  }

  /** Bytes as a string key (one char a byte). */
  static key(b: Uint8Array): string {
    if (b.length <= 1024) return String.fromCharCode.apply(null, b as unknown as number[]);
    let s = "";
    for (let k = 0; k < b.length; k += 1024) s += String.fromCharCode.apply(null, b.subarray(k, k + 1024) as unknown as number[]);
    return s;
  }

  /** True (after switching every level to raw values) when the dictionary holds mostly values seen once. */
  giveUp(): boolean {
    if ((this.dictSize < Sink.DICT_GIVE_UP && this.dictBytes < Sink.DICT_GIVE_UP_BYTES) || this.dictSize * 2 <= this.occ) return false;
    for (const L of this.levels) this.unDict(L);
    this.plan = this.plan === P.DICT ? P.RAW : this.plan === P.DICT_16 ? P.RAW_16 : P.NUM;
    // Numbers (DICT_F64 given up) are values from now on, on the common fast path again.
    if (this.plan === P.NUM) { this.minKind = K.BITS; this.put = Sink.prototype.put; }
    this.map = this.bmap = null;
    this.dict = [];
    this.dictF64 = new Float64Array(0);
    this.dictBits = new Int32Array(0);
    this.table = new Int32Array(0);
    this.dict16 = new Uint8Array(0);
    return true;
  }

  /** Replaces a level's codes by the values they stand for. */
  unDict(L: LevelState): void {
    const slots = this.cap(L), m = L.count;
    const codeAt = (s: number): number => (L.kind === K.CONST ? L.c : L.data[s]);
    if (this.plan === P.DICT_F64) {
      if (L.kind === K.CONST) { L.c = this.dictF64[L.c]; return; }
      // The narrowest kind holding every entry (IPv4 addresses: four bytes, not eight), at least a byte a slot.
      let k = K.U8;
      for (let c = 0; c < this.dictSize && k !== K.F64; c++) k = Sink.join(k, Sink.kindOf(this.dictF64[c]));
      const d = Sink.alloc(k, slots);
      const used = L.dense ? slots : m;
      for (let s = 0; s < used; s++) d[s] = this.dictF64[L.data[s]];
      L.data = d;
      L.kind = k;
      return;
    }
    if (this.plan === P.DICT_16) {
      const d = new Uint8Array(slots * 16), used = L.dense ? slots : m;
      const present = (s: number) => !L.dense || (L.bits[s >>> 3] >>> (s & 7)) & 1;
      for (let s = 0; s < used; s++) if (present(s)) { const c = codeAt(s); d.set(this.dict16.subarray(c * 16, c * 16 + 16), s * 16); }
      L.data = d;
      L.kind = K.F16;
      return;
    }
    // Strings and bytes: raw values are sparse only (rows + values), so a dense level goes back to rows first.
    const rows: number[] = [], codes: number[] = [];
    if (L.dense) {
      for (let r = 0; r < L.size; r++) if ((L.bits[r >>> 3] >>> (r & 7)) & 1) { rows.push(r); codes.push(codeAt(r)); }
    } else for (let s = 0; s < m; s++) { rows.push(L.rows[s]); codes.push(codeAt(s)); }
    const cap = Math.max(16, rows.length * 2);
    L.dense = false;
    L.size = 0;
    L.bits = new Uint8Array(0);
    L.rows = new Uint32Array(cap);
    L.rows.set(rows);
    L.count = 0;
    L.kind = this.blob ? K.BLOB : K.JS;
    L.data = this.blob ? new Uint8Array(256) : [];
    L.ends = this.blob ? new Uint32Array(cap) : new Uint32Array(0);
    L.used = 0;
    for (let s = 0; s < rows.length; s++) this.store(L, s, this.dict[codes[s]]);
    L.count = rows.length;
  }

  // ------------------------------------------------------------------ raw strings / bytes / IPv6

  putRaw(L: LevelState, r: number, v: Value): void {
    if (L.count === L.rows.length) this.grow(L, r);
    const s = L.count;
    L.rows[s] = r;
    this.store(L, s, v);
    L.count = s + 1;
  }

  /** Writes a raw value into slot s (BLOB for bytes; a value that is no bytes turns the level into JS values). */
  store(L: LevelState, s: number, v: Value): void {
    if (L.kind === K.BLOB) {
      if (v instanceof Uint8Array) {
        const need = L.used + v.length;
        if (need > L.data.length) {
          const d = new Uint8Array(Sink.room(L.data.length, need, this.last, this.n));
          d.set(L.data.subarray(0, L.used));
          L.data = d;
        }
        L.data.set(v, L.used);
        L.used = need;
        if (s >= L.ends.length) { const e = new Uint32Array(Sink.room(L.ends.length, s + 1, this.last, this.n)); e.set(L.ends.subarray(0, s)); L.ends = e; }
        L.ends[s] = need;
        if (s < L.pos.length) L.pos[s] = -1;
        return;
      }
      const vals: Value[] = [];
      for (let k = 0; k < s; k++) {
        if (k < L.pos.length && L.pos[k] >= 0) {
          const b = new Uint8Array(L.lens[k]);
          this.source!.read(L.pos[k], L.lens[k], b, 0);
          vals.push(b);
        } else vals.push(L.data.slice(k === 0 ? 0 : L.ends[k - 1], L.ends[k]));
      }
      L.kind = K.JS;
      L.pos = new Float64Array(0);
      L.data = vals;
      L.ends = new Uint32Array(0);
    }
    L.data[s] = v;
  }

  put16(L: LevelState, r: number, v: Uint8Array): void {
    if (!L.dense && L.count === L.rows.length) this.grow(L, r);
    if (L.dense && r >= L.size) this.growDense(L, r);
    let s: number;
    if (L.dense) { s = r; L.bits[r >>> 3] |= 1 << (r & 7); } else { s = L.count; L.rows[s] = r; }
    (L.data as Uint8Array).set(v.subarray(0, 16), s * 16);
    L.count++;
  }
}

const clones = new Map<string, typeof Sink>();

/** A copy of the Sink class of its own (see the top of this file), one per kind of field. */
export function sinkClass(kind: string): typeof Sink {
  let c = clones.get(kind);
  if (c === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- a fresh copy of the class is the point (see top).
    c = new Function(`"use strict"; return (${Sink.toString()});`)() as typeof Sink;
    clones.set(kind, c);
  }
  return c;
}
