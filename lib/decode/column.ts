// One decoded field over every frame of a capture, stored columnar.
// Two shapes: dense (at most one occurrence per frame: values[i] with valid[i]) and multi (CSR: frame i's
// occurrences are values[starts[i] .. starts[i+1])), which fields repeated in a frame need (ip.src in a tunnel or in
// an ICMP error, vlan.id in QinQ, SACK blocks). Numbers live in typed arrays; IPv6 in 16-byte slots.

import { storageOf, type FieldDef, type Storage } from "../dissectors/field.js";

export type NumArray = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array;
/** A single occurrence's value: numbers for numeric, address and time types; Uint8Array for bytes and IPv6. */
export type Value = number | string | Uint8Array;

function allocNum(storage: Storage, n: number): NumArray {
  switch (storage) {
    case "u8": return new Uint8Array(n);
    case "u16": return new Uint16Array(n);
    case "u32": return new Uint32Array(n);
    case "i32": return new Int32Array(n);
    default: return new Float64Array(n);
  }
}

/** A decoded column. Contract: read-only once built; `n` is the capture's frame count. */
export class Column {
  constructor(
    readonly field: FieldDef,
    readonly n: number,
    /** dense: indexed by frame; multi: flat occurrences. fixed16 storage: 16 bytes a value. */
    readonly values: NumArray | Value[],
    /** dense only: 1 where the frame has the field. */
    readonly valid: Uint8Array | null,
    /** multi only: CSR offsets, length n + 1. */
    readonly starts: Uint32Array | null,
  ) {}

  get storage(): Storage { return storageOf(this.field.type); }

  /** Occurrences of the field in frame i. */
  count(i: number): number {
    return this.starts ? this.starts[i + 1] - this.starts[i] : this.valid![i];
  }

  has(i: number): boolean { return this.count(i) > 0; }

  /** The k-th occurrence in frame i (k counts from 0), or undefined. */
  get(i: number, k = 0): Value | undefined {
    let at: number;
    if (this.starts) {
      at = this.starts[i] + k;
      if (at >= this.starts[i + 1]) return undefined;
    } else {
      if (k !== 0 || this.valid![i] === 0) return undefined;
      at = i;
    }
    if (this.storage === "fixed16") return (this.values as Uint8Array).subarray(at * 16, at * 16 + 16);
    return this.values[at];
  }

  /** Every occurrence in frame i. */
  all(i: number): Value[] {
    const out: Value[] = [];
    for (let k = 0, c = this.count(i); k < c; k++) out.push(this.get(i, k)!);
    return out;
  }

  /** Frames that have the field at least once. */
  presentCount(): number {
    let c = 0;
    for (let i = 0; i < this.n; i++) if (this.count(i) > 0) c++;
    return c;
  }

  /** Bytes held by this column (typed arrays exactly; JS values estimated). */
  get byteLength(): number {
    const v = this.values as { byteLength?: number; length: number };
    return (v.byteLength ?? v.length * 16) + (this.valid?.byteLength ?? 0) + (this.starts?.byteLength ?? 0);
  }
}

/**
 * Collects (frame, value) pairs in frame order and builds the smallest fitting Column.
 * Contract: push frames in non-decreasing order.
 */
export class ColumnBuilder {
  private frames: Uint32Array;
  private nums: NumArray | null;
  private objs: Value[] | null;
  private count = 0;
  private lastFrame = -1;
  private repeated = false;
  readonly storage: Storage;

  constructor(readonly field: FieldDef, capacity = 1024) {
    this.storage = storageOf(field.type);
    this.frames = new Uint32Array(capacity);
    this.nums = this.storage === "any" ? null : allocNum(this.storage === "fixed16" ? "u8" : this.storage, this.storage === "fixed16" ? capacity * 16 : capacity);
    this.objs = this.storage === "any" ? [] : null;
  }

  /** Appends one occurrence. Numbers go to numeric storage, 16-byte arrays to fixed16, anything to "any". */
  push(frame: number, v: Value): void {
    const c = this.count;
    if (c === this.frames.length) this.grow(c * 2);
    this.frames[c] = frame;
    if (frame === this.lastFrame) this.repeated = true;
    this.lastFrame = frame;
    if (this.objs) this.objs.push(v);
    else if (this.storage === "fixed16") (this.nums as Uint8Array).set(v as Uint8Array, c * 16);
    else this.nums![c] = v as number;
    this.count = c + 1;
  }

  /** Builds the column for a capture of n frames. */
  finish(n: number): Column {
    const { count, frames } = this;
    if (this.repeated) {
      const starts = new Uint32Array(n + 1);
      for (let k = 0; k < count; k++) starts[frames[k] + 1]++;
      for (let i = 0; i < n; i++) starts[i + 1] += starts[i];
      const values = this.objs ?? this.nums!.slice(0, this.storage === "fixed16" ? count * 16 : count);
      return new Column(this.field, n, values, null, starts);
    }
    const valid = new Uint8Array(n);
    if (this.objs) {
      const values: Value[] = new Array(n);
      for (let k = 0; k < count; k++) { valid[frames[k]] = 1; values[frames[k]] = this.objs[k]; }
      return new Column(this.field, n, values, valid, null);
    }
    if (this.storage === "fixed16") {
      const src = this.nums as Uint8Array, values = new Uint8Array(n * 16);
      for (let k = 0; k < count; k++) { valid[frames[k]] = 1; values.set(src.subarray(k * 16, k * 16 + 16), frames[k] * 16); }
      return new Column(this.field, n, values, valid, null);
    }
    const src = this.nums!, values = allocNum(this.storage, n);
    for (let k = 0; k < count; k++) { const f = frames[k]; valid[f] = 1; values[f] = src[k]; }
    return new Column(this.field, n, values, valid, null);
  }

  private grow(cap: number): void {
    const f = new Uint32Array(cap);
    f.set(this.frames);
    this.frames = f;
    if (this.nums) {
      const w = this.storage === "fixed16" ? 16 : 1;
      const a = allocNum(this.storage === "fixed16" ? "u8" : this.storage, cap * w);
      a.set(this.nums as never);
      this.nums = a;
    }
  }
}
