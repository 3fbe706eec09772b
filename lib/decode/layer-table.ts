// The layer table: for every frame, which protocols it holds and where (Wireshark's protocol tree reduced to its
// spine). Built once per capture by walk.ts; field extraction then reads any field of any layer without re-walking.
// Layers of frame i are [frameStart[i], frameStart[i+1]), in the order they were dissected.

import { FULL_DEPTH, type WalkDepth } from "./depth.js";

/** Layers a frame holds on average in mixed traffic (eth, ethertype, ip, tcp, payload): the first allocation's guess. */
const LAYERS_PER_FRAME = 5;

/** Growable columnar table of layers. Offsets are relative to the frame's first byte unless buf != 0. */
export class LayerTable {
  count = 0;
  frame: Uint32Array;
  proto: Uint16Array;
  off: Uint32Array;
  end: Uint32Array;
  rep: Uint32Array;
  aux: Uint32Array;
  /** 0: the bytes are the frame's; k > 0: they are side[k - 1] (a reassembled datagram or PDU), offsets absolute. */
  buf: Uint32Array;
  /** CSR over frames, length frames + 1 (filled by finishFrame). */
  frameStart: Uint32Array;
  /** Bytes that are not in any single frame: reassembled datagrams and PDUs. */
  side: Uint8Array[] = [];
  /** 1 where the frame is malformed; the reasons are in `problems`. */
  malformed: Uint8Array;
  problems = new Map<number, string[]>();

  /**
   * @param depth what the pass that fills it dissects (a shallow pass records a subset of the full pass's layers).
   * Untouched capacity costs address space, not memory: typed arrays are zero pages until written.
   */
  constructor(readonly frames: number, readonly depth: WalkDepth = FULL_DEPTH, capacity = Math.max(16, frames * LAYERS_PER_FRAME)) {
    this.frame = new Uint32Array(capacity);
    this.proto = new Uint16Array(capacity);
    this.off = new Uint32Array(capacity);
    this.end = new Uint32Array(capacity);
    this.rep = new Uint32Array(capacity);
    this.aux = new Uint32Array(capacity);
    this.buf = new Uint32Array(capacity);
    this.frameStart = new Uint32Array(frames + 1);
    this.malformed = new Uint8Array(frames);
  }

  /** Appends a layer of `frame`; returns its index. */
  push(frame: number, proto: number, off: number, end: number, rep: number, aux: number, buf: number): number {
    const i = this.count;
    if (i === this.frame.length) this.grow(i + (i >> 1));
    this.frame[i] = frame;
    this.proto[i] = proto;
    this.off[i] = off;
    this.end[i] = end;
    this.rep[i] = rep;
    this.aux[i] = aux;
    this.buf[i] = buf;
    this.count = i + 1;
    return i;
  }

  /** Closes frame i: its layers are those pushed since the previous close. */
  finishFrame(i: number): void {
    this.frameStart[i + 1] = this.count;
  }

  /** Records a problem of frame i (Wireshark's malformed / expert info). */
  problem(i: number, message: string): void {
    this.malformed[i] = 1;
    const list = this.problems.get(i);
    if (list) list.push(message);
    else this.problems.set(i, [message]);
  }

  /** Stores a side buffer and returns its buf tag (k > 0). */
  addSide(bytes: Uint8Array): number {
    this.side.push(bytes);
    return this.side.length;
  }

  /**
   * Gives back unused capacity when more than half is unused. Less is not worth a copy of the table: capacity that
   * was never written is zero pages the kernel has not backed with memory.
   */
  trim(): void {
    if (this.frame.length - this.count > this.frame.length >> 1) this.grow(this.count);
  }

  get byteLength(): number {
    return this.frame.length * 26 + this.frameStart.byteLength + this.malformed.byteLength +
      this.side.reduce((a, s) => a + s.byteLength, 0);
  }

  private grow(n: number): void {
    const c = Math.min(this.count, n);
    const g32 = (a: Uint32Array) => { const b = new Uint32Array(n); b.set(a.subarray(0, c)); return b; };
    this.frame = g32(this.frame);
    this.off = g32(this.off);
    this.end = g32(this.end);
    this.rep = g32(this.rep);
    this.aux = g32(this.aux);
    this.buf = g32(this.buf);
    const p = new Uint16Array(n);
    p.set(this.proto.subarray(0, c));
    this.proto = p;
  }
}
