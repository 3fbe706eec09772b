// ByteSources: a file opened read-only and read with positional reads, or bytes already in memory.

import * as fs from "node:fs";
import type { ByteSource } from "./types.js";

/** A plain file opened read-only ("r"); every read is a positional readSync, so it never writes or seeks. */
export class FileSource implements ByteSource {
  readonly size: number;
  /** The opened file's identity (what fstat said when it was opened). */
  readonly stat: fs.Stats;
  private fd: number;
  private readonly onClose: (() => void)[] = [];

  constructor(readonly path: string, onClose?: () => void) {
    if (onClose) this.onClose.push(onClose);
    this.fd = fs.openSync(path, "r");
    try {
      this.stat = fs.fstatSync(this.fd);
      this.size = this.stat.size;
    } catch (e) {
      fs.closeSync(this.fd);
      throw e;
    }
  }

  /** Copies up to `len` bytes at `pos` into `into[at..]`; short only at the end of the file. */
  read(pos: number, len: number, into: Uint8Array, at: number): number {
    if (this.fd < 0) throw new Error(`read after close: ${this.path}`);
    len = Math.max(0, Math.min(len, this.size - pos, into.length - at));
    let done = 0;
    while (done < len) {
      const n = fs.readSync(this.fd, into, at + done, len - done, pos + done);
      if (n === 0) break;
      done += n;
    }
    return done;
  }

  /** Runs `f` when the source is closed (after the file is). */
  whenClosed(f: () => void): void {
    this.onClose.push(f);
  }

  /** Idempotent. */
  close(): void {
    if (this.fd < 0) return;
    fs.closeSync(this.fd);
    this.fd = -1;
    for (const f of this.onClose) f();
  }
}

/** Bytes held in memory (small files: the one chunk read while indexing is kept, so frames cost no syscalls). */
export class MemorySource implements ByteSource {
  readonly size: number;

  constructor(private bytes: Uint8Array) {
    this.size = bytes.length;
  }

  read(pos: number, len: number, into: Uint8Array, at: number): number {
    len = Math.max(0, Math.min(len, this.size - pos, into.length - at));
    into.set(this.bytes.subarray(pos, pos + len), at);
    return len;
  }

  close(): void {
    this.bytes = new Uint8Array(0);
  }
}
