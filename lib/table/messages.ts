// Message tables: one row per protocol message rather than per frame (two MQTT messages in one TCP segment are two
// rows; an MQTT PUBLISH reassembled from three segments is one row, in the frame that completed it). A message is a
// layer of the table's protocol. Its own fields are read from that layer; fields of other protocols (ip.src,
// tcp.stream, mbtcp.trans_id) from the nearest layer of theirs before it in the same frame; frame.* from its frame.

import type { FieldDef } from "../dissectors/field.js";
import { lookupField, lookupProtocol } from "../dissectors/registry.js";
import { frameChunks } from "../capture/chunks.js";
import { Column, type Value } from "../decode/column.js";
import { Extraction } from "../decode/extract.js";
import { compileFilter } from "../dsl/index.js";
import type { Capture } from "./capture.js";
import { unknownField } from "./errors.js";
import { toTable, type ColumnTable } from "./to-arquero.js";

/** Message kinds beyond plain protocol names: which protocol's layers are the rows, and which layers qualify. */
export const KINDS: Readonly<Record<string, { proto: string; only?: string }>> = {
  modbus: { proto: "modbus" },
  "ble.adv": { proto: "btle", only: "btle.advertising_header" },
  att: { proto: "btatt" },
  lwm2m: { proto: "lwm2mtlv" },
};

/** Columns every message table starts with (those the capture has). */
export const CONTEXT: readonly string[] = ["frame.number", "frame.time_epoch", "tcp.stream", "udp.stream", "ip.src", "ipv6.src", "tcp.srcport",
  "udp.srcport", "ip.dst", "ipv6.dst", "tcp.dstport", "udp.dstport", "btle.access_address", "btle_rf.channel", "btle_rf.signal_dbm"];

export interface MessageOptions {
  /** Fields to include besides the context columns (default: every field of the protocol). */
  fields?: string[];
  /** A display filter over the message rows (e.g. "mqtt.msgtype == 3"). */
  filter?: string;
}

/** One row per message of `kind` ("mqtt", "coap", "modbus", "ble.adv", "att", "lwm2m", or any protocol name). */
export function messageTable(cap: Capture, kind: string, opts: MessageOptions = {}): ColumnTable {
  const { proto, only } = KINDS[kind] ?? { proto: kind };
  const d = lookupProtocol(proto);
  if (!d) throw unknownField(kind);
  const rows = new MessageRows(cap, d.id!, only);
  const own = opts.fields ?? d.fields.filter((f) => f.type !== "protocol").map((f) => f.abbrev);
  const context = CONTEXT.filter((f) => lookupField(f) && cap.column(f).presentCount() > 0 && !own.includes(f));
  const names = [...context, ...own];
  let cols = names.map((n) => rows.column(n));
  cols.push(rows.malformedColumn(proto), rows.reasonColumn(proto));
  if (opts.filter) {
    const f = compileFilter(opts.filter);
    const mask = f.run((a: string) => rows.column(a), rows.count);
    const keep = Uint32Array.from(mask.reduce<number[]>((acc, v, i) => (v ? (acc.push(i), acc) : acc), []));
    return toTable(cols, keep);
  }
  return toTable(cols);
}

/** The rows of one message table and their columns, built on demand. */
class MessageRows {
  /** Layer index of each row. */
  readonly layer: Uint32Array;
  /** Frame of each row. */
  readonly frame: Uint32Array;
  private readonly cache = new Map<string, Column>();

  constructor(private readonly cap: Capture, readonly proto: number, only?: string) {
    const lt = cap.layers(), out: number[] = [];
    const gate = only ? cap.column(only) : null;
    for (let l = 0; l < lt.count; l++) if (lt.proto[l] === proto && (!gate || gate.has(lt.frame[l]))) out.push(l);
    this.layer = Uint32Array.from(out);
    this.frame = this.layer.map((l) => lt.frame[l]);
  }

  get count(): number { return this.layer.length; }

  column(abbrev: string): Column {
    let c = this.cache.get(abbrev);
    if (c) return c;
    const e = lookupField(abbrev);
    if (!e) throw unknownField(abbrev);
    if (e.protoId < 0 || e.field.derive) c = this.gatherByFrame(e.field, this.cap.column(abbrev), e.protoId === this.proto);
    else c = this.perLayer(e.field, e.protoId);
    this.cache.set(abbrev, c);
    return c;
  }

  /** Rows flagged malformed: the frame has a problem reported by this protocol's dissector. */
  malformedColumn(proto: string): Column {
    const reasons = this.reasons(proto);
    const values = Uint8Array.from(reasons, (r) => (r ? 1 : 0));
    const def: FieldDef = { abbrev: "malformed", name: "Malformed", type: "bool", description: "Wirebook: the message is malformed" };
    return new Column(def, this.count, values, new Uint8Array(this.count).fill(1), null);
  }

  reasonColumn(proto: string): Column {
    const reasons = this.reasons(proto);
    const def: FieldDef = { abbrev: "malformed.reason", name: "Reason", type: "string", description: "Wirebook: why the message is malformed" };
    return new Column(def, this.count, reasons.map((r) => r ?? ""), Uint8Array.from(reasons, (r) => (r ? 1 : 0)), null);
  }

  private reasons(proto: string): (string | null)[] {
    const problems = this.cap.layers().problems;
    return Array.from(this.frame, (f) => {
      const mine = (problems.get(f) ?? []).filter((p) => p.startsWith(`${proto}:`) || p.startsWith("mbtcp:") && proto === "modbus");
      return mine.length ? mine.join("; ") : null;
    });
  }

  /**
   * Fields read from a layer: this protocol's own layer; else the layers of that protocol the message carries (after
   * it, before the next message in the frame: btcommon AD entries of an advertising PDU); else the nearest earlier
   * layer of that protocol in the frame (tcp for MQTT, shared by every message of a segment).
   */
  private perLayer(field: FieldDef, proto: number): Column {
    const lt = this.cap.layers(), m = this.count;
    const ancestor = new Int32Array(m).fill(-1), carried = new Uint8Array(m);
    const childRow = new Uint32Array(lt.count).fill(m);
    for (let r = 0; r < m; r++) {
      if (proto === this.proto) { ancestor[r] = this.layer[r]; continue; }
      const f = this.frame[r], end = lt.frameStart[f + 1];
      for (let l = this.layer[r] + 1; l < end && lt.proto[l] !== this.proto; l++) if (lt.proto[l] === proto) { childRow[l] = r; carried[r] = 1; }
      if (carried[r]) continue;
      for (let l = this.layer[r] - 1; l >= lt.frameStart[f]; l--) if (lt.proto[l] === proto) { ancestor[r] = l; break; }
    }
    // Earlier layers may be shared by several rows: extract them into slots, then gather. rowOf's last slot is a dump.
    const rowOf = new Uint32Array(lt.count).fill(m);
    for (let r = 0; r < m; r++) if (ancestor[r] >= 0) rowOf[ancestor[r]] = r;
    const slots = this.extract(field, proto, rowOf, m);
    const fromAncestor = gather(field, slots, Int32Array.from(ancestor, (l) => (l < 0 ? -1 : rowOf[l])), () => 0);
    if (!carried.some((c) => c === 1)) return fromAncestor;
    // Carried layers belong to exactly one row each: extract straight into rows, then take per row the right source.
    const fromChildren = this.extract(field, proto, childRow, m);
    const pick = new Int32Array(m);
    for (let r = 0; r < m; r++) pick[r] = carried[r] ? r : -1;
    const children = gather(field, fromChildren, pick, () => 0);
    return merge(field, children, fromAncestor, carried);
  }

  private extract(field: FieldDef, proto: number, rowOf: Uint32Array, m: number): Column {
    const lt = this.cap.layers();
    const ex = new Extraction([{ field, proto }], m + 1, rowOf);
    for (const chunk of frameChunks(this.cap.file)) ex.run(this.cap.file, lt, chunk, lt.frameStart[chunk.first], lt.frameStart[chunk.last]);
    return ex.finish()[0];
  }

  /** Frame-level and derived fields: the frame's value; for this protocol's derived fields, the k-th occurrence. */
  private gatherByFrame(field: FieldDef, col: Column, own: boolean): Column {
    const lt = this.cap.layers();
    const kth = (r: number) => {
      if (!own) return 0;
      let k = 0;
      for (let l = lt.frameStart[this.frame[r]]; l < this.layer[r]; l++) if (lt.proto[l] === this.proto) k++;
      return k;
    };
    return gather(field, col, Int32Array.from(this.frame), kth, own);
  }
}

/** A column of rows r = 0..map.length-1 taking col's values at index map[r] (occurrence pick(r) when `one`). */
function gather(field: FieldDef, col: Column, map: Int32Array, pick: (r: number) => number, one = false): Column {
  const m = map.length, starts = new Uint32Array(m + 1), values: Value[] = [];
  for (let r = 0; r < m; r++) {
    const i = map[r];
    if (i >= 0) {
      if (one) {
        const v = col.get(i, pick(r)) ?? (col.count(i) === 1 ? col.get(i, 0) : undefined);
        if (v !== undefined) values.push(copyValue(v));
      } else for (let k = 0, c = col.count(i); k < c; k++) values.push(copyValue(col.get(i, k)!));
    }
    starts[r + 1] = values.length;
  }
  let single = true;
  for (let r = 0; r < m && single; r++) single = starts[r + 1] - starts[r] <= 1;
  if (!single) return new Column(field, m, col.storage === "fixed16" ? concat16(values) : toStorage(col, values), null, starts);
  const valid = new Uint8Array(m), dense: Value[] = new Array(m);
  for (let r = 0; r < m; r++) if (starts[r + 1] > starts[r]) { valid[r] = 1; dense[r] = values[starts[r]]; }
  if (col.storage === "fixed16") {
    const out = new Uint8Array(m * 16);
    for (let r = 0; r < m; r++) if (valid[r]) out.set(dense[r] as Uint8Array, r * 16);
    return new Column(field, m, out, valid, null);
  }
  return new Column(field, m, col.storage === "any" ? dense : Float64Array.from(dense, (v) => (v === undefined ? 0 : (v as number))), valid, null);
}

const copyValue = (v: Value): Value => (v instanceof Uint8Array ? v.slice() : v);
const concat16 = (vs: Value[]) => { const out = new Uint8Array(vs.length * 16); vs.forEach((v, k) => out.set(v as Uint8Array, k * 16)); return out; };
const toStorage = (col: Column, vs: Value[]) => (col.storage === "any" ? vs : Float64Array.from(vs as number[]));


/** Row r from `a` where use[r], else from `b` (both columns have the same rows). */
function merge(field: FieldDef, a: Column, b: Column, use: Uint8Array): Column {
  const m = use.length, map = new Int32Array(m);
  const values: Value[] = [], starts = new Uint32Array(m + 1);
  for (let r = 0; r < m; r++) {
    const src = use[r] ? a : b;
    for (let k = 0, c = src.count(r); k < c; k++) values.push(src.get(r, k)!);
    starts[r + 1] = values.length;
    map[r] = r;
  }
  const all = new Column(field, m, a.storage === "fixed16" ? concat16(values) : toStorage(a, values), null, starts);
  return gather(field, all, map, () => 0);
}
