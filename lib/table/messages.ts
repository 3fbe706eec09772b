// Message tables: one row per protocol message rather than per frame (two MQTT messages in one TCP segment are two
// rows; an MQTT PUBLISH reassembled from three segments is one row, in the frame that completed it). A message is a
// layer of the table's protocol. Its own fields are read from that layer; fields of other protocols (ip.src,
// tcp.stream, mbtcp.trans_id) from the layers of theirs the message carries, else the nearest one before it in the
// same frame (message-rows.ts); frame.* and derived fields from its frame.
//
// Cost: the layer table is walked once for the rows and every per-layer field (context columns, asked-for fields and
// the filter's) is extracted in one pass over the file from just the layers the rows read (message-extract.ts).

import type { FrameIndex } from "../capture/frame-index.js";
import type { FieldDef } from "../dissectors/field.js";
import { lookupField, lookupProtocol } from "../dissectors/registry.js";
import { Column } from "../decode/column.js";
import { compileFilter } from "../dsl/index.js";
import { transportsOf, type WalkDepth } from "../decode/depth.js";
import { TCP_UNNUMBERED, tcpStreamOf } from "../dissectors/tcp-streams.js";
import { UDP_UNNUMBERED, udpStreamOf } from "../dissectors/udp.js";
import type { Capture } from "./capture.js";
import { unknownField } from "./errors.js";
import { fromFrames } from "./message-gather.js";
import { extractRows, RowExtraction } from "./message-extract.js";
import { MessageRows } from "./message-rows.js";
import { toTable, type ColumnTable } from "./to-arquero.js";

/** Message kinds beyond plain protocol names: which protocol's layers are the rows, and which layers qualify. */
export const KINDS: Readonly<Record<string, { proto: string; only?: string }>> = {
  modbus: { proto: "modbus" },
  "ble.adv": { proto: "btle", only: "btle.advertising_header" },
  att: { proto: "btatt" },
  lwm2m: { proto: "lwm2mtlv" },
};

/** Columns every message table starts with (those some row has, and always frame.number and frame.time_epoch). */
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
  const own = opts.fields ?? d.fields.filter((f) => f.type !== "protocol").map((f) => f.abbrev);
  for (const a of own) if (!lookupField(a)) throw unknownField(a);
  const filter = opts.filter ? compileFilter(opts.filter) : null;
  const candidates = CONTEXT.filter((f) => lookupField(f) && !own.includes(f));
  // One pass as deep as every column of the table needs (the rows' protocol, its fields, the context, the filter's
  // fields), so no later column request dissects again under the rows' layer indices.
  const wanted = [proto, ...(only ? [only] : []), ...candidates, ...own, ...(filter?.fields ?? [])];
  // Except the conversation numbers of a transport the rows' protocol does not ride (udp.stream in an MQTT table):
  // no row has such a layer, and numbering every UDP conversation is much of a pass's cost on mixed traffic.
  const rides = transportsOf(proto, cap.tables);
  const skipped = STREAM_COLUMNS.filter((c) => rides !== null && !rides[c.transport] && candidates.includes(c.abbrev) && !filter?.fields.includes(c.abbrev));
  const perLayer = [...candidates, ...own, ...(filter?.fields ?? [])];
  // Only the frames holding a message keep their layers (the rows read no other frame); not with a gate, whose
  // column needs a pass of every frame anyway.
  const anchor = only ? undefined : [proto];
  const rowsOf = (abbrevs: string[], fuse: boolean): { rows: MessageRows; extracted: Map<string, Column> | null } => {
    // When the capture has to dissect for the table, the fields are extracted in the same pass (read once).
    const groups = fuse && !only ? layerFieldGroups(perLayer, new Set()) : null;
    let during: RowExtraction | null = null;
    const layers = cap.layersFor(abbrevs, anchor, groups === null ? undefined : (chunk, lt, from, to) => {
      during ??= new RowExtraction(lt, d.id!, groups);
      during.chunk(cap.file, chunk, from, to);
    });
    // (The hook above is what sets it: a cast, since the compiler does not follow assignments inside callbacks.)
    const ran = during as RowExtraction | null;
    if (ran !== null) return { rows: ran.rows, extracted: ran.finish() };
    const gate = only ? cap.column(only) : null;
    return { rows: MessageRows.of(layers, d.id!, gate ? (f) => gate.has(f) : null), extracted: null };
  };
  let { rows, extracted } = rowsOf(wanted.filter((a) => !skipped.some((c) => c.abbrev === a)), true);
  // A row's frame holding a layer of that transport the pass left unnumbered (a tunnel) needs the numbers after all.
  if (skipped.some((c) => !c.numbered(rows.lt.depth) && rows.framesHold(cap.protoId(c.transport), c.unnumbered))) {
    ({ rows, extracted } = rowsOf(wanted, false));
  }
  const cols = new MessageColumns(cap, rows, extracted);
  cols.prepare(perLayer);
  const names = [...candidates.filter((f) => cols.presentInRows(f)), ...own];
  const out = names.map((n) => cols.column(n));
  out.push(...cols.malformed(proto));
  if (!filter) return toTable(out);
  const mask = filter.run((a: string) => cols.column(a), rows.count);
  let kept = 0;
  for (let r = 0; r < mask.length; r++) kept += mask[r] ? 1 : 0;
  const keep = new Uint32Array(kept);
  for (let r = 0, k = 0; r < mask.length; r++) if (mask[r]) keep[k++] = r;
  return toTable(out, keep);
}

/** The columns of one message table, one entry per row, built on demand and cached. */
class MessageColumns {
  private readonly cache: Map<string, Column>;

  /** `extracted`: columns the pass already extracted (RowExtraction). */
  constructor(private readonly cap: Capture, private readonly rows: MessageRows, extracted: Map<string, Column> | null) {
    this.cache = extracted ?? new Map();
  }

  /** Extracts the per-layer fields among `abbrevs` (unknown names are left to column() to report) in one pass. */
  prepare(abbrevs: readonly string[]): void {
    const byProto = layerFieldGroups(abbrevs, this.cache);
    if (byProto.size === 0) return;
    const protos = [...byProto.keys()], sources = this.rows.sources(protos);
    const groups = protos.map((p, k) => ({ sources: sources[k], fields: byProto.get(p)! }));
    const cols = extractRows(this.cap.file, this.rows.lt, groups, this.rows.count);
    groups.forEach((g, k) => g.fields.forEach((f, j) => this.cache.set(f.abbrev, cols[k][j])));
  }

  column(abbrev: string): Column {
    const hit = this.cache.get(abbrev);
    if (hit) return hit;
    const e = lookupField(abbrev);
    if (!e) throw unknownField(abbrev);
    if (e.protoId >= 0 && !e.field.derive) {
      this.prepare([abbrev]);
      return this.cache.get(abbrev)!;
    }
    const c = frameColumn(this.cap, this.rows, e.field) ??
      fromFrames(e.field, this.cap.column(abbrev), this.rows.frame, e.protoId === this.rows.proto ? this.rows.kth() : null);
    this.cache.set(abbrev, c);
    return c;
  }

  /**
   * Whether some row has the field: a context column is shown only then (an MQTT table has no udp.srcport column,
   * whatever else the capture carries). frame.number and frame.time_epoch are always shown.
   */
  presentInRows(abbrev: string): boolean {
    return FROM_INDEX[abbrev] !== undefined || this.column(abbrev).presentCount() > 0;
  }

  /** The malformed flag and reason of each row: problems its frame has from this protocol's dissector. */
  malformed(proto: string): [Column, Column] {
    const reasons = this.rows.reasons(proto), m = this.rows.count, flag = new Uint8Array(m), text = new Array<string>(m);
    for (let r = 0; r < m; r++) { const why = reasons[r]; flag[r] = why ? 1 : 0; text[r] = why ?? ""; }
    const def: FieldDef = { abbrev: "malformed", name: "Malformed", type: "bool", description: "Wirebook: the message is malformed" };
    const why: FieldDef = { abbrev: "malformed.reason", name: "Reason", type: "string", description: "Wirebook: why the message is malformed" };
    return [new Column(def, m, flag, new Uint8Array(m).fill(1), null), new Column(why, m, text, flag.slice(), null)];
  }
}

/** The per-layer fields among `abbrevs` (not derived; unknown names left out) not in `have`, by protocol id. */
function layerFieldGroups(abbrevs: readonly string[], have: { has(abbrev: string): boolean }): Map<number, FieldDef[]> {
  const byProto = new Map<number, FieldDef[]>();
  for (const a of new Set(abbrevs)) {
    const e = lookupField(a);
    if (!e || e.protoId < 0 || e.field.derive || have.has(a)) continue;
    const list = byProto.get(e.protoId);
    if (list) list.push(e.field);
    else byProto.set(e.protoId, [e.field]);
  }
  return byProto;
}

/**
 * The conversation-number context columns: the transport, whether a pass numbered its conversations, and the test
 * on a layer's aux for "left unnumbered".
 */
const STREAM_COLUMNS: readonly {
  abbrev: string; transport: "tcp" | "udp"; numbered: (d: WalkDepth) => boolean; unnumbered: (aux: number) => boolean;
}[] = [
  { abbrev: "tcp.stream", transport: "tcp", numbered: (d) => d.tcpStreams, unnumbered: (a) => tcpStreamOf(a) === TCP_UNNUMBERED },
  { abbrev: "udp.stream", transport: "udp", numbered: (d) => d.udpStreams, unnumbered: (a) => udpStreamOf(a) === UDP_UNNUMBERED },
];

/** frame.* fields taken from the frame index for just the rows (computed as frame.ts does for every frame). */
const FROM_INDEX: Record<string, (index: FrameIndex, f: number) => number> = {
  "frame.number": (_index, f) => f + 1,
  "frame.time_epoch": (index, f) => index.tsSec[f] + index.tsNsec[f] / 1e9,
};

function frameColumn(cap: Capture, rows: MessageRows, field: FieldDef): Column | null {
  const get = FROM_INDEX[field.abbrev];
  if (!get) return null;
  const index = cap.file.index, m = rows.count, frames = rows.frame, values = new Float64Array(m);
  for (let r = 0; r < m; r++) values[r] = get(index, frames[r]);
  return new Column(field, m, values, new Uint8Array(m).fill(1), null);
}
