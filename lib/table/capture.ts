// A capture as the user holds it: the file, its frame index, and columns decoded on demand.
// `open(path)` reads only the index; the first request for fields dissects the frames (one pass, which also
// extracts those fields); later requests extract only the fields not yet decoded. Columns are cached.

import { frameChunks } from "../capture/chunks.js";
import { readCapture } from "../capture/read.js";
import type { CaptureFile } from "../capture/types.js";
import type { DeriveSource, FieldDef } from "../dissectors/field.js";
import type { HandoffTables } from "../dissectors/handoff.js";
import { DISSECTORS, defaultTables, lookupField, lookupProtocol } from "../dissectors/registry.js";
import type { Column } from "../decode/column.js";
import { Extraction } from "../decode/extract.js";
import { covers, depthFor, FULL_DEPTH, HEADERS_DEPTH, INDEX_DEPTH, STREAMS_DEPTH, union, type WalkDepth } from "../decode/depth.js";
import type { LayerTable } from "../decode/layer-table.js";
import { walk, type ChunkHook } from "../decode/walk.js";
import { rawColumn } from "../dsl/raw.js";
import { unknownField } from "./errors.js";
import { FrameView } from "./frame-view.js";
import { messageTable, type MessageOptions } from "./messages.js";
import { escapeHtml } from "./html.js";
import { summarize, summaryText } from "./summary.js";
import type { ColumnTable } from "./to-arquero.js";

export interface OpenOptions {
  signal?: AbortSignal;
  onProgress?: (p: { bytes: number; total: number; frames: number }) => void;
}

/** Opens a capture read-only and indexes its frames. Rejects with a CaptureError for a file that is no capture. */
export async function open(path: string, options: OpenOptions = {}): Promise<Capture> {
  return new Capture(await readCapture(path, options));
}

/** A capture and its decoded columns. Contract: never modifies the file; every method is safe on hostile input. */
export class Capture implements DeriveSource {
  /** This capture's hand-off tables: a copy of the defaults that "decode as" edits. */
  readonly tables: HandoffTables = defaultTables();
  private layerTable: LayerTable | null = null;
  private readonly cache = new Map<string, Column>();

  constructor(readonly file: CaptureFile) {}

  /** Number of frames. */
  get count(): number { return this.file.index.count; }
  get info() { return this.file.info; }
  get path(): string { return this.file.info.path; }
  get sha256(): string { return this.file.info.sha256; }

  /** The layer table of a full pass, dissecting every frame on first use (or again after a shallow pass). */
  layers(): LayerTable {
    return this.layersAt(FULL_DEPTH);
  }

  /**
   * A layer table deep enough for these fields (and no deeper than needed when none is decoded yet). With `anchor`
   * (protocol names) it may hold the layers of only the frames that have a layer of one of them (a message table's).
   * When that takes a new pass, `onChunk` runs after each of its chunks, with the chunk's bytes still in memory.
   */
  layersFor(abbrevs: readonly string[], anchor?: readonly string[], onChunk?: ChunkHook): LayerTable {
    const depth = this.depthOf(abbrevs);
    return this.layersAt(anchor ? { ...depth, anchor: new Set(anchor) } : depth, onChunk);
  }

  /** A layer table at least as deep as `depth` (lib/decode/depth.ts): the current one if it covers it. */
  layersAt(depth: WalkDepth, onChunk?: ChunkHook): LayerTable {
    if (this.layerTable === null || !covers(this.layerTable.depth, depth)) this.extract([], depth, onChunk);
    return this.layerTable!;
  }

  /** The decoded column of one field; throws a WirebookError naming near fields if the field is unknown. */
  column(abbrev: string): Column {
    const hit = this.cache.get(abbrev);
    if (hit) return hit;
    this.decode([abbrev]);
    return this.cache.get(abbrev)!;
  }

  /** Columns of several fields, decoding the missing ones in a single pass over the file. */
  columns(abbrevs: readonly string[]): Column[] {
    this.decode(abbrevs);
    return abbrevs.map((a) => this.cache.get(a)!);
  }

  /** The frames matching a Wireshark display filter, as a lazy view (compose with .filter, end with .select). */
  filter(filter: string): FrameView {
    return new FrameView(this, [filter]);
  }

  /** An Arquero table of every frame: `frame.number` then the named fields (decoded on demand). */
  select(...fields: string[]): ColumnTable {
    return new FrameView(this).select(...fields);
  }

  /**
   * One row per protocol message ("mqtt", "coap", "modbus", "ble.adv", "att", "lwm2m", or any protocol name), with
   * its frame number, time, stream and endpoints, that protocol's fields, and whether it is malformed (and why).
   */
  messages(kind: string, options: MessageOptions = {}): ColumnTable {
    return messageTable(this, kind, options);
  }

  /** True once the field's column is in memory (a filter over it costs no file read). */
  isDecoded(abbrev: string): boolean { return this.cache.has(abbrev); }

  /**
   * "Decode As": makes `proto` the dissector for a TCP/UDP port or ethertype, e.g. decodeAs("tcp.port", 1884,
   * "mqtt"). Cached columns are dropped, since every layer after the changed hand-off may differ.
   */
  decodeAs(table: "tcp.port" | "udp.port" | "eth.type" | "ip.proto", key: number, proto: string): this {
    const d = lookupProtocol(proto);
    if (!d) throw unknownField(proto);
    const t = { "tcp.port": this.tables.tcpPort, "udp.port": this.tables.udpPort, "eth.type": this.tables.ethertype, "ip.proto": this.tables.ipProto }[table];
    t[key] = d;
    this.layerTable = null;
    this.cache.clear();
    return this;
  }

  protoId(proto: string): number { return lookupProtocol(proto)?.id ?? -1; }
  protoName(id: number): string { return DISSECTORS[id]?.proto ?? "?"; }
  protoListed(id: number, aux: number): boolean { return DISSECTORS[id]?.listed?.(aux) ?? true; }
  protoListedVaries(id: number): boolean { return DISSECTORS[id]?.listed !== undefined; }

  /** Jupyter display: the capinfos-like summary with the protocol hierarchy, as text and as escaped HTML. */
  [Symbol.for("Jupyter.display")](): Record<string, string> {
    const text = summaryText(summarize(this));
    return { "text/plain": text, "text/html": `<pre class="wirebook-capture">${escapeHtml(text)}</pre>` };
  }

  /** Releases the file (and a decompressed temporary copy). */
  close(): void { this.file.source.close(); }

  /** Decodes what `abbrevs` need that is not cached yet. */
  private decode(abbrevs: readonly string[]): void {
    const layerFields: { field: FieldDef; proto: number }[] = [];
    const derived: FieldDef[] = [];
    for (const a of new Set(abbrevs)) {
      if (this.cache.has(a)) continue;
      const e = lookupField(a);
      if (!e) {
        // A filter's pseudo-column (layer operator ip.src#2, frame[-4:], tcp[0:] …), built from the layer table.
        const raw = rawColumn(a, this);
        if (!raw) throw unknownField(a);
        this.cache.set(a, raw);
        continue;
      }
      if (e.field.derive) derived.push(e.field);
      else layerFields.push({ field: e.field, proto: e.protoId });
    }
    // One pass deep enough for everything asked, rather than a shallow one now and a deeper one for a derived field.
    const depth = this.depthOf([...layerFields.map((l) => l.field.abbrev), ...derived.map((f) => f.abbrev)]);
    const tableNeeded = layerFields.length > 0 || derived.some((f) => f.deriveDepth !== "index");
    if (tableNeeded && (layerFields.length > 0 || this.layerTable === null || !covers(this.layerTable.depth, depth))) {
      this.extract(layerFields, depth);
    }
    // Fields computed from the frame index alone last: the passes over the layer table (the TCP replay above all) hold
    // their state and growing columns for a while, and that peak is lower with the index-only columns (a 2M-frame
    // capture's frame.* are ~60 MB) not built yet. Values do not depend on the order.
    const order = [...derived.filter((f) => f.deriveDepth !== "index"), ...derived.filter((f) => f.deriveDepth === "index")];
    for (const f of order) {
      if (this.cache.has(f.abbrev)) continue;
      // A derived field gets the layer table it declared it can use (which the pass above provided), not a full one.
      const d = derivedDepth(f);
      this.cache.set(f.abbrev, f.derive!(f.deriveDepth === undefined ? this : new DeriveView(this, d)));
    }
  }

  /** The pass these fields need: their protocols' (lib/decode/depth.ts), and what derived ones declare. */
  private depthOf(abbrevs: readonly string[]): WalkDepth {
    const layerFields: { abbrev: string; proto: string }[] = [];
    let depth: WalkDepth | null = null;
    for (const a of abbrevs) {
      const e = lookupField(a);
      // Pseudo-columns of filters (ip.src#2, tcp[0:4]) read the whole layer table.
      if (!e) depth = FULL_DEPTH;
      else if (e.field.derive) depth = depth ? union(depth, derivedDepth(e.field)) : derivedDepth(e.field);
      else layerFields.push({ abbrev: a, proto: DISSECTORS[e.protoId]?.proto ?? "" });
    }
    const own = depthFor(layerFields, this.tables);
    return depth ? union(depth, own) : own;
  }

  /** Extracts `fields`, dissecting again first when the layer table is missing or shallower than `depth`. */
  private extract(fields: { field: FieldDef; proto: number }[], depth: WalkDepth, onChunk?: ChunkHook): void {
    const n = this.count;
    const ex = new Extraction(fields, n);
    if (this.layerTable === null || !covers(this.layerTable.depth, depth)) {
      // Dissect and extract in the same pass, so the file is read once. Cached columns stay valid: a shallow pass
      // records the same layers as a deeper one, only fewer of them.
      const want = this.layerTable === null ? depth : union(this.layerTable.depth, depth);
      this.layerTable = walk(this.file, this.tables, DISSECTORS, (chunk, layers, from, to) => {
        ex.run(this.file, layers, chunk, from, to);
        onChunk?.(chunk, layers, from, to);
      }, want);
    } else {
      const layers = this.layerTable;
      for (const chunk of frameChunks(this.file)) {
        ex.run(this.file, layers, chunk, layers.frameStart[chunk.first], layers.frameStart[chunk.last]);
      }
    }
    ex.finish().forEach((c, k) => this.cache.set(fields[k].field.abbrev, c));
  }
}

/** The pass a derived field needs (FieldDef.deriveDepth); "index" needs none, so any table will do. */
function derivedDepth(f: FieldDef): WalkDepth {
  switch (f.deriveDepth) {
    case "index": return INDEX_DEPTH;
    case "headers": return HEADERS_DEPTH;
    case "streams": return STREAMS_DEPTH;
    default: return FULL_DEPTH;
  }
}

/** A capture as a derived field sees it: layers() is the capture's table as deep as the field declared it needs. */
class DeriveView implements DeriveSource {
  constructor(private readonly cap: Capture, private readonly depth: WalkDepth) {}
  get file(): CaptureFile { return this.cap.file; }
  layers(): LayerTable { return this.cap.layersAt(this.depth); }
  column(abbrev: string): Column { return this.cap.column(abbrev); }
  protoId(proto: string): number { return this.cap.protoId(proto); }
  protoName(id: number): string { return this.cap.protoName(id); }
  protoListed(id: number, aux: number): boolean { return this.cap.protoListed(id, aux); }
  protoListedVaries(id: number): boolean { return this.cap.protoListedVaries(id); }
}
