// A message table built the plain way, column by column, as the definition reads (lib/table/messages.ts): the
// oracle the one-pass builder is checked against. Every layer's fields are extracted (one row per layer), then each
// row takes its own layer's values, its carried layers' or else its nearest earlier layer's for other protocols, and
// its frame's for frame.* and derived fields. Slow and memory-hungry on purpose: only for small captures.

import { frameChunks } from "../../lib/capture/chunks.js";
import { Column, type Value } from "../../lib/decode/column.js";
import { Extraction } from "../../lib/decode/extract.js";
import { lookupField, lookupProtocol } from "../../lib/dissectors/registry.js";
import { storageOf, type FieldDef } from "../../lib/dissectors/field.js";
import { compileFilter } from "../../lib/dsl/index.js";
import type { Capture } from "../../lib/table/capture.js";
import { CONTEXT, KINDS, type MessageOptions } from "../../lib/table/messages.js";
import { toTable, type ColumnTable } from "../../lib/table/to-arquero.js";

export function naiveMessageTable(cap: Capture, kind: string, opts: MessageOptions = {}): ColumnTable {
  const { proto, only } = KINDS[kind] ?? { proto: kind };
  const d = lookupProtocol(proto)!, self = d.id!, lt = cap.layers();
  const gate = only ? cap.column(only) : null;
  const rows: number[] = [];
  for (let l = 0; l < lt.count; l++) if (lt.proto[l] === self && (!gate || gate.has(lt.frameOf(l)))) rows.push(l);
  const frameOf = (r: number) => lt.frameOf(rows[r]);

  /** The values of one field in every layer: a column with one entry per layer. */
  const perLayer = (field: FieldDef, p: number): Column => {
    const ex = new Extraction([{ field, proto: p }], lt.count, Uint32Array.from({ length: lt.count }, (_, l) => l));
    for (const chunk of frameChunks(cap.file)) ex.run(cap.file, lt, chunk, lt.frameStart[chunk.first], lt.frameStart[chunk.last]);
    return ex.finish()[0];
  };

  const valuesOf = (name: string): Value[][] => {
    const e = lookupField(name)!;
    if (e.protoId < 0 || e.field.derive) {
      const col = cap.column(name);
      if (e.protoId !== self) return rows.map((_, r) => col.all(frameOf(r)));
      // A derived field of the table's own protocol: the occurrence of the row's message in the frame.
      return rows.map((l, r) => {
        let k = 0;
        for (let x = lt.frameStart[frameOf(r)]; x < l; x++) if (lt.proto[x] === self) k++;
        const v = col.get(frameOf(r), k) ?? (col.count(frameOf(r)) === 1 ? col.get(frameOf(r), 0) : undefined);
        return v === undefined ? [] : [v];
      });
    }
    const col = perLayer(e.field, e.protoId);
    return rows.map((l, r) => {
      if (e.protoId === self) return col.all(l);
      const f = frameOf(r), carried: Value[] = [];
      let any = false;
      for (let x = l + 1; x < lt.frameStart[f + 1] && lt.proto[x] !== self; x++) {
        if (lt.proto[x] === e.protoId) { any = true; carried.push(...col.all(x)); }
      }
      if (any) return carried;
      for (let x = l - 1; x >= lt.frameStart[f]; x--) if (lt.proto[x] === e.protoId) return col.all(x);
      return [];
    });
  };

  const cache = new Map<string, Column>();
  const column = (name: string): Column => {
    let c = cache.get(name);
    if (!c) cache.set(name, (c = build(lookupField(name)!.field, valuesOf(name))));
    return c;
  };
  const own = opts.fields ?? d.fields.filter((f) => f.type !== "protocol").map((f) => f.abbrev);
  // A context column is shown when some row has a value (frame.number and frame.time_epoch always).
  const always = new Set(["frame.number", "frame.time_epoch"]);
  const context = CONTEXT.filter((f) => lookupField(f) && !own.includes(f) && (always.has(f) || column(f).presentCount() > 0));
  const cols = [...context, ...own].map(column);
  const reasons = rows.map((_, r) => {
    const mine = (lt.problems.get(frameOf(r)) ?? []).filter((p) => p.startsWith(`${proto}:`) || (p.startsWith("mbtcp:") && proto === "modbus"));
    return mine.length ? mine.join("; ") : null;
  });
  const flagDef: FieldDef = { abbrev: "malformed", name: "Malformed", type: "bool", description: "" };
  const whyDef: FieldDef = { abbrev: "malformed.reason", name: "Reason", type: "string", description: "" };
  cols.push(new Column(flagDef, rows.length, Uint8Array.from(reasons, (x) => (x ? 1 : 0)), new Uint8Array(rows.length).fill(1), null));
  cols.push(new Column(whyDef, rows.length, reasons.map((x) => x ?? ""), Uint8Array.from(reasons, (x) => (x ? 1 : 0)), null));
  if (!opts.filter) return toTable(cols);
  const mask = compileFilter(opts.filter).run(column, rows.length);
  return toTable(cols, Uint32Array.from(rows.keys()).filter((r) => mask[r] === 1));
}

/** A message column from each row's values: numbers as Float64Array, IPv6 in 16-byte slots, CSR where a row repeats. */
function build(field: FieldDef, values: Value[][]): Column {
  const m = values.length, storage = storageOf(field.type), flat = values.flat();
  const store = (vs: Value[]) =>
    storage === "any" ? vs.map((v) => (v instanceof Uint8Array ? v.slice() : v))
    : storage === "fixed16" ? (() => { const out = new Uint8Array(vs.length * 16); vs.forEach((v, k) => out.set(v as Uint8Array, k * 16)); return out; })()
    : Float64Array.from(vs as number[]);
  if (values.some((v) => v.length > 1)) {
    const starts = new Uint32Array(m + 1);
    values.forEach((v, r) => { starts[r + 1] = starts[r] + v.length; });
    return new Column(field, m, store(flat), null, starts);
  }
  const zero: Value = storage === "any" ? "" : storage === "fixed16" ? new Uint8Array(16) : 0;
  const dense = store(values.map((v) => (v.length ? v[0] : zero)));
  return new Column(field, m, dense, Uint8Array.from(values, (v) => v.length), null);
}
