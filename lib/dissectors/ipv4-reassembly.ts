// Fragment reassembly for IPv4 (RFC 791 section 3.2) and IPv6 (RFC 8200 section 4.5), as Wireshark does it by
// default (epan/reassemble.c, fragment_add_check): fragments are keyed by source, destination, identification and
// protocol; the datagram is handed to the next protocol in the frame whose fragment completes it, and earlier
// fragments show as data. Memory is bounded: past MAX_PENDING datagrams or MAX_BYTES buffered, the oldest incomplete
// datagram is dropped (its later fragments then start a new, never-complete one).
// The completed buffer carries its bookkeeping after the payload (see `finish`), so the ip.fragment* and
// ipv6.fragment* columns can be derived later from the layer table alone.

import { ColumnBuilder, type Column } from "../decode/column.js";
import type { LayerTable } from "../decode/layer-table.js";
import type { DeriveSource, FieldDef } from "./field.js";
import { copy } from "./bytes.js";

export const MAX_PENDING = 1024;
export const MAX_BYTES = 32 << 20;

/** Layer aux flags of a network layer that took part in reassembly. */
export const AUX_FRAGMENT = 1;
export const AUX_COMPLETES = 2;

interface Piece { off: number; bytes: Uint8Array; frame: number }
interface Pending { pieces: Piece[]; total: number; bytes: number }

/** One table of incomplete datagrams (one per protocol). Contract: add() never throws; memory stays bounded. */
export class FragmentTable {
  private readonly pending = new Map<string, Pending>();
  private bytes = 0;

  clear(): void {
    this.pending.clear();
    this.bytes = 0;
  }

  /**
   * Adds payload b[o..o+n) at byte offset `off` of the datagram `key`; `last` when no fragments follow it.
   * Returns the reassembled buffer (payload + bookkeeping) when this fragment completes the datagram, else null.
   */
  add(key: string, b: Uint8Array, o: number, n: number, off: number, last: boolean, frame: number): Uint8Array | null {
    let p = this.pending.get(key);
    if (p === undefined) {
      p = { pieces: [], total: -1, bytes: 0 };
      this.pending.set(key, p);
    }
    p.pieces.push({ off, bytes: copy(b, o, n), frame });
    p.bytes += n;
    this.bytes += n;
    if (last) p.total = off + n;
    if (p.total >= 0 && covered(p)) {
      this.pending.delete(key);
      this.bytes -= p.bytes;
      return finish(p);
    }
    this.evict();
    return null;
  }

  private evict(): void {
    while (this.pending.size > MAX_PENDING || this.bytes > MAX_BYTES) {
      const [oldest, p] = this.pending.entries().next().value as [string, Pending];
      this.pending.delete(oldest);
      this.bytes -= p.bytes;
    }
  }
}

/** True when the pieces cover [0, total) without a gap. */
function covered(p: Pending): boolean {
  const s = p.pieces.slice().sort((a, b) => a.off - b.off);
  let reach = 0;
  for (const x of s) {
    if (x.off > reach) return false;
    reach = Math.max(reach, x.off + x.bytes.length);
  }
  return reach >= p.total;
}

// Bookkeeping after the payload: frame numbers (u32 each, in offset order), then their count (u32).
const U32 = 4;

/** Builds payload + bookkeeping; the first fragment to arrive wins where pieces overlap (as reassemble.c does). */
function finish(p: Pending): Uint8Array {
  const order = p.pieces.map((x, i) => ({ x, i })).sort((a, b) => a.x.off - b.x.off || a.i - b.i).map((e) => e.x);
  const out = new Uint8Array(p.total + U32 * (order.length + 1));
  const dv = new DataView(out.buffer);
  for (let k = p.pieces.length - 1; k >= 0; k--) {
    const x = p.pieces[k];
    out.set(x.bytes.subarray(0, Math.max(0, Math.min(x.bytes.length, p.total - x.off))), x.off);
  }
  order.forEach((x, k) => dv.setUint32(p.total + U32 * k, x.frame + 1));
  dv.setUint32(p.total + U32 * order.length, order.length);
  return out;
}

/** The payload length of a buffer made by `finish`. */
export function payloadLength(buf: Uint8Array): number {
  const n = new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getUint32(buf.length - U32);
  return buf.length - U32 * (n + 1);
}

/** The frame numbers (1-based) of the fragments, in offset order. */
function fragmentFrames(buf: Uint8Array): number[] {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength), n = dv.getUint32(buf.length - U32), at = payloadLength(buf);
  const out: number[] = [];
  for (let k = 0; k < n; k++) out.push(dv.getUint32(at + U32 * k));
  return out;
}

export type ReassemblyPart = "fragment" | "count" | "length" | "data" | "present";

/** Protocols some reassembly field reads (reassemblyField registers them as the dissector modules load). */
const REASSEMBLY_PROTOS = new Set<string>();

/**
 * A derived column over the layers of `proto` marked AUX_COMPLETES: the next layer of the frame reads the
 * reassembled buffer, whose bookkeeping gives the fragment list.
 */
export function reassemblyField(def: Omit<FieldDef, "derive">, proto: string, part: ReassemblyPart): FieldDef {
  REASSEMBLY_PROTOS.add(proto);
  const field: FieldDef = { ...def, deriveDepth: "headers", derive: (src) => deriveReassembly(field, src, proto, part) };
  return field;
}

/**
 * The layers that complete a datagram (of any reassembling protocol), found by one scan of the layer table shared by
 * the ten ip.* / ipv6.* fragment fields and cached per layer table: each field then reads only these few layers.
 */
const completingCache = new WeakMap<LayerTable, Uint32Array>();

function completingLayers(src: DeriveSource): Uint32Array {
  const layers = src.layers();
  const hit = completingCache.get(layers);
  if (hit) return hit;
  const reassembles = new Uint8Array(1 << 16);
  for (const p of REASSEMBLY_PROTOS) { const id = src.protoId(p); if (id >= 0) reassembles[id] = 1; }
  const { aux, proto } = layers, found: number[] = [];
  for (let l = 0; l + 1 < layers.count; l++) if ((aux[l] & AUX_COMPLETES) !== 0 && reassembles[proto[l]] === 1) found.push(l);
  const list = Uint32Array.from(found);
  completingCache.set(layers, list);
  return list;
}

function deriveReassembly(field: FieldDef, src: DeriveSource, proto: string, part: ReassemblyPart): Column {
  const list = completingLayers(src), layers = src.layers(), id = src.protoId(proto), builder = new ColumnBuilder(field, 16);
  for (let k = 0; k < list.length; k++) {
    const l = list[k];
    if (layers.proto[l] !== id) continue;
    const f = layers.frameOf(l);
    // The reassembled datagram is the next layer of the same frame, in a buffer of its own.
    if (l + 1 >= layers.frameStart[f + 1] || layers.bufOf(l + 1) === 0) continue;
    const buf = layers.side[layers.bufOf(l + 1) - 1];
    switch (part) {
      case "fragment": for (const n of fragmentFrames(buf)) builder.push(f, n); break;
      case "count": builder.push(f, fragmentFrames(buf).length); break;
      case "length": builder.push(f, payloadLength(buf)); break;
      case "data": builder.push(f, buf.slice(0, payloadLength(buf))); break;
      case "present": builder.push(f, 1); break;
    }
  }
  return builder.finish(src.file.index.count);
}
