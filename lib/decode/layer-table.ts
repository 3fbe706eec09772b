// The layer table: for every frame, which protocols it holds and where (Wireshark's protocol tree reduced to its
// spine). Built once per capture by walk.ts; field extraction then reads any field of any layer without re-walking.
// Layers of frame i are [frameStart[i], frameStart[i+1]), in the order they were dissected.
//
// Why it is stored so narrowly: a capture has about five layers a frame, so 2 M frames make 10 M layers, and the table
// stays in memory next to the columns. A layer costs 10 bytes and 2 bits (proto 2, aux 4, off and end 2 each) instead of
// the 26 of one 32-bit array per attribute:
// - its frame is not stored: frameStart says it (frameOf, or a FrameCursor for loops over layers in order);
// - off and end are 16-bit, and rep (the bytes the layer had on the wire) is end - off. Offsets are relative to the
//   frame's first byte, so they are small unless the frame is over 64 KiB (loopback and TSO captures have such frames)
//   or the bytes are a large reassembled buffer; and rep differs from end - off only where the frame was cut short
//   (0.3% of the layers of the benchmark's mixed traffic). Such a layer is "odd": a bit says so, and its three values
//   are in a map;
// - buf (which side buffer holds the bytes, 0 for the frame's own) is a bit per layer plus a map, since only
//   reassembled datagrams and PDUs have one.
// Readers use offOf/endOf/repOf/bufOf, or the arrays directly with the oddBits / sideBits tests inlined in hot loops.

import { FULL_DEPTH, type WalkDepth } from "./depth.js";

/** Layers a frame holds on average in mixed traffic (eth, ethertype, ip, tcp, payload): the first allocation's guess. */
const LAYERS_PER_FRAME = 5;

/** Which attribute an odd layer's value is (the map's key is 3 * layer + attribute). */
const OFF = 0, END = 1, REP = 2;

/** Offsets below this fit the 16-bit arrays. */
const NARROW = 0x10000;

/** Growable columnar table of layers. Offsets are relative to the frame's first byte unless the layer has a side buffer. */
export class LayerTable {
  count = 0;
  proto: Uint16Array;
  /** off and end of a layer that is not odd (rep is then end - off). */
  off16: Uint16Array;
  end16: Uint16Array;
  aux: Uint32Array;
  /** Bit l set: layer l is odd (see the top), its off/end/rep are in `odd`, keyed 3 * layer + attribute. */
  oddBits: Uint8Array;
  readonly odd = new Map<number, number>();
  /** Bit l set: layer l's bytes are side[sideOf.get(l) - 1], not the frame's. */
  sideBits: Uint8Array;
  readonly sideOf = new Map<number, number>();
  /** The last layer pushed odd or with a side buffer (-1: none): dropFrom clears bits only from there down. */
  private lastIrregular = -1;
  /** CSR over frames, length frames + 1 (filled by finishFrame). */
  frameStart: Uint32Array;
  /**
   * A table that lists chosen layers of many frames (frames = 0: MessageRows' source layers) has no frameStart; it
   * says each layer's frame here instead.
   */
  layerFrame: Uint32Array | null = null;
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
    this.proto = new Uint16Array(capacity);
    this.off16 = new Uint16Array(capacity);
    this.end16 = new Uint16Array(capacity);
    this.aux = new Uint32Array(capacity);
    this.oddBits = new Uint8Array((capacity + 7) >>> 3);
    this.sideBits = new Uint8Array((capacity + 7) >>> 3);
    this.frameStart = new Uint32Array(frames + 1);
    this.malformed = new Uint8Array(frames);
  }

  /** Appends a layer (of the frame being dissected: finishFrame closes it); returns its index. */
  push(proto: number, off: number, end: number, rep: number, aux: number, buf: number): number {
    const i = this.count;
    if (i === this.proto.length) this.grow(i + (i >> 1));
    this.proto[i] = proto;
    if (off < NARROW && end < NARROW && rep === end - off) {
      this.off16[i] = off;
      this.end16[i] = end;
    } else {
      this.oddBits[i >>> 3] |= 1 << (i & 7);
      this.odd.set(3 * i + OFF, off);
      this.odd.set(3 * i + END, end);
      this.odd.set(3 * i + REP, rep);
      this.lastIrregular = i;
    }
    this.aux[i] = aux;
    if (buf !== 0) {
      this.sideBits[i >>> 3] |= 1 << (i & 7);
      this.sideOf.set(i, buf);
      this.lastIrregular = i;
    }
    this.count = i + 1;
    return i;
  }

  /** Appends a copy of layer l of `from` (a table of the same capture: side buffers are shared, see MessageRows). */
  copy(from: LayerTable, l: number): number {
    return this.push(from.proto[l], from.offOf(l), from.endOf(l), from.repOf(l), from.aux[l], from.bufOf(l));
  }

  /** True when layer l's off/end/rep are kept in the `odd` map. */
  isOdd(l: number): boolean { return ((this.oddBits[l >>> 3] >>> (l & 7)) & 1) === 1; }
  offOf(l: number): number { return this.isOdd(l) ? this.odd.get(3 * l + OFF)! : this.off16[l]; }
  endOf(l: number): number { return this.isOdd(l) ? this.odd.get(3 * l + END)! : this.end16[l]; }
  repOf(l: number): number { return this.isOdd(l) ? this.odd.get(3 * l + REP)! : this.end16[l] - this.off16[l]; }
  /** 0: the layer's bytes are its frame's; k > 0: they are side[k - 1], offsets absolute there. */
  bufOf(l: number): number { return (this.sideBits[l >>> 3] >>> (l & 7)) & 1 ? this.sideOf.get(l)! : 0; }

  /** The frame of layer l (a binary search over frameStart; loops over layers in order use a FrameCursor). */
  frameOf(l: number): number {
    if (this.layerFrame !== null) return this.layerFrame[l];
    const fs = this.frameStart;
    let lo = 0, hi = this.frames;
    // The last frame whose first layer is <= l and that has a layer: frameStart[f] <= l < frameStart[f + 1].
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (fs[mid + 1] <= l) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Closes frame i: its layers are those pushed since the previous close. */
  finishFrame(i: number): void {
    this.frameStart[i + 1] = this.count;
  }

  /**
   * Forgets layers [from, count) (those of the frame being dissected, when an anchored pass keeps none of them) and
   * the side buffers added from `sides` on. Their slots are written again by the next frame's layers.
   */
  dropFrom(from: number, sides: number): void {
    for (let l = from; l <= this.lastIrregular; l++) {
      const bit = 1 << (l & 7);
      if (this.oddBits[l >>> 3] & bit) {
        this.oddBits[l >>> 3] &= ~bit;
        this.odd.delete(3 * l + OFF); this.odd.delete(3 * l + END); this.odd.delete(3 * l + REP);
      }
      if (this.sideBits[l >>> 3] & bit) {
        this.sideBits[l >>> 3] &= ~bit;
        this.sideOf.delete(l);
      }
    }
    this.count = from;
    this.lastIrregular = Math.min(this.lastIrregular, from - 1);
    if (this.side.length !== sides) this.side.length = sides;
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
    if (this.proto.length - this.count > this.proto.length >> 1) this.grow(this.count);
  }

  /** Bytes held (typed arrays at capacity, map entries estimated, side buffers). */
  get byteLength(): number {
    return this.proto.length * 10 + this.oddBits.byteLength + this.sideBits.byteLength + (this.odd.size + this.sideOf.size) * 40 +
      this.frameStart.byteLength + this.malformed.byteLength + this.side.reduce((a, s) => a + s.byteLength, 0);
  }

  private grow(n: number): void {
    const c = Math.min(this.count, n);
    const g16 = (a: Uint16Array) => { const b = new Uint16Array(n); b.set(a.subarray(0, c)); return b; };
    this.proto = g16(this.proto);
    this.off16 = g16(this.off16);
    this.end16 = g16(this.end16);
    const aux = new Uint32Array(n);
    aux.set(this.aux.subarray(0, c));
    this.aux = aux;
    const bits = (a: Uint8Array) => { const b = new Uint8Array((n + 7) >>> 3); b.set(a.subarray(0, Math.min(b.length, a.length))); return b; };
    this.oddBits = bits(this.oddBits);
    this.sideBits = bits(this.sideBits);
  }
}

/**
 * The frame of each layer for a loop that visits layers in ascending order: moves forward over frameStart instead of
 * searching (amortised O(1) a layer), and searches only when asked for an earlier layer.
 */
export class FrameCursor {
  private f = 0;

  constructor(private readonly lt: LayerTable) {}

  at(l: number): number {
    if (this.lt.layerFrame !== null) return this.lt.layerFrame[l];
    const fs = this.lt.frameStart;
    if (l < fs[this.f]) this.f = this.lt.frameOf(l);
    while (fs[this.f + 1] <= l) this.f++;
    return this.f;
  }
}
