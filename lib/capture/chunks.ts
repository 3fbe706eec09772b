// Walks a capture's frames in bounded chunks: each chunk is one read into one reused buffer holding a run of whole
// frames, so memory stays at the chunk size whatever the file size (a frame larger than the chunk gets its own).

import type { CaptureFile } from "./types.js";

/** A run of frames [first, last) whose bytes sit in `buf`; frame i starts at buf[index.offset[i] - base]. */
export interface Chunk {
  buf: Uint8Array;
  base: number;
  first: number;
  last: number;
}

/** Default chunk size: large enough that a read costs little per frame, small enough to stay in cache-friendly RAM. */
export const CHUNK_BYTES = 8 << 20;

/**
 * Yields chunks covering frames [from, to) in order. The buffer is reused between chunks: copy out what you keep.
 * Contract: never yields a chunk that splits a frame; reads nothing outside the frames' byte range.
 */
export function* frameChunks(file: CaptureFile, from = 0, to = file.index.count, chunkBytes = CHUNK_BYTES): Generator<Chunk> {
  const { index, source } = file;
  const { offset, caplen } = index;
  let buf = new Uint8Array(Math.min(chunkBytes, Math.max(source.size, 1)));
  let i = from;
  while (i < to) {
    const base = offset[i];
    let j = i;
    let stop = base;
    // Take frames while they fit; the records between frames (headers, other blocks) come along in the read.
    while (j < to && offset[j] + caplen[j] - base <= buf.length) {
      stop = offset[j] + caplen[j];
      j++;
    }
    if (j === i) {
      // One frame larger than the chunk: read it alone.
      const big = new Uint8Array(caplen[i]);
      source.read(base, caplen[i], big, 0);
      yield { buf: big, base, first: i, last: i + 1 };
      i++;
      continue;
    }
    source.read(base, stop - base, buf, 0);
    yield { buf, base, first: i, last: j };
    i = j;
  }
}

/** Copies one frame's captured bytes. */
export function frameBytes(file: CaptureFile, i: number): Uint8Array {
  const out = new Uint8Array(file.index.caplen[i]);
  file.source.read(file.index.offset[i], out.length, out, 0);
  return out;
}
