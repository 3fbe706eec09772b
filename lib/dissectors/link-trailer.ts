// Ethernet padding, trailer and FCS after a payload that is shorter than its frame (Wireshark packet-eth.c
// add_ethernet_trailer with the 4.0 defaults: eth.padding "Zeros", eth.fcs "According to heuristic", no FCS check).
// At dissection time the layer that knows the payload's length packs the facts into its aux (trailerAux); the
// eth.padding / eth.trailer / eth.fcs / vlan.trailer / sll.trailer columns are then derived from the layer table,
// reading only the few frames that have a trailer.

import { ColumnBuilder, type Column } from "../decode/column.js";
import type { DeriveSource, FieldDef } from "./field.js";
import { copy, u32 } from "./bytes.js";
import { FrameCursor, type LayerTable } from "../decode/layer-table.js";

/** Whose trailer field the bytes go to: Ethernet (eth.trailer), a VLAN tag (vlan.trailer), Linux SLL (sll.trailer). */
export type TrailerOwner = 0 | 1 | 2;
export const OWNER_ETH: TrailerOwner = 0;
export const OWNER_VLAN: TrailerOwner = 1;
export const OWNER_SLL: TrailerOwner = 2;

/** fcs mode -1: guess (a frame of 64 bytes or more with 4+ trailer bytes ends in an FCS); 0: never. */
export const FCS_HEURISTIC = -1;

/** Ethernet's minimum frame length without FCS: shorter payloads are padded up to it. */
const MIN_FRAME = 60;
const FCS_LEN = 4;

// aux layout: bit 30 set = there is a trailer; bits 0-17 where it starts (relative to the layer's first byte);
// bits 18-23 padding length; bit 24 FCS present; bits 25-26 owner.
const PRESENT = 1 << 30;
const START_MASK = (1 << 18) - 1;

/**
 * Packs the trailer facts of a payload that claims `plen` of the `rep` bytes after `o` (captured up to `end`).
 * `pktLen` is the frame's reported length (the 60-byte padding rule uses it). Returns 0 when there is no trailer.
 */
export function trailerAux(b: Uint8Array, o: number, end: number, rep: number, plen: number, pktLen: number, owner: TrailerOwner, fcsMode: number): number {
  if (plen >= rep || plen > START_MASK) return 0;
  const start = o + plen;
  if (start >= end) return 0; // Wireshark shows no trailer it did not capture
  const trailerRep = rep - plen, trailerCap = end - start;
  let pad = 0;
  if (pktLen >= MIN_FRAME && pktLen - trailerRep < MIN_FRAME) {
    pad = MIN_FRAME - (pktLen - trailerRep);
    if (pad > trailerCap) return 0; // reading the padding would run off the capture: Wireshark stops there
    for (let i = 0; i < pad; i++) if (b[start + i] !== 0) { pad = 0; break; }
  }
  const fcs = fcsMode === FCS_LEN || (fcsMode === FCS_HEURISTIC && pktLen >= 64 && trailerRep - pad >= FCS_LEN) ? 1 : 0;
  return (PRESENT | plen | (pad << 18) | (fcs << 24) | (owner << 25)) >>> 0;
}

interface Parts { padStart: number; pad: number; trailerStart: number; trailerLen: number; fcsAt: number }

/** Where padding, trailer and FCS lie for a layer [o, end) of reported length rep with trailer aux `aux`. */
export function trailerParts(aux: number, o: number, end: number, rep: number, out: Parts): boolean {
  if ((aux & PRESENT) === 0) return false;
  const plen = aux & START_MASK, pad = (aux >>> 18) & 63, fcs = (aux >>> 24) & 1;
  const start = o + plen;
  let tl = end - start - pad, tr = rep - plen - pad;
  let fcsAt = -1;
  if (fcs) {
    if (tl < tr) { tr -= FCS_LEN; if (tl > tr) tl = tr; } else { tl -= FCS_LEN; tr -= FCS_LEN; }
    const at = start + pad + tl;
    if (at + FCS_LEN <= end) fcsAt = at;
  }
  out.padStart = start; out.pad = pad; out.trailerStart = start + pad; out.trailerLen = Math.max(tl, 0); out.fcsAt = fcsAt;
  return true;
}

/** Owner of a trailer aux. */
export const trailerOwner = (aux: number): TrailerOwner => ((aux >>> 25) & 3) as TrailerOwner;

export type TrailerPart = "padding" | "trailer" | "fcs" | "fcs.status";

/** A trailer field: the layers of which protocols it reads, whose trailers (any owner: -1), which part. */
interface TrailerSpec { readonly field: FieldDef; readonly protos: readonly string[]; readonly owner: TrailerOwner | -1; readonly part: TrailerPart }

/** Every trailer field, as trailerField declares them (the dissector modules load before any capture is decoded). */
const SPECS: TrailerSpec[] = [];

/**
 * A derive function for one trailer part: reads the layers of the named protocols that have trailer facts in their
 * aux, keeps those of `owner` (any owner for padding) and reads the bytes from the file or the reassembly buffer.
 */
export function trailerField(def: Omit<FieldDef, "derive">, protos: readonly string[], owner: TrailerOwner | -1, part: TrailerPart): FieldDef {
  // The trailer facts are in the link layers' aux, which every pass records alike.
  const field: FieldDef = { ...def, deriveDepth: "headers", derive: (src) => trailerColumns(src).get(field)! };
  SPECS.push({ field, protos, owner, part });
  return field;
}

/**
 * Every trailer column (eth.padding, eth.trailer, eth.fcs, eth.fcs.status, vlan.trailer, sll.trailer) from one scan
 * of the layer table, cached per layer table like the TCP replay: the scan, not the few trailers, is the cost.
 */
const columnsCache = new WeakMap<LayerTable, Map<FieldDef, Column>>();

/** Zero bytes of each padding length, shared (a column keeps copies of what it is given). */
const zeros: Uint8Array[] = [];

function trailerColumns(src: DeriveSource): Map<FieldDef, Column> {
  const layers = src.layers();
  const hit = columnsCache.get(layers);
  if (hit) return hit;
  const n = src.file.index.count, { offset } = src.file.index;
  const ids = SPECS.map((s) => s.protos.map((p) => src.protoId(p))), builders = SPECS.map((s) => new ColumnBuilder(s.field, 64));
  const isTrailerProto = new Uint8Array(1 << 16);
  for (const list of ids) for (const id of list) if (id >= 0) isTrailerProto[id] = 1;
  const parts: Parts = { padStart: 0, pad: 0, trailerStart: 0, trailerLen: 0, fcsAt: -1 };
  /** `len` bytes at `at` of layer l's buffer: the frame's (read from the file, only those bytes) or a side buffer. */
  const bytes = (l: number, f: number, at: number, len: number): Uint8Array => {
    const t = layers.bufOf(l);
    if (t !== 0) return copy(layers.side[t - 1], at, len);
    const out = new Uint8Array(len);
    src.file.source.read(offset[f] + at, len, out, 0);
    return out;
  };
  const { aux: auxOf, proto } = layers, frames = new FrameCursor(layers);
  for (let l = 0; l < layers.count; l++) {
    const aux = auxOf[l];
    if ((aux & PRESENT) === 0 || isTrailerProto[proto[l]] !== 1) continue;
    const f = frames.at(l);
    if (!trailerParts(aux, layers.offOf(l), layers.endOf(l), layers.repOf(l), parts)) continue;
    for (let j = 0; j < SPECS.length; j++) {
      const { owner, part } = SPECS[j], builder = builders[j];
      if (!ids[j].includes(proto[l]) || (owner !== -1 && trailerOwner(aux) !== owner)) continue;
      switch (part) {
        // trailerAux counted padding only when every byte of it was zero: no need to read it again.
        case "padding": if (parts.pad > 0) builder.push(f, zeros[parts.pad] ??= new Uint8Array(parts.pad)); break;
        case "trailer": if (parts.trailerLen > 0) builder.push(f, bytes(l, f, parts.trailerStart, parts.trailerLen)); break;
        case "fcs": if (parts.fcsAt >= 0) builder.push(f, u32(bytes(l, f, parts.fcsAt, 4), 0)); break;
        case "fcs.status": if (parts.fcsAt >= 0) builder.push(f, 2); break; // 2 = unverified (eth.check_fcs is off)
      }
    }
  }
  const cols = new Map<FieldDef, Column>();
  SPECS.forEach((s, j) => cols.set(s.field, builders[j].finish(n)));
  columnsCache.set(layers, cols);
  return cols;
}
