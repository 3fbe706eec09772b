// readCapture: open a capture file (pcap or pcapng, optionally gzip-compressed) read-only, index every frame in one
// bounded-memory pass, and return the index with the bytes behind it. The file's SHA-256 is computed on the way
// (small files), during gunzip (gzip files), or by a worker that runs on after readCapture returned (large files).

import { CaptureError, hex32, Problems } from "./errors.js";
import { FrameIndex } from "./frame-index.js";
import { type Gunzipped, gunzipToTemp, isGzip, removeTemp } from "./gunzip.js";
import { PCAP_MAGIC_MODIFIED, PcapWalker, pcapMagic } from "./pcap.js";
import { BT_SHB } from "./pcapng-blocks.js";
import { PcapngWalker } from "./pcapng.js";
import { FileHash, InlineHasher } from "./sha256.js";
import { FileSource, MemorySource } from "./source.js";
import type { ByteSource, CaptureFile, CaptureInfo } from "./types.js";
import { CHUNK_BYTES, type RecordWalker, slotBytes, walkStream } from "./walk.js";

/** Options of readCapture. */
export interface ReadOptions {
  signal?: AbortSignal;
  /** Called after each chunk (bytes of the decompressed stream). */
  onProgress?: (p: { bytes: number; total: number; frames: number }) => void;
  /** Uncompressed files of at least this many bytes (and more than one chunk) are hashed by a worker; default WORKER_HASH_MIN. */
  hashInWorkerFrom?: number;
}

/**
 * Uncompressed files at least this large are hashed by a worker thread that reads the file itself: readCapture
 * returns when the index is built and info.sha256 waits for the digest only if it is read before it is ready.
 * Below it, hashing the chunks inline costs less than starting a thread.
 */
export const WORKER_HASH_MIN = 64 << 20;

/** The workers hashing captures still open (for sha256Of). */
const pending = new WeakMap<CaptureInfo, FileHash>();

/** The file's SHA-256 without blocking the event loop (info.sha256 blocks while a worker is still hashing). */
export async function sha256Of(info: CaptureInfo): Promise<string> {
  return (await pending.get(info)?.hexAsync()) ?? info.sha256;
}

/**
 * Reads and indexes a capture. Throws CaptureError when the file is empty or has no pcap/pcapng header (and the
 * usual fs errors: ENOENT, EACCES); damage after the header never throws: the frames before it are kept and
 * info.stopped says where and why reading stopped. An aborted signal rejects with its reason. Never writes the file.
 */
export async function readCapture(path: string, opts: ReadOptions = {}): Promise<CaptureFile> {
  const info = newInfo(path);
  const opened = await openStream(path, info, opts.signal);
  let source = opened.source;
  try {
    const size = source.size;
    const problems = new Problems();
    // Sized for records of ~128 bytes so big captures grow rarely; untouched capacity costs no physical memory.
    const index = new FrameIndex(Math.max(1024, Math.min(1 << 22, Math.floor(size / 128))));
    const walker = makeWalker(opened.head, size, info, index, problems);
    // Started before the walk so the hash runs beside it; a closed source stops it.
    const hashed = info.compression === "none" && size > CHUNK_BYTES && size >= (opts.hashInWorkerFrom ?? WORKER_HASH_MIN)
      && source instanceof FileSource ? hashInWorker(source, info) : false;
    const hasher = new InlineHasher(slotBytes(size), info.compression === "none" && !hashed);
    const whole = await walkStream(source, walker, hasher, { ...opts, frames: () => index.count });
    if (info.compression === "none" && !hashed) info.sha256 = await hasher.digest();
    if (opened.gzipError) noteGzipError(problems, size, opened.gzipError);
    problems.close();
    info.warnings = problems.warnings;
    if (problems.stopped) info.stopped = problems.stopped;
    index.trim();
    if (whole && size <= CHUNK_BYTES) {
      // The whole stream is already in memory: keep it and let go of the file.
      source.close();
      source = new MemorySource(whole.subarray(0, size));
    }
    return { info, index, source };
  } catch (e) {
    source.close();
    throw e;
  }
}

/**
 * Starts the worker hash of `source`'s file and makes info.sha256 a getter that waits for it (then becomes the plain
 * string). Returns false when no worker could be started (the caller hashes inline).
 */
function hashInWorker(source: FileSource, info: CaptureInfo): boolean {
  const { dev, ino, size, mtimeMs } = source.stat;
  let h: FileHash;
  try {
    h = new FileHash(source.path, { dev, ino, size, mtimeMs });
  } catch {
    return false;
  }
  source.whenClosed(() => h.cancel());
  pending.set(info, h);
  const plain = (value: string) => Object.defineProperty(info, "sha256", { value, writable: true, enumerable: true, configurable: true });
  Object.defineProperty(info, "sha256", {
    enumerable: true, configurable: true,
    get: () => {
      const hex = h.hex();
      plain(hex);
      pending.delete(info);
      return hex;
    },
    set: (v: string) => { plain(v); },
  });
  return true;
}

/** Opens the file, or the decompressed temporary copy of a gzip file; returns the stream's first four bytes. */
async function openStream(path: string, info: CaptureInfo, signal?: AbortSignal):
  Promise<{ source: ByteSource; head: Uint8Array; gzipError?: Gunzipped["error"] }> {
  let source: ByteSource = new FileSource(path);
  info.fileSize = source.size;
  const head = new Uint8Array(4);
  try {
    if (source.size === 0) throw new CaptureError("empty file", 0);
    source.read(0, 4, head, 0);
    if (!isGzip(head)) return { source, head };
    source.close();
    const g = await gunzipToTemp(path, signal);
    source = new FileSource(g.tmpPath, () => removeTemp(g.tmpPath));
    info.compression = "gzip";
    info.sha256 = g.sha256;
    if (source.size === 0) {
      throw new CaptureError(`empty file: the gzip stream holds no bytes${g.error ? ` (${g.error.message})` : ""}`, 0);
    }
    head.fill(0);
    source.read(0, 4, head, 0);
    return { source, head, gzipError: g.error };
  } catch (e) {
    source.close();
    throw e;
  }
}

function newInfo(path: string): CaptureInfo {
  return {
    path, format: "pcap", compression: "none", fileSize: 0, sha256: "", byteOrder: "little", version: "",
    tsPrecision: "micro", interfaces: [], sections: [], frameComments: new Map(), names: new Map(), warnings: [],
  };
}

/** Picks the walker by the first four bytes; throws CaptureError when they are no capture magic. */
function makeWalker(head: Uint8Array, size: number, info: CaptureInfo, index: FrameIndex, problems: Problems): RecordWalker {
  const magic = size >= 4 ? new DataView(head.buffer).getUint32(0, false) : -1;
  const pcap = magic >= 0 ? pcapMagic(magic) : null;
  if (pcap) return new PcapWalker(info, index, size, problems, pcap);
  if (magic === BT_SHB) return new PcapngWalker(info, index, problems);
  const shown = magic >= 0 ? hex32(magic)
    : `0x${Array.from(head.subarray(0, size), (b) => b.toString(16).padStart(2, "0")).join("")} (${size} bytes)`;
  const gz = info.compression === "gzip" ? " inside the gzip stream" : "";
  if (magic === PCAP_MAGIC_MODIFIED || magic === 0x34cdb2a1) {
    throw new CaptureError(`unsupported pcap variant: "modified" (Kuznetzov) pcap, magic ${shown} at offset 0${gz}`, 0);
  }
  throw new CaptureError(`not a pcap or pcapng file: magic ${shown} at offset 0${gz}`, 0);
}

/** A damaged gzip stream ends the decompressed bytes: that is why reading stopped. */
function noteGzipError(problems: Problems, size: number, e: NonNullable<Gunzipped["error"]>): void {
  const why = `gzip stream damaged near compressed byte ${e.compressedOffset}: ${e.message}; ${size} bytes decompressed before it`;
  if (problems.stopped) problems.stopped.message += ` (${why})`;
  else problems.stop(size, why);
}

/** Re-exported so callers need one import. */
export { CaptureError } from "./errors.js";
export { linktypeName } from "./linktypes.js";
