// Reading the bytes of one protocol's layers again after the dissection pass, for fields computed over a whole
// stream (TCP relative sequence numbers, scaled windows, analysis). One read of the file, chunk by chunk, in frame
// order; layers held in side buffers (reassembled bytes) are read from there.

import { frameChunks } from "../capture/chunks.js";
import type { DeriveSource } from "./field.js";

/** Receives one layer: its bytes b[o..end), reported length, aux, frame (0-based) and layer index. */
export type LayerVisitor = (b: Uint8Array, o: number, end: number, rep: number, aux: number, frame: number, layer: number) => void;

/**
 * Calls `visit` for every layer of protocol `proto`, in frame order (then layer order). Skips the file read when
 * the capture has no such layer. Contract: the bytes are valid only during the call (the chunk buffer is reused).
 */
export function scanLayers(src: DeriveSource, proto: string, visit: LayerVisitor): void {
  const layers = src.layers(), id = src.protoId(proto);
  if (id < 0) return;
  let any = false;
  for (let l = 0; l < layers.count && !any; l++) any = layers.proto[l] === id;
  if (!any) return;
  const { offset } = src.file.index;
  const { proto: protos, aux, side, frameStart } = layers;
  for (const chunk of frameChunks(src.file)) {
    for (let f = chunk.first; f < chunk.last; f++) {
      const fo = offset[f] - chunk.base;
      for (let l = frameStart[f]; l < frameStart[f + 1]; l++) {
        if (protos[l] !== id) continue;
        const t = layers.bufOf(l), o = layers.offOf(l), e = layers.endOf(l), r = layers.repOf(l);
        if (t === 0) visit(chunk.buf, fo + o, fo + e, r, aux[l], f, l);
        else visit(side[t - 1], o, e, r, aux[l], f, l);
      }
    }
  }
}

/** Exact seconds between frames i and j of the capture (from the integer sec/nsec pairs). */
export function secondsBetween(src: DeriveSource, i: number, j: number): number {
  const { tsSec, tsNsec } = src.file.index;
  return (tsSec[i] - tsSec[j]) + (tsNsec[i] - tsNsec[j]) / 1e9;
}
