// SHA-256 of the file as stored (evidence provenance). Small files are hashed inline from the very chunks the indexer
// reads; large files are hashed by a FileHash: a worker thread that reads the file itself, so indexing never waits
// for the hash and the digest is ready about when a single-threaded hash of the file would be.

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
  /** Frees resources, if any. Idempotent. */
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

/** The identity of the file the indexer opened; the worker refuses to hash any other (renamed over, rewritten). */
export interface FileIdentity {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

// Shared memory between the FileHash and its worker: Int32 words, then the result bytes (digest or error text).
const STATE = 0; // RUNNING until the worker settles, then DONE / FAILED / CANCELLED (then notified)
const CANCEL = 1; // set by the owner: stop at the next chunk
const PROGRESS = 2; // chunks hashed so far (wraps; only compared for change)
const RESULT_LEN = 3; // bytes of the result
const WAITED = 4; // set by the owner once someone waits for the digest: the worker drops its lowered priority
const WORDS = 5;
const RESULT_MAX = 2048;
const RUNNING = 0, DONE = 1, FAILED = 2, CANCELLED = 3;

/** A sync wait gives up when the worker made no progress (not one 4 MiB chunk) for this long: never hang. */
const STALL_MS = 60_000;

/**
 * Nice value of the hashing thread while nobody waits for the digest. On a busy machine the hash would otherwise
 * take CPU from the index walk it was moved away from; once someone waits, the thread returns to normal priority
 * (where the system allows: lowering a nice value needs CAP_SYS_NICE or RLIMIT_NICE). Linux only: there
 * setpriority(0) is per thread, elsewhere it would lower the whole process.
 */
const BACKGROUND_NICE = process.platform === "linux" ? 10 : 0;

// The worker: opens the file read-only, checks it is the file the indexer opened, hashes it in 4 MiB reads, closes
// it, then publishes the digest (or the error text) and wakes any waiter. It checks CANCEL between reads, so a
// cancelled hash stops within one chunk and closes its descriptor (terminate() would leak the fd). It runs at
// BACKGROUND_NICE until WAITED is set.
const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const fs = require("node:fs");
const { path, id, sab, nice } = workerData;
const st = new Int32Array(sab, 0, ${WORDS});
const out = new Uint8Array(sab, ${WORDS * 4});
function settle(state, bytes) {
  const n = Math.min(bytes.length, out.length);
  out.set(bytes.subarray(0, n));
  Atomics.store(st, ${RESULT_LEN}, n);
  Atomics.store(st, ${STATE}, state);
  Atomics.notify(st, ${STATE});
}
// This thread's nice value; false when the system refuses (the priority then stays as it is).
function setNice(v) {
  try { require("node:os").setPriority(0, v); return true; } catch { return false; }
}
function hash() {
  const fd = fs.openSync(path, "r");
  try {
    const s = fs.fstatSync(fd);
    if (s.dev !== id.dev || s.ino !== id.ino || s.size !== id.size || s.mtimeMs !== id.mtimeMs) {
      throw new Error("the file was replaced or modified after it was opened for indexing");
    }
    const h = require("node:crypto").createHash("sha256");
    // Read 64 bytes into the buffer: a page-aligned destination copies slower from page-aligned page-cache pages.
    const buf = Buffer.allocUnsafe((4 << 20) + 64).subarray(64);
    let pos = 0, niced = false;
    for (;;) {
      if (Atomics.load(st, ${CANCEL})) return null;
      // Lowered priority until someone waits for the digest; one attempt to restore it then.
      if (pos === 0 && nice !== 0 && !Atomics.load(st, ${WAITED})) niced = setNice(nice);
      else if (niced && Atomics.load(st, ${WAITED})) { setNice(0); niced = false; }
      const n = fs.readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
      pos += n;
      Atomics.add(st, ${PROGRESS}, 1);
    }
    if (pos !== id.size) throw new Error("the file changed size while hashing: " + pos + " bytes read, " + id.size + " expected");
    return h.digest();
  } finally {
    fs.closeSync(fd);
  }
}
try {
  const d = hash();
  if (d === null) settle(${CANCELLED}, Buffer.alloc(0));
  else settle(${DONE}, d);
} catch (e) {
  settle(${FAILED}, Buffer.from(String(e && e.message || e)));
}`;

/**
 * The SHA-256 of a file, computed by a worker thread that reads the file on its own descriptor. The worker is
 * unref'd: it never keeps the process alive, and an open capture never delays exit.
 * Contract: hex() returns the exact digest or throws an Error saying why there is none; it never hangs.
 */
export class FileHash {
  private readonly worker: Worker;
  private readonly st: Int32Array;
  private readonly out: Uint8Array;
  private cancelled = false;
  /** Set when the worker is gone without settling (startup failure, crash): sync waits must not wait for it. */
  private lost: Error | null = null;
  private result: { hex: string } | { error: Error } | null = null;

  constructor(readonly path: string, id: FileIdentity) {
    const sab = new SharedArrayBuffer(WORDS * 4 + RESULT_MAX);
    this.st = new Int32Array(sab, 0, WORDS);
    this.out = new Uint8Array(sab, WORDS * 4);
    // No inherited execArgv: a parent run with --input-type=module (or a default type of module) would make the
    // eval'd CommonJS source an ES module, where require is undefined.
    this.worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { path, id, sab, nice: BACKGROUND_NICE } });
    this.worker.unref();
    // Without an 'error' listener a worker failure would be thrown on the main thread and end the process.
    this.worker.on("error", (e) => { this.lost ??= e; });
    this.worker.on("exit", (code) => { this.lost ??= new Error(`the hashing worker exited (code ${code}) without a digest`); });
  }

  /** The hex digest, waiting (blocking this thread) for the worker if it has not finished. */
  hex(): string {
    const r = this.result ?? this.waitSync();
    if ("error" in r) throw r.error;
    return r.hex;
  }

  /** The hex digest without blocking the event loop; keeps the process alive until it is known. */
  async hexAsync(): Promise<string> {
    if (!this.result && Atomics.load(this.st, STATE) === RUNNING && !this.lost) {
      Atomics.store(this.st, WAITED, 1);
      this.worker.ref();
      try {
        await new Promise<void>((resolve) => {
          this.worker.once("exit", () => resolve());
          // The exit event may already have been emitted (or the worker is gone): re-check once.
          if (this.lost || Atomics.load(this.st, STATE) !== RUNNING) resolve();
        });
      } finally {
        this.worker.unref();
      }
    }
    return this.hex();
  }

  /** Stops hashing (the worker closes its descriptor and exits within one chunk). A finished digest stays readable. */
  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    Atomics.store(this.st, CANCEL, 1);
  }

  private waitSync(): { hex: string } | { error: Error } {
    Atomics.store(this.st, WAITED, 1);
    let progress = Atomics.load(this.st, PROGRESS), since = Date.now();
    while (Atomics.load(this.st, STATE) === RUNNING) {
      if (this.lost) return this.settle(this.failure(this.lost.message));
      if (this.cancelled) return this.settle(this.failure("the capture was closed before hashing finished"));
      Atomics.wait(this.st, STATE, RUNNING, 250);
      const p = Atomics.load(this.st, PROGRESS);
      if (p !== progress) { progress = p; since = Date.now(); }
      else if (Date.now() - since > STALL_MS) {
        return this.settle(this.failure(`the hashing worker made no progress for ${STALL_MS / 1000} s`));
      }
    }
    const state = Atomics.load(this.st, STATE);
    const bytes = this.out.slice(0, Atomics.load(this.st, RESULT_LEN));
    if (state === DONE) return this.settle({ hex: Buffer.from(bytes).toString("hex") });
    if (state === CANCELLED) return this.settle(this.failure("the capture was closed before hashing finished"));
    return this.settle(this.failure(Buffer.from(bytes).toString("utf8")));
  }

  private failure(why: string): { error: Error } {
    return { error: new Error(`SHA-256 of ${this.path} is not available: ${why}`) };
  }

  private settle(r: { hex: string } | { error: Error }): { hex: string } | { error: Error } {
    this.result = r;
    return r;
  }
}
