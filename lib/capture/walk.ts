// The chunked read loop shared by the pcap and pcapng readers: reads the stream once, front to back, in chunks of
// one reused buffer, hashes every byte, and hands whole records to a RecordWalker. A record cut by the chunk end is
// carried over into the headroom in front of the next chunk; one larger than the headroom is assembled on its own.

import type { ChunkHasher } from "./sha256.js";
import type { ByteSource } from "./types.js";

/** A record-by-record parser fed by walkStream. */
export interface RecordWalker {
  /** Stream offset of the next record not yet walked (may lie beyond the bytes seen so far: skipped data). */
  next: number;
  /** Bytes needed contiguous at `next` to walk the next record. */
  need: number;
  /** Set once reading must stop (the reason is recorded by the walker). */
  done: boolean;
  /** Walks whole records starting at `next` while they lie in buf[.., to); buf[0] is stream offset `base`. */
  walk(buf: Uint8Array, dv: DataView, to: number, base: number): void;
  /** The stream ended (at `size`); a record begun before it is cut short. May throw for a broken file header. */
  finish(size: number): void;
}

/** Progress and cancellation of a read. */
export interface WalkOptions {
  signal?: AbortSignal;
  onProgress?: (p: { bytes: number; total: number; frames: number }) => void;
  frames: () => number;
}

/** Chunk read per step. */
export const CHUNK_BYTES = 4 << 20;
/** Headroom in front of each chunk for the carried-over partial record; larger records are assembled apart. */
export const HEAD_BYTES = 1 << 20;

/**
 * Chunks land this far past the headroom. Large buffers start on a page boundary, and so do the page-cache pages
 * a chunk-aligned read copies from: with source and destination equally page-aligned, readSync was ~1.6× slower
 * (4 MiB reads of a cached 459 MB file: 70-105 ms against 43-67 ms for any destination offset not a multiple of 4096).
 */
const READ_SKEW = 64;

/** Buffer size a hasher must hand out for a stream of `size` bytes: [headroom + skew][chunk]. */
export function slotBytes(size: number): number {
  return size <= CHUNK_BYTES ? Math.max(size, 1) : HEAD_BYTES + READ_SKEW + CHUNK_BYTES;
}

/**
 * Reads `source` once, front to back; hashes every chunk; walks the records. Always reads to the end (the hash
 * covers the whole file) even after the walker stopped. Returns the last buffer when the whole stream fit in it.
 */
export async function walkStream(source: ByteSource, walker: RecordWalker, hasher: ChunkHasher,
  opts: WalkOptions): Promise<Uint8Array | null> {
  const size = source.size;
  const loop = new ChunkLoop(walker, size);
  let pos = 0;
  let last: Uint8Array | null = null;
  while (pos < size) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    const slot = await hasher.acquire();
    // Move the carry first: with one buffer it sits where the next read lands.
    loop.carryInto(slot);
    const n = source.read(pos, Math.min(loop.chunk, size - pos), slot, loop.head);
    if (n <= 0) throw new Error(`read returned ${n} at ${pos} of ${size}: file shrank while reading`);
    hasher.submit(slot, loop.head, n);
    loop.walkChunk(slot, pos, n);
    pos += n;
    last = slot;
    opts.onProgress?.({ bytes: pos, total: size, frames: opts.frames() });
    // Let timers and the abort signal run between chunks.
    if (!loop.small) await new Promise<void>((r) => setImmediate(r));
  }
  if (!walker.done) walker.finish(size);
  return loop.small ? last : null;
}

/** The state between chunks: the carried-over partial record, or a large record being assembled. */
class ChunkLoop {
  /** The whole stream fits in one chunk (no headroom needed). */
  readonly small: boolean;
  readonly head: number;
  readonly chunk: number;
  /** Bytes at the end of `prev` (up to prevEnd) that start the next record. */
  private carry = 0;
  private prev: Uint8Array | null = null;
  private prevEnd = 0;
  /** A record larger than the headroom, filled chunk by chunk. */
  private big: Uint8Array | null = null;
  private bigFill = 0;
  /** The record at walker.next reaches past the end: finish() reports it; the rest is only hashed. */
  private stalled = false;

  constructor(private readonly walker: RecordWalker, private readonly size: number) {
    this.small = size <= CHUNK_BYTES;
    this.head = this.small ? 0 : HEAD_BYTES + READ_SKEW;
    this.chunk = this.small ? Math.max(size, 1) : CHUNK_BYTES;
  }

  carryInto(slot: Uint8Array): void {
    if (this.carry > 0 && this.prev) slot.set(this.prev.subarray(this.prevEnd - this.carry, this.prevEnd), this.head - this.carry);
  }

  /** Walks what slot[head - carry, head + n) holds; the new bytes start at stream offset pos. */
  walkChunk(slot: Uint8Array, pos: number, n: number): void {
    const { walker, head } = this;
    const base = pos - head;
    const end = pos + n;
    let from = head - this.carry;
    this.carry = 0;
    if (walker.done || this.stalled) return;
    if (this.big) {
      from = head + this.fillBig(slot, n);
      if (this.big) return;
    }
    if (walker.next >= end) return;
    if (walker.next < base + from) throw new Error(`walker went back to ${walker.next}`);
    walker.walk(slot, new DataView(slot.buffer, slot.byteOffset, slot.length), head + n, base);
    if (walker.done || walker.next >= end) return;
    const rem = end - walker.next;
    if (walker.next + walker.need > this.size) {
      this.stalled = true;
    } else if (walker.need <= head) {
      this.carry = rem;
      this.prev = slot;
      this.prevEnd = head + n;
    } else {
      this.big = new Uint8Array(walker.need);
      this.big.set(slot.subarray(head + n - rem, head + n), 0);
      this.bigFill = rem;
    }
  }

  /** Appends the chunk's first bytes to the record being assembled; walks it once whole. Returns bytes taken. */
  private fillBig(slot: Uint8Array, n: number): number {
    const big = this.big!;
    const take = Math.min(n, big.length - this.bigFill);
    big.set(slot.subarray(this.head, this.head + take), this.bigFill);
    this.bigFill += take;
    if (this.bigFill === big.length) {
      const start = this.walker.next;
      this.walker.walk(big, new DataView(big.buffer, big.byteOffset, big.length), big.length, start);
      if (!this.walker.done && this.walker.next < start + big.length) throw new Error("walker did not consume an assembled record");
      this.big = null;
    }
    return take;
  }
}
