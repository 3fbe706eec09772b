// Building a message table's columns (one entry per row) out of columns over frames: frame.* and derived fields
// (per-layer fields are extracted straight into row columns, message-extract.ts). Each row takes a list of positions
// in the source column's flat values; a column where some row has two values is multi (CSR), else dense. Numbers are
// copied typed array to typed array into a Float64Array (how message tables have always stored them), never boxed.

import type { FieldDef } from "../dissectors/field.js";
import { Column, type NumArray, type Value } from "../decode/column.js";

/**
 * Row r's values from its frame's: all of them; or, with `kth` (a field of the table's own protocol, derived per
 * frame), the occurrence of its message in the frame, or the frame's only one.
 */
export function fromFrames(field: FieldDef, col: Column, frames: Uint32Array, kth: Uint32Array | null): Column {
  // Column.starts / values / valid build their arrays on every read (column.ts): read each once.
  const m = frames.length, start = new Uint32Array(m + 1), cs = col.starts;
  if (kth === null) {
    for (let r = 0; r < m; r++) start[r + 1] = start[r] + col.count(frames[r]);
    const at = new Uint32Array(start[m]);
    for (let r = 0, k = 0; r < m; r++) {
      const i = frames[r], base = cs ? cs[i] : i;
      for (let q = 0, c = col.count(i); q < c; q++) at[k++] = base + q;
    }
    return materialize(field, col, start, at);
  }
  const at = new Uint32Array(m);
  let k = 0;
  for (let r = 0; r < m; r++) {
    const i = frames[r], c = col.count(i), base = cs ? cs[i] : i;
    if (kth[r] < c) at[k++] = base + kth[r];
    else if (c === 1) at[k++] = base;
    start[r + 1] = k;
  }
  return materialize(field, col, start, at.subarray(0, k));
}

/** The column whose row r holds col's flat values at[start[r] .. start[r+1]). */
function materialize(field: FieldDef, col: Column, start: Uint32Array, at: Uint32Array): Column {
  const m = start.length - 1, storage = col.storage;
  let multi = false;
  for (let r = 0; r < m && !multi; r++) multi = start[r + 1] - start[r] > 1;
  const n = multi ? at.length : m;
  // Where occurrence j goes: slot j of a multi column; the slot of its row in a dense one.
  const dest = new Uint32Array(at.length);
  for (let r = 0; r < m; r++) for (let j = start[r]; j < start[r + 1]; j++) dest[j] = multi ? j : r;
  let values: NumArray | Value[];
  if (storage === "fixed16") {
    const src = col.values as Uint8Array, out = new Uint8Array(n * 16);
    for (let j = 0; j < at.length; j++) out.set(src.subarray(at[j] * 16, at[j] * 16 + 16), dest[j] * 16);
    values = out;
  } else if (storage === "any") {
    const src = col.values as Value[], out: Value[] = new Array(n);
    for (let j = 0; j < at.length; j++) out[dest[j]] = copy(src[at[j]]);
    values = out;
  } else {
    // One native widening of the source, so the gather loop below reads a single array type.
    const cv = col.values, src = cv instanceof Float64Array ? cv : new Float64Array(cv as NumArray), out = new Float64Array(n);
    for (let j = 0; j < at.length; j++) out[dest[j]] = src[at[j]];
    values = out;
  }
  if (multi) return new Column(field, m, values, null, start);
  const valid = new Uint8Array(m);
  for (let r = 0; r < m; r++) valid[r] = start[r + 1] - start[r];
  return new Column(field, m, values, valid, null);
}

/** Byte values are copied: the table must not share them with the column it came from. */
const copy = (v: Value): Value => (v instanceof Uint8Array ? v.slice() : v);
