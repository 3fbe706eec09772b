// Pseudo-columns (raw-names.ts): what a filter needs from the packet bytes beyond the registered fields' columns —
// layer-restricted fields (ip.src#2), protocol bytes and their slices (tcp[13], frame[-4:]), and protocol
// contains/matches tests computed while the file is read, so no frame's bytes are kept. Built from the capture's
// layer table and frame chunks (one sequential read), like a field column, and cached by the caller.
//
// A protocol's value is its header bytes (Wireshark's protocol item length, len(tcp) == tcp header length): from its
// layer's start to the start of the next layer in the same buffer, or to `<proto>.hdr_len` bytes when the protocol
// registers that field; `contains`/`matches` search the bytes to the end of its PDU (Wireshark's protocol tvb).

import { frameChunks } from "../capture/chunks.js";
import { Column, ColumnBuilder } from "../decode/column.js";
import type { LayerTable } from "../decode/layer-table.js";
import type { DeriveSource, FieldDef, FieldType } from "../dissectors/field.js";
import { lookupField, type FieldEntry } from "../dissectors/registry.js";
import type { CRange } from "./ir.js";
import { parseRawName, type RawSpec } from "./raw-names.js";
import { compileRegex } from "./regex.js";
import { msg } from "./messages.js";
import { containsBytes, latin1, sliceBytes } from "./runtime.js";

/** The pseudo-column `name` of a capture, or null when `name` is no pseudo-column of a registered field. */
export function rawColumn(name: string, src: DeriveSource): Column | null {
  const spec = parseRawName(name);
  if (spec === null) return null;
  const e = lookupField(spec.field);
  if (e === undefined || (spec.bytes !== null && e.field.type !== "protocol")) return null;
  const type: FieldType = spec.test !== null ? "bool" : spec.bytes !== null ? "bytes" : e.field.type;
  const def: FieldDef = { abbrev: name, name, type, description: `pseudo-column ${name}` };
  const n = src.file.index.count;
  if (e.field.abbrev === "frame" || e.field.derive) return frameLevel(spec, e, def, src, n);
  return layerLevel(spec, e, def, src, n);
}

/** True when layer number `ord` (1-based) of `count` is in the ranges (negative numbers count from the last). */
export function inLayers(rs: readonly CRange[] | null, ord: number, count: number): boolean {
  if (rs === null) return true;
  for (const r of rs) {
    const from = r.from < 0 ? count + r.from + 1 : r.from;
    const to = r.length === null ? count : from + r.length - 1;
    if (ord >= from && ord <= to) return true;
  }
  return false;
}

/** What to do with one layer's bytes: push a value, or record that the test matched. */
function bytesSink(spec: RawSpec, out: ColumnBuilder): (frame: number, hdr: Uint8Array, pdu: Uint8Array) => boolean {
  const t = spec.test;
  if (t !== null && "contains" in t) {
    return (f, _h, pdu) => { if (containsBytes(pdu, t.contains)) { out.push(f, 1); return true; } return false; };
  }
  if (t !== null) {
    const re = compileRegex(t.matches);
    return (f, _h, pdu) => { if (typeof re !== "string" && re.test(latin1(pdu))) { out.push(f, 1); return true; } return false; };
  }
  const ranges = spec.bytes === "pdu" ? null : spec.bytes;
  return (f, hdr, pdu) => {
    const v = ranges === null ? pdu : sliceBytes(hdr, ranges);
    if (v !== null) out.push(f, v.slice());
    return false;
  };
}

/** frame (and other fields without layers): one "layer", the whole captured frame. */
function frameLevel(spec: RawSpec, e: FieldEntry, def: FieldDef, src: DeriveSource, n: number): Column {
  const out = new ColumnBuilder(def, Math.min(n + 1, 1 << 16));
  if (!inLayers(spec.layers, 1, 1)) return out.finish(n);
  if (spec.bytes === null) {
    const col = src.column(e.field.abbrev);
    for (let i = 0; i < n; i++) for (let k = 0, c = col.count(i); k < c; k++) out.push(i, col.get(i, k)!);
    return out.finish(n);
  }
  const sink = bytesSink(spec, out);
  const { offset, caplen } = src.file.index;
  for (const chunk of frameChunks(src.file)) {
    for (let i = chunk.first; i < chunk.last; i++) {
      const o = offset[i] - chunk.base;
      const b = chunk.buf.subarray(o, o + caplen[i]);
      sink(i, b, b);
    }
  }
  return out.finish(n);
}

/** A protocol's layers, or a field read from the layers of its protocol, restricted to spec.layers. */
function layerLevel(spec: RawSpec, e: FieldEntry, def: FieldDef, src: DeriveSource, n: number): Column {
  const out = new ColumnBuilder(def, Math.min(n + 1, 1 << 16));
  const layers = src.layers();
  const pid = e.protoId;
  const f = e.field;
  const hdrLen = lookupField(`${spec.field}.hdr_len`)?.field.get ?? null;
  const sink = spec.bytes !== null ? bytesSink(spec, out) : null;
  let frame = 0, target: ColumnBuilder = out;
  const emit = (v: number | string | Uint8Array) => target.push(frame, v);
  const { offset } = src.file.index;
  const { proto, aux, side, frameStart } = layers;
  for (const chunk of frameChunks(src.file)) {
    for (let i = chunk.first; i < chunk.last; i++) {
      const first = frameStart[i], last = frameStart[i + 1];
      let count = 0;
      for (let l = first; l < last; l++) if (proto[l] === pid) count++;
      if (count === 0) continue;
      let ord = 0;
      for (let l = first; l < last; l++) {
        if (proto[l] !== pid) continue;
        ord++;
        if (!inLayers(spec.layers, ord, count)) continue;
        const t = layers.bufOf(l);
        const base = t === 0 ? offset[i] - chunk.base : 0;
        const b = t === 0 ? chunk.buf : side[t - 1];
        const o = base + layers.offOf(l), e2 = base + layers.endOf(l);
        if (sink !== null) {
          const h = headerEnd(layers, l, last, o, e2, base, hdrLen, b);
          if (sink(i, b.subarray(o, h), b.subarray(o, e2))) break;
        } else if (f.type === "protocol") {
          out.push(i, 1);
        } else if (f.get) {
          const v = f.get(b, o, e2, layers.repOf(l), aux[l]);
          if (v !== undefined) out.push(i, v);
        } else if (f.each) {
          frame = i;
          target = out;
          f.each(b, o, e2, layers.repOf(l), aux[l], emit);
        }
      }
    }
  }
  return out.finish(n);
}

/** Where layer l's header ends: `<proto>.hdr_len` bytes in, else where the next layer of the same buffer starts. */
function headerEnd(
  t: LayerTable, l: number, last: number, o: number, e: number, base: number,
  hdrLen: FieldDef["get"] | null, b: Uint8Array,
): number {
  if (hdrLen) {
    const h = hdrLen(b, o, e, t.repOf(l), t.aux[l]);
    if (typeof h === "number" && h > 0) return Math.min(e, o + h);
  }
  if (l + 1 < last && t.bufOf(l + 1) === t.bufOf(l)) {
    const next = base + t.offOf(l + 1);
    if (next >= o && next <= e) return next;
  }
  return e;
}

/**
 * A column accessor for CompiledFilter.run over a capture: registered fields come from the capture (the `wanted`
 * ones decoded together in one pass first), pseudo-columns are computed here and cached per capture — those built
 * from the layer table until the capture's layer table changes ("decode as" makes a new one).
 */
export function filterColumns(cap: DeriveSource & { columns(abbrevs: readonly string[]): Column[] }, wanted: readonly string[] = []): (name: string) => Column {
  let cache = PSEUDO.get(cap);
  if (!cache) { cache = new Map(); PSEUDO.set(cap, cache); }
  const memo = cache;
  const plain = wanted.filter((w) => lookupField(w) !== undefined);
  if (plain.length > 0) cap.columns(plain);
  return (name) => {
    if (lookupField(name) !== undefined) return cap.column(name);
    const layered = !/^frame(\.|\[|#|$)/.test(name);
    const layers = layered ? cap.layers() : null;
    const hit = memo.get(name);
    if (hit !== undefined && hit.layers === layers) return hit.col;
    const col = rawColumn(name, cap);
    if (col === null) throw new Error(msg.noColumn(name));
    memo.set(name, { col, layers });
    return col;
  };
}

const PSEUDO = new WeakMap<object, Map<string, { col: Column; layers: LayerTable | null }>>();
