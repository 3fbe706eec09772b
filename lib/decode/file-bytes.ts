// Bytes of a column that are read back from the capture file when asked for, instead of being held: a TCP or UDP
// payload is the tail of its layer's bytes, so its place in the file (position, length) says everything, in 12 bytes
// instead of a copy of the payload (together about as large as the file itself).
//
// Reads go through a small window: a scan in frame order (a display filter, a table) reads the file sequentially a
// window at a time; a single lookup costs one read. Values come back as fresh copies.

import type { ByteSource } from "../capture/types.js";

/** Bytes read at a time: large enough for a sequential scan to cost few reads, small enough for a lookup. */
const WINDOW = 64 << 10;

export class FileBytes {
  private win = new Uint8Array(0);
  private start = 0;
  private end = 0;

  constructor(private readonly source: Pick<ByteSource, "read">) {}

  /** A copy of `len` bytes at file position `pos` (shorter if the file ends first). Throws once the capture is closed. */
  read(pos: number, len: number): Uint8Array {
    if (pos >= this.start && pos + len <= this.end) return this.win.slice(pos - this.start, pos - this.start + len);
    if (len > WINDOW >>> 1) {
      const out = new Uint8Array(len);
      const got = this.source.read(pos, len, out, 0);
      return got === len ? out : out.slice(0, got);
    }
    if (this.win.length === 0) this.win = new Uint8Array(WINDOW);
    const got = this.source.read(pos, WINDOW, this.win, 0);
    this.start = pos;
    this.end = pos + got;
    return this.win.slice(0, Math.min(len, got));
  }
}
