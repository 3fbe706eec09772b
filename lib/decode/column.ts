// One decoded field over every frame of a capture (or every row of a message table), stored columnar by level
// (level.ts): level k holds each row's (k+1)-th occurrence, laid out densely (by row, presence in a bitmap) or
// sparsely (rows + values, sized by occurrences), with values as a constant, bits, the narrowest typed array, or
// codes into a dictionary of distinct values. A field absent from the capture has no level and holds nothing.
//
// Readers use count/get/all (any shape), or read the levels directly (the filter code generator, to-arquero).
// The original constructor — dense `values` + `valid`, or CSR `starts` + flat `values` — still works: its arrays are
// turned into levels (compact.ts), and `values` / `valid` / `starts` still read back that way (built on demand).

import { storageOf, type FieldDef, type Storage } from "../dissectors/field.js";
import { finishSink, forEachOccurrence, levelsOf, newSink } from "./compact.js";
import { levelBytes, levelKey, lowerBound, slotOf, valueAt, type Level, type NumArray, type Value } from "./level.js";
import type { Sink } from "./sink.js";

export type { Enc, Layout, Level, NumArray, Value } from "./level.js";

/** A decoded column. Contract: read-only once built; `n` is the number of rows (frames). */
export class Column {
  /** The storage, level by level (level.ts). No level: the field never occurs. */
  readonly levels: readonly Level[];

  /**
   * The original shapes: dense (`values` indexed by row, `valid[i]` 1 where row i has the field) or multi (`starts`,
   * length n + 1: row i's occurrences are values[starts[i] .. starts[i+1])). fixed16 storage: 16 bytes a value.
   * The arrays are not modified; they may be kept.
   */
  constructor(field: FieldDef, n: number, values: NumArray | Value[], valid: Uint8Array | null, starts: Uint32Array | null);
  constructor(field: FieldDef, n: number, levels: readonly Level[]);
  constructor(readonly field: FieldDef, readonly n: number, values: NumArray | Value[] | readonly Level[], valid?: Uint8Array | null, starts?: Uint32Array | null) {
    this.levels = valid === undefined && starts === undefined ? (values as readonly Level[]) : levelsOf(field, n, values as NumArray | Value[], valid ?? null, starts ?? null);
  }

  /** A column of the given levels. */
  static of(field: FieldDef, n: number, levels: readonly Level[]): Column {
    return new Column(field, n, levels);
  }

  get storage(): Storage { return storageOf(this.field.type); }

  /** True when some row has more than one occurrence (more than one level). */
  get multi(): boolean { return this.levels.length > 1 || (this.levels.length === 1 && this.levels[0].repeat); }

  /** Occurrences in all rows. */
  get occurrences(): number {
    let c = 0;
    for (const l of this.levels) c += l.count;
    return c;
  }

  /** Occurrences of the field in row i. */
  count(i: number): number {
    let c = 0;
    for (const l of this.levels) {
      if (l.repeat) {
        const rows = l.rows!;
        for (let k = lowerBound(rows, l.count, i); k < l.count && rows[k] === i; k++) c++;
        return c;
      }
      if (slotOf(l, i) < 0) return c;
      c++;
    }
    return c;
  }

  has(i: number): boolean { return this.levels.length > 0 && slotOf(this.levels[0], i) >= 0; }

  /** The k-th occurrence in row i (k counts from 0), or undefined. Bytes are views of the column's storage. */
  get(i: number, k = 0): Value | undefined {
    const ls = this.levels;
    if (k < ls.length && !ls[k].repeat) {
      const s = slotOf(ls[k], i);
      return s < 0 ? undefined : valueAt(ls[k].enc, s);
    }
    const last = ls[ls.length - 1];
    if (last === undefined || !last.repeat || k < ls.length - 1) return undefined;
    const at = lowerBound(last.rows!, last.count, i) + (k - (ls.length - 1));
    return at < last.count && last.rows![at] === i ? valueAt(last.enc, at) : undefined;
  }

  /** Every occurrence in row i. */
  all(i: number): Value[] {
    const out: Value[] = [];
    for (let k = 0, c = this.count(i); k < c; k++) out.push(this.get(i, k)!);
    return out;
  }

  /** Rows that have the field at least once. */
  presentCount(): number {
    return this.levels.length === 0 ? 0 : this.levels[0].repeat ? distinctRows(this.levels[0]) : this.levels[0].count;
  }

  /** Bytes held by this column (typed arrays exactly; JS values estimated; arrays shared with others counted too). */
  get byteLength(): number {
    return this.bytesHeld(new Set());
  }

  /** Bytes held, not counting arrays in `seen` (arrays shared with columns counted before); adds this column's. */
  bytesHeld(seen: Set<object>): number {
    let b = 0;
    for (const l of this.levels) b += levelBytes(l, seen);
    return b;
  }

  /** What compiled code over this column depends on (compile.ts keys generated predicates by it). */
  get shapeKey(): string {
    return `${this.storage}|${this.levels.map(levelKey).join("|")}`;
  }

  /** Calls f(row, value) for every occurrence, in row order (a row's occurrences in order). */
  forEach(f: (row: number, v: Value) => void): void {
    forEachOccurrence(this.levels, this.n, f);
  }

  // ---------------------------------------------------------------- the original shapes, built on demand

  /** Dense shape (no row repeats): 1 where the row has the field; null for a multi column. Builds an array. */
  get valid(): Uint8Array | null {
    if (this.multi) return null;
    const v = new Uint8Array(this.n);
    this.forEach((r) => { v[r] = 1; });
    return v;
  }

  /** Multi shape: CSR offsets (length n + 1); null for a column without repeats. Builds an array. */
  get starts(): Uint32Array | null {
    if (!this.multi) return null;
    const s = new Uint32Array(this.n + 1);
    this.forEach((r) => { s[r + 1]++; });
    for (let i = 0; i < this.n; i++) s[i + 1] += s[i];
    return s;
  }

  /** Dense shape: values by row; multi: the occurrences in row order. fixed16: 16 bytes a value. Builds an array. */
  get values(): NumArray | Value[] {
    const st = this.storage, multi = this.multi, size = multi ? this.occurrences : this.n;
    const out: NumArray | Value[] = st === "fixed16" ? new Uint8Array(size * 16) : st === "any" ? new Array<Value>(size)
      : st === "u8" ? new Uint8Array(size) : st === "u16" ? new Uint16Array(size) : st === "u32" ? new Uint32Array(size)
      : st === "i32" ? new Int32Array(size) : new Float64Array(size);
    let k = 0, fits = true;
    this.forEach((r, v) => {
      const at = multi ? k++ : r;
      if (st === "fixed16") (out as Uint8Array).set(v as Uint8Array, at * 16);
      else {
        (out as Value[])[at] = v;
        // A value wider than the declared type (tshark shows coap.opt.uri_port, a uint16, as 4294967295 when the
        // option is 4 bytes long) must not wrap: such a column reads back as doubles.
        if (st !== "any" && (out as NumArray)[at] !== v) fits = false;
      }
    });
    if (fits || st === "any" || st === "fixed16") return out;
    const wide = new Float64Array(size);
    k = 0;
    this.forEach((r, v) => { wide[multi ? k++ : r] = v as number; });
    return wide;
  }
}

function distinctRows(l: Level): number {
  let c = 0, prev = -1;
  for (let k = 0; k < l.count; k++) if (l.rows![k] !== prev) { prev = l.rows![k]; c++; }
  return c;
}

/**
 * Collects (row, value) pairs and builds the smallest fitting Column.
 * Rows should come in non-decreasing order (out-of-order rows are sorted at finish, at a cost).
 */
export class ColumnBuilder {
  private readonly sink: Sink;
  readonly storage: Storage;

  /** `capacity` is accepted for compatibility; storage grows as values come. */
  constructor(readonly field: FieldDef, _capacity = 1024) {
    this.storage = storageOf(field.type);
    this.sink = newSink(field, 0);
  }

  /** Appends one occurrence. */
  push(frame: number, v: Value): void {
    this.sink.put(frame, v);
  }

  /** Builds the column for n rows. */
  finish(n: number): Column {
    return Column.of(this.field, n, finishSink(this.sink, n));
  }
}
