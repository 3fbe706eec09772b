// Building a message table's columns (one entry per row) out of columns over other indices: source-layer slots
// (message-extract.ts) or frames (frame.* and derived fields). Each row takes a list of positions in the source
// column's flat values; a column where some row has two values is multi (CSR), else dense. Numbers are copied typed
// array to typed array into a Float64Array (how message tables have always stored them), never boxed.

import type { FieldDef } from "../dissectors/field.js";
import { Column, type NumArray, type Value } from "../decode/column.js";
import type { Sources } from "./message-rows.js";

/** Row r's values: every occurrence in its source slots, slot after slot. */
export function fromSlots(field: FieldDef, col: Column, src: Sources): Column {
  const m = src.start.length - 1, { slots } = src, start = new Uint32Array(m + 1), cs = col.starts, valid = col.valid;
  if (cs === null && src.single) return oneSlot(field, col, src);
  for (let r = 0; r < m; r++) {
    let c = 0;
    for (let j = src.start[r]; j < src.start[r + 1]; j++) { const s = slots[j]; c += cs ? cs[s + 1] - cs[s] : valid![s]; }
    start[r + 1] = start[r] + c;
  }
  const at = new Uint32Array(start[m]);
  for (let r = 0, k = 0; r < m; r++) {
    for (let j = src.start[r]; j < src.start[r + 1]; j++) {
      const s = slots[j];
      if (cs) for (let q = cs[s]; q < cs[s + 1]; q++) at[k++] = q;
      else if (valid![s]) at[k++] = s;
    }
  }
  return materialize(field, col, start, at);
}

/** The common case: a dense column and at most one source slot a row (its own layer, or the tcp layer before it). */
function oneSlot(field: FieldDef, col: Column, src: Sources): Column {
  const m = src.start.length - 1, { start, slots } = src, has = col.valid!, valid = new Uint8Array(m);
  let values: NumArray | Value[];
  if (col.storage === "fixed16") {
    const v = col.values as Uint8Array, out = new Uint8Array(m * 16);
    for (let r = 0; r < m; r++) {
      if (start[r + 1] === start[r]) continue;
      const s = slots[start[r]];
      if (has[s]) { valid[r] = 1; out.set(v.subarray(s * 16, s * 16 + 16), r * 16); }
    }
    values = out;
  } else if (col.storage === "any") {
    const v = col.values as Value[], out: Value[] = new Array(m);
    for (let r = 0; r < m; r++) {
      if (start[r + 1] === start[r]) continue;
      const s = slots[start[r]];
      if (has[s]) { valid[r] = 1; out[r] = copy(v[s]); }
    }
    values = out;
  } else {
    // One native widening of the slots, so the loop below reads a single array type.
    const cv = col.values, v = cv instanceof Float64Array ? cv : new Float64Array(cv as NumArray), out = new Float64Array(m);
    for (let r = 0; r < m; r++) {
      if (start[r + 1] === start[r]) continue;
      const s = slots[start[r]];
      if (has[s]) { valid[r] = 1; out[r] = v[s]; }
    }
    values = out;
  }
  return new Column(field, m, values, valid, null);
}

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
