// The storage of a column, level by level. Level j holds the (j+1)-th occurrence of the field in every row that has
// that many; the last level may instead hold every occurrence from MAX_SINGLE on (rows repeat there). Most fields occur
// at most once a frame and have one level; eth.addr and tcp.port have two levels, each as compact as one field.
//
// Each level says WHERE its occurrences are (layout) and HOW their values are held (encoding), independently:
//   layout  "all"    slot = row, every row has one (frame.number, eth.src)
//           "bits"   slot = row, the rows set in a bitmap (tcp.seq: the frames with TCP)
//           "valid"  slot = row, the rows with valid[row] === 1 (a byte a row: kept for small legacy columns)
//           "rows"   slot k is row rows[k] (sparse: sized by occurrences, not by rows — arp.opcode, vlan.id)
//   enc     "const"  one value for every occurrence, no array (ip.version, the `frame` protocol itself)
//           "bits"   0/1 values, a bit a slot (tcp.flags.syn)
//           "num"    numbers in the narrowest typed array that holds them (a uint32 field of ports is a Uint16Array)
//           "dict"   codes into a table of distinct values (frame.protocols, ip.src_host, eth.src)
//           "dict16" codes into 16-byte slots (IPv6 addresses)
//           "fixed16" 16 bytes a slot; "blob" bytes concatenated with end offsets; "any" JS values
//           "file"   bytes as their place in the capture file, read back when asked for (tcp.payload), or as a blob
// A column with no occurrence has no level and allocates nothing.

import type { FileBytes } from "./file-bytes.js";

/** A single occurrence's value: numbers for numeric, address and time types; Uint8Array for bytes and IPv6. */
export type Value = number | string | Uint8Array;

export type NumArray = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array;

/** Occurrence k of a row lives in level k for k < MAX_SINGLE; later ones all go to one repeating level. */
export const MAX_SINGLE = 4;

export type Layout = "all" | "bits" | "valid" | "rows";

export type Enc =
  | { readonly kind: "const"; readonly value: Value }
  | { readonly kind: "bits"; readonly data: Uint8Array }
  | { readonly kind: "num"; readonly data: NumArray }
  | { readonly kind: "dict"; readonly codes: NumArray; readonly dict: readonly Value[] | Float64Array }
  | { readonly kind: "dict16"; readonly codes: NumArray; readonly dict: Uint8Array }
  | { readonly kind: "fixed16"; readonly data: Uint8Array }
  | { readonly kind: "blob"; readonly data: Uint8Array; readonly ends: Uint32Array }
  /** Slot s: pos[s] >= 0: lens[s] bytes at file position pos[s]; else the blob slot (data between ends). */
  | { readonly kind: "file"; readonly data: Uint8Array; readonly ends: Uint32Array; readonly pos: Float64Array; readonly lens: Uint32Array; readonly file: FileBytes }
  | { readonly kind: "any"; readonly data: readonly Value[] };

/** One level of a column. Contract: read-only once built; arrays may be shared between columns (bitmaps). */
export interface Level {
  readonly layout: Layout;
  /** "bits" layout: bit r (byte r >> 3, bit r & 7) is set when row r has an occurrence here. */
  readonly bits: Uint8Array | null;
  /** "valid" layout: 1 where the row has an occurrence here. */
  readonly valid: Uint8Array | null;
  /** "rows" layout: the row of each slot, increasing (non-decreasing when `repeat`). */
  readonly rows: Uint32Array | null;
  /** Only the last level: holds every occurrence from MAX_SINGLE on, so a row may have several slots. */
  readonly repeat: boolean;
  /** Occurrences (slots) in this level. */
  readonly count: number;
  readonly enc: Enc;
}

/** First k in [0, count) with rows[k] >= i (count when none). */
export function lowerBound(rows: Uint32Array, count: number, i: number): number {
  let lo = 0, hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid] < i) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The slot of row i in a single (non-repeating) level, or -1 when the row has no occurrence there. */
export function slotOf(l: Level, i: number): number {
  switch (l.layout) {
    case "all": return i;
    case "bits": return (l.bits![i >>> 3] >>> (i & 7)) & 1 ? i : -1;
    case "valid": return l.valid![i] === 1 ? i : -1;
    case "rows": {
      const k = lowerBound(l.rows!, l.count, i);
      return k < l.count && l.rows![k] === i ? k : -1;
    }
  }
}

/** The value in slot s. Bytes come as views into the column's storage (read-only). */
export function valueAt(e: Enc, s: number): Value {
  switch (e.kind) {
    case "const": return e.value;
    case "bits": return (e.data[s >>> 3] >>> (s & 7)) & 1;
    case "num": return e.data[s];
    case "dict": return e.dict[e.codes[s]];
    case "dict16": { const c = e.codes[s]; return e.dict.subarray(c * 16, c * 16 + 16); }
    case "fixed16": return e.data.subarray(s * 16, s * 16 + 16);
    case "blob": return e.data.subarray(s === 0 ? 0 : e.ends[s - 1], e.ends[s]);
    case "file": return e.pos[s] >= 0 ? e.file.read(e.pos[s], e.lens[s]) : e.data.subarray(s === 0 ? 0 : e.ends[s - 1], e.ends[s]);
    case "any": return e.data[s];
  }
}

/** Calls f(row, slot) for every occurrence of the level, in row order. */
export function forEachSlot(l: Level, n: number, f: (row: number, slot: number) => void): void {
  switch (l.layout) {
    case "all": for (let i = 0; i < n; i++) f(i, i); break;
    case "valid": for (let i = 0; i < n; i++) if (l.valid![i] === 1) f(i, i); break;
    case "bits": {
      const b = l.bits!;
      for (let byte = 0; byte < b.length; byte++) {
        let m = b[byte];
        while (m !== 0) {
          const bit = 31 - Math.clz32(m & -m);
          m &= m - 1;
          f(byte * 8 + bit, byte * 8 + bit);
        }
      }
      break;
    }
    case "rows": { const r = l.rows!; for (let k = 0; k < l.count; k++) f(r[k], k); break; }
  }
}

/** Bytes a JS value costs, roughly (for reporting only). */
function jsBytes(v: Value): number {
  return typeof v === "string" ? 16 + 2 * v.length : typeof v === "number" ? 8 : 96 + v.byteLength;
}

/**
 * Bytes held by a level's arrays (JS values estimated). Arrays already in `seen` (shared with a level counted
 * before) count nothing; the level's arrays are added to it.
 */
export function levelBytes(l: Level, seen: Set<object> = new Set()): number {
  const size = (a: { byteLength: number } | null): number => (a === null || seen.has(a) ? 0 : (seen.add(a), a.byteLength));
  let b = size(l.bits) + size(l.valid) + size(l.rows);
  const e = l.enc;
  switch (e.kind) {
    case "const": break;
    case "bits": case "num": case "fixed16": b += size(e.data); break;
    case "blob": b += size(e.data) + size(e.ends); break;
    case "file": b += size(e.data) + size(e.ends) + size(e.pos) + size(e.lens); break;
    case "dict16": b += size(e.codes) + size(e.dict); break;
    case "dict":
      b += size(e.codes);
      if (e.dict instanceof Float64Array) b += size(e.dict);
      else if (!seen.has(e.dict)) { seen.add(e.dict); b += e.dict.reduce((a: number, v) => a + 8 + jsBytes(v), 0); }
      break;
    case "any": for (const v of e.data) b += 8 + jsBytes(v); break;
  }
  return b;
}

/** What compiled code over a level depends on: layout, encoding and the array types (so it stays monomorphic). */
export function levelKey(l: Level): string {
  const e = l.enc;
  const arr = e.kind === "const" ? typeof e.value : e.kind === "dict" ? `${e.codes.constructor.name}/${e.dict.constructor.name}`
    : e.kind === "dict16" ? e.codes.constructor.name : e.kind === "any" ? "" : e.data.constructor.name;
  return `${l.layout}${l.repeat ? "*" : ""}:${e.kind}:${arr}`;
}
