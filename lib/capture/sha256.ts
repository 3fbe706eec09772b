// SHA-256 of the file as stored, computed from the very chunks the indexer reads (every byte read once).
// Large files hash in a worker thread over shared buffers, so indexing runs in parallel with hashing.

import { createHash, type Hash } from "node:crypto";
import { Worker } from "node:worker_threads";

/**
 * Hands out chunk buffers and hashes what is read into them, in order.
 * Contract: a buffer passed to submit() is not written again until acquire() returns it again.
 */
export interface ChunkHasher {
  /** A buffer of `slotBytes` that is free to be written. */
  acquire(): Promise<Uint8Array>;
  /** Hashes buf[at, at+len) after everything submitted before. */
  submit(buf: Uint8Array, at: number, len: number): void;
  /** Hex digest of everything submitted; call once. */
  digest(): Promise<string>;
  /** Frees the worker, if any. Idempotent. */
  dispose(): void;
}

/** Hashes on the calling thread; one reused buffer. */
export class InlineHasher implements ChunkHasher {
  private readonly hash: Hash | null;
  private readonly buf: Uint8Array;

  /** With `hash` false the chunks are not hashed and digest() returns "" (the caller hashes elsewhere). */
  constructor(slotBytes: number, hash = true) {
    this.buf = new Uint8Array(slotBytes);
    this.hash = hash ? createHash("sha256") : null;
  }

  async acquire(): Promise<Uint8Array> {
    return this.buf;
  }

  submit(buf: Uint8Array, at: number, len: number): void {
    this.hash?.update(buf.subarray(at, at + len));
  }

  async digest(): Promise<string> {
    return this.hash ? this.hash.digest("hex") : "";
  }

  dispose(): void {}
}

// The worker: hashes slot ranges as they are announced, answers each with the slot number, then the digest.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const h = require("node:crypto").createHash("sha256");
const views = workerData.slots.map((s) => new Uint8Array(s));
parentPort.on("message", (m) => {
  if (m.slot >= 0) { h.update(views[m.slot].subarray(m.at, m.at + m.len)); parentPort.postMessage(m.slot); }
  else parentPort.postMessage(h.digest("hex"));
});`;

/** Hashes in a worker thread; `slots` shared buffers circulate between reader and hasher. */
export class WorkerHasher implements ChunkHasher {
  private readonly worker: Worker;
  private readonly views: Uint8Array[];
  private readonly free: number[] = [];
  private waiting: ((slot: number) => void) | null = null;
  private onDigest: ((hex: string) => void) | null = null;
  private failure: Error | null = null;
  private failed: ((e: Error) => void) | null = null;

  constructor(slotBytes: number, slots = 3) {
    const sabs = Array.from({ length: slots }, () => new SharedArrayBuffer(slotBytes));
    this.views = sabs.map((s) => new Uint8Array(s));
    for (let i = 0; i < slots; i++) this.free.push(i);
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { slots: sabs } });
    this.worker.on("message", (m: number | string) => {
      if (typeof m === "string") this.onDigest?.(m);
      else if (this.waiting) { const w = this.waiting; this.waiting = null; w(m); }
      else this.free.push(m);
    });
    this.worker.on("error", (e) => this.fail(e));
    this.worker.on("exit", (code) => this.fail(new Error(`sha256 worker exited with code ${code}`)));
  }

  acquire(): Promise<Uint8Array> {
    if (this.failure) return Promise.reject(this.failure);
    const slot = this.free.pop();
    if (slot !== undefined) return Promise.resolve(this.views[slot]);
    return new Promise((resolve, reject) => {
      this.failed = reject;
      this.waiting = (s) => resolve(this.views[s]);
    });
  }

  submit(buf: Uint8Array, at: number, len: number): void {
    this.worker.postMessage({ slot: this.views.indexOf(buf), at, len });
  }

  digest(): Promise<string> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.failed = reject;
      this.onDigest = resolve;
      this.worker.postMessage({ slot: -1 });
    });
  }

  dispose(): void {
    this.worker.removeAllListeners("exit");
    void this.worker.terminate();
  }

  private fail(e: Error): void {
    this.failure ??= e;
    this.failed?.(e);
  }
}
