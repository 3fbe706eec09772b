// The dissection pass: runs each frame through the dissector chain its link type starts, recording layers.
// One pass a capture (again only after "decode as" changes the hand-off tables). Reads the file chunk by chunk.

import { frameChunks, type Chunk } from "../capture/chunks.js";
import type { CaptureFile } from "../capture/types.js";
import type { DissectContext, Dissector } from "../dissectors/dissector.js";
import type { HandoffTables } from "../dissectors/handoff.js";
import { FULL_DEPTH, PayloadGate, type WalkDepth } from "./depth.js";
import { LayerTable } from "./layer-table.js";

/**
 * Bytes read at a time. Small enough that a chunk stays in the CPU's L2 cache from the read to its frames' dissection:
 * the pass touches a few bytes of each frame, and with 8 MiB chunks most of those touches missed the cache (measured
 * on 2M frames: a bare read-and-record loop took 290 ms with 256 KiB chunks, 450 ms with 8 MiB; the pass ~15% less).
 */
const WALK_CHUNK = 256 << 10;

/** A dissector chain deeper than this is a loop (a hostile packet tunnelling into itself): stop and flag it. */
const MAX_DEPTH = 48;

/** Called after each chunk's frames are dissected, with the range of layers they produced. */
export type ChunkHook = (chunk: Chunk, layers: LayerTable, firstLayer: number, lastLayer: number) => void;

class Pass implements DissectContext {
  frame = 0;
  linktype = 0;
  time = 0;
  nextOff = 0;
  nextEnd = 0;
  nextRep = 0;
  key = 0;
  /** Offset of the current frame in the current chunk buffer; layer offsets are stored relative to it. */
  frameBase = 0;
  /** 0 while dissecting frame bytes; the side tag after useBuffer(). */
  bufTag = 0;
  switched: Uint8Array | null = null;

  readonly tcpStreams: boolean;
  readonly udpStreams: boolean;
  private readonly gate: PayloadGate;

  constructor(readonly layers: LayerTable, readonly tables: HandoffTables, depth: WalkDepth, dissectors: readonly Dissector[]) {
    this.tcpStreams = depth.tcpStreams;
    this.udpStreams = depth.udpStreams;
    this.gate = new PayloadGate(depth, dissectors, tables);
  }

  follows(d: Dissector | null | undefined): boolean {
    return this.gate.follows(d);
  }

  followsTcp(sport: number, dport: number): boolean {
    return this.gate.followsTcp(sport, dport);
  }

  followsUdp(sport: number, dport: number): boolean {
    return this.gate.followsUdp(sport, dport);
  }

  /** Per dissector id, 1 when its layers are recorded (depth.record), or null: all are. */
  recorded: Uint8Array | null = null;

  /** Per dissector id, 1 for the protocols of depth.anchor, or null: every frame's layers are kept. */
  anchored: Uint8Array | null = null;
  /** Whether the current frame has a layer of an anchor protocol yet. */
  anchorHit = false;

  layer(d: Dissector, o: number, end: number, rep: number, aux = 0): number {
    if (this.anchored !== null && this.anchored[d.id!] === 1) this.anchorHit = true;
    // A layer of a protocol nobody asked for is dissected (the hand-off needs it) but not written down.
    if (this.recorded !== null && this.recorded[d.id!] !== 1) return -1;
    const base = this.bufTag === 0 ? this.frameBase : 0;
    return this.layers.push(d.id!, o - base, end - base, rep, aux, this.bufTag);
  }

  malformed(proto: string, reason: string): void {
    this.layers.problem(this.frame, `${proto}: ${reason}`);
  }

  /** The chunk buffer holding the current frame. */
  chunkBuf: Uint8Array = new Uint8Array(0);
  private lastSide: Uint8Array | null = null;
  private lastSideTag = 0;

  useBuffer(bytes: Uint8Array): Uint8Array {
    this.bufTag = this.sideTag(bytes);
    this.switched = bytes;
    return bytes;
  }

  call(d: Dissector, b: Uint8Array, o: number, end: number, rep: number): void {
    const savedTag = this.bufTag, savedSwitched = this.switched;
    this.bufTag = b === this.chunkBuf ? 0 : this.sideTag(b);
    this.switched = null;
    dissectFrame(this, d, b, o, end, rep);
    this.bufTag = savedTag;
    this.switched = savedSwitched;
  }

  /** Forgets the current frame's layers, which start at `from` (an anchored pass keeps none of a frame without one). */
  dropFrame(from: number, sides: number): void {
    this.layers.dropFrom(from, sides);
    // A side tag handed out for this frame is gone with its buffer.
    this.lastSide = null;
  }

  /** One side-buffer tag per distinct byte array (several layers may point into one reassembled PDU). */
  private sideTag(bytes: Uint8Array): number {
    if (bytes !== this.lastSide) {
      this.lastSide = bytes;
      this.lastSideTag = this.layers.addSide(bytes);
    }
    return this.lastSideTag;
  }
}

/**
 * Dissects every frame of `file` as deep as `depth` says (lib/decode/depth.ts) and returns its layer table.
 * `onChunk` runs after each chunk (while its bytes are still in the buffer), which is how a first decode extracts
 * fields without reading the file twice.
 * Contract: never throws on packet content; a dissector that throws anyway marks its frame malformed.
 */
export function walk(file: CaptureFile, tables: HandoffTables, dissectors: readonly Dissector[], onChunk?: ChunkHook,
  depth: WalkDepth = FULL_DEPTH): LayerTable {
  for (const d of dissectors) d.reset?.();
  setHot(dissectors);
  const { index, info } = file;
  const layers = new LayerTable(index.count, depth);
  const ctx = new Pass(layers, tables, depth, dissectors);
  if (depth.record) {
    ctx.recorded = new Uint8Array(dissectors.length);
    for (const d of dissectors) if (depth.record.has(d.proto)) ctx.recorded[d.id!] = 1;
  }
  const anchor = depth.anchor ?? null;
  if (anchor !== null) {
    ctx.anchored = new Uint8Array(dissectors.length);
    for (const d of dissectors) if (anchor.has(d.proto)) ctx.anchored[d.id!] = 1;
  }
  // Each interface's link type and first dissector, looked up once rather than per frame.
  const ifaces = info.interfaces, linktypeOf = Array.from(ifaces, (f) => f?.linktype ?? -1);
  const startOf = linktypeOf.map((lt) => (lt >= 0 ? tables.linktype[lt] ?? null : null));
  // The index's arrays in locals: the loop calls out to the dissectors, after which fields would be read again.
  const { offset, caplen, len, tsSec, tsNsec, iface } = index;
  for (const chunk of frameChunks(file, 0, index.count, WALK_CHUNK)) {
    const firstLayer = layers.count, buf = chunk.buf, base = chunk.base;
    ctx.chunkBuf = buf;
    for (let i = chunk.first; i < chunk.last; i++) {
      ctx.frame = i;
      const k = iface[i], start = k < startOf.length ? startOf[k] : null;
      ctx.linktype = k < linktypeOf.length ? linktypeOf[k] : -1;
      // Set for every frame: a getter computing it on demand was slower (TCP analysis reads it for every segment it
      // follows, and the getter was not inlined there).
      ctx.time = tsSec[i] + tsNsec[i] / 1e9;
      // An int: the offset in the chunk is below the chunk size. From a Float64Array it would be a double, and every
      // dissector's byte reads would convert it.
      const o = (offset[i] - base) | 0;
      ctx.frameBase = o;
      ctx.bufTag = 0;
      if (anchor === null) dissectFrame(ctx, start, buf, o, o + caplen[i], len[i]);
      else {
        const from = layers.count, sides = layers.side.length;
        ctx.anchorHit = false;
        dissectFrame(ctx, start, buf, o, o + caplen[i], len[i]);
        if (!ctx.anchorHit && (layers.count > from || layers.side.length > sides)) ctx.dropFrame(from, sides);
      }
      layers.finishFrame(i);
    }
    onChunk?.(chunk, layers, firstLayer, layers.count);
  }
  // What the dissectors kept across frames (conversation tables, sequence state, reassembly) is in the layers' aux
  // now, and nothing reads it after the pass: forget it, rather than hold tens of MB until the next pass.
  for (const d of dissectors) d.reset?.();
  layers.trim();
  return layers;
}

/** The dissectors most frames pass through, in the order they are met (set per pass from the registry's names). */
const HOT = ["eth", "ethertype", "ip", "tcp", "udp"];
let hot0: Dissector | null = null, hot1: Dissector | null = null, hot2: Dissector | null = null;
let hot3: Dissector | null = null, hot4: Dissector | null = null;

function setHot(dissectors: readonly Dissector[]): void {
  [hot0, hot1, hot2, hot3, hot4] = HOT.map((name) => dissectors.find((d) => d.proto === name) ?? null);
}

function dissectFrame(ctx: Pass, d: Dissector | null, b: Uint8Array, o: number, end: number, rep: number): void {
  let depth = 0;
  try {
    while (d !== null) {
      if (++depth > MAX_DEPTH) {
        ctx.malformed(d.proto, `more than ${MAX_DEPTH} nested layers`);
        return;
      }
      // The dissectors of the common stack get call sites of their own (see HOT): one target each, so V8 inlines them;
      // the shared `d.dissect` call sees every dissector and stays a slow generic call.
      const next = d === hot0 ? hot0.dissect(ctx, b, o, end, rep) : d === hot1 ? hot1.dissect(ctx, b, o, end, rep)
        : d === hot2 ? hot2.dissect(ctx, b, o, end, rep) : d === hot3 ? hot3.dissect(ctx, b, o, end, rep)
        : d === hot4 ? hot4.dissect(ctx, b, o, end, rep) : d.dissect(ctx, b, o, end, rep);
      if (next === null) return;
      if (ctx.switched !== null) {
        b = ctx.switched;
        ctx.switched = null;
      }
      o = ctx.nextOff;
      end = ctx.nextEnd;
      rep = ctx.nextRep;
      if (o > end || end > b.length) {
        ctx.malformed(next.proto, "hand-off outside the packet");
        return;
      }
      d = next;
    }
  } catch (e) {
    // A dissector bug must not take the capture down: flag the frame, like Wireshark's "Dissector bug" expert item.
    ctx.malformed(d?.proto ?? "frame", `dissector error: ${(e as Error).message}`);
  }
}
