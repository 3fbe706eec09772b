// Gzip-compressed captures: decompressed once, as a stream, into a private temporary file that is read like a plain
// capture and removed on close() or at process exit. The SHA-256 is of the .gz file as stored.

import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";

/** Gzip member magic (RFC 1952 section 2.3.1). */
export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** What decompression produced. */
export interface Gunzipped {
  /** The temporary file holding the decompressed stream (owner-only, removed by removeTemp or at exit). */
  tmpPath: string;
  /** SHA-256 (hex) of the compressed file. */
  sha256: string;
  /** Set when the gzip stream is damaged: the decompressed bytes before the damage are kept. */
  error?: { compressedOffset: number; message: string };
}

/** Compressed bytes handed to zlib at a time, and its output chunk size. */
const GZ_IN_SLICE = 64 << 10;
const GZ_OUT_CHUNK = 16 << 10;

const temps = new Set<string>();
let exitHook = false;

/** Removes a temporary file made by gunzipToTemp. Idempotent. */
export function removeTemp(p: string): void {
  if (!temps.delete(p)) return;
  try { fs.unlinkSync(p); } catch { /* already gone */ }
  try { fs.rmdirSync(path.dirname(p)); } catch { /* not empty or gone */ }
}

/** Decompresses `file` (all gzip members) into a new temporary file, hashing the compressed bytes on the way. */
export async function gunzipToTemp(file: string, signal?: AbortSignal): Promise<Gunzipped> {
  if (!exitHook) {
    exitHook = true;
    process.on("exit", () => { for (const p of [...temps]) removeTemp(p); });
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wirebook-gunzip-"));
  const tmpPath = path.join(dir, `${path.basename(file)}.raw`);
  temps.add(tmpPath);
  const out = fs.openSync(tmpPath, "wx", 0o600);
  const hash = createHash("sha256");
  // Small output chunks, fed in small slices: when the stream breaks, only the output of the last slice is lost.
  const gz = zlib.createGunzip({ chunkSize: GZ_OUT_CHUNK });
  let error: Error | null = null;
  let errorAt = 0;
  let consumed = 0;
  let wake: (() => void) | null = null;
  gz.on("data", (c: Buffer) => { fs.writeSync(out, c); });
  gz.on("error", (e) => {
    if (!error) { error = e; errorAt = consumed; }
    wake?.();
  });
  const feed = (slice: Buffer) => new Promise<void>((resolve) => {
    wake = resolve;
    gz.write(slice, () => resolve());
  });
  const input = fs.createReadStream(file, { flags: "r", highWaterMark: 1 << 20 });
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      if (signal?.aborted) throw signal.reason;
      hash.update(chunk);
      for (let i = 0; i < chunk.length && !error; i += GZ_IN_SLICE) {
        await feed(chunk.subarray(i, i + GZ_IN_SLICE));
        if (!error) consumed += Math.min(GZ_IN_SLICE, chunk.length - i);
      }
    }
    if (!error) {
      // 'end' comes after the last 'data'; a stream cut short ends in 'error' instead.
      await new Promise<void>((resolve) => {
        wake = resolve;
        gz.once("end", resolve);
        gz.end();
      });
    }
  } catch (e) {
    input.destroy();
    gz.destroy();
    fs.closeSync(out);
    removeTemp(tmpPath);
    throw e;
  }
  gz.destroy();
  fs.closeSync(out);
  const result: Gunzipped = { tmpPath, sha256: hash.digest("hex") };
  const err = error as Error | null;
  if (err) result.error = { compressedOffset: errorAt, message: err.message };
  return result;
}
