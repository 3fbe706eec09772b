// Wirebook's frame index alone: readCapture(path) from lib/capture/read.ts, run in a child process (see child.ts).
// Large files get their SHA-256 from a worker that runs on after readCapture returned, so one run times both: how
// long readCapture took, and how long until the digest was available.

import { readCapture, sha256Of, WORKER_HASH_MIN } from "../lib/capture/read.js";

/** What one frame-index measurement reports; times from the call of readCapture, CPU of the whole process. */
export interface IndexResult {
  packets: number;
  fileBytes: number;
  /** The index's size (its typed arrays, trimmed). */
  indexBytes: number;
  /** The file's digest, awaited after the index was timed. */
  sha256: string;
  /** readCapture: until it returned the index. */
  indexMs: number;
  indexCpuMs: number;
  /** Until the SHA-256 was available (for a worker-hashed file, it keeps hashing after readCapture returned). */
  hashMs: number;
  hashCpuMs: number;
  /** The hash ran in a worker thread (false: inline during the walk, or during gunzip). */
  hashInWorker: boolean;
}

/** readCapture(path), then the digest; closes the capture. */
export async function frameIndex(args: { path: string }): Promise<IndexResult> {
  const cpu0 = process.cpuUsage(), t0 = performance.now();
  const file = await readCapture(args.path);
  const indexMs = performance.now() - t0, indexCpu = process.cpuUsage(cpu0);
  const sha256 = await sha256Of(file.info);
  const hashMs = performance.now() - t0, hashCpu = process.cpuUsage(cpu0);
  file.source.close();
  const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;
  return {
    packets: file.index.count, fileBytes: file.info.fileSize, indexBytes: file.index.byteLength, sha256,
    indexMs, indexCpuMs: cpuMs(indexCpu), hashMs, hashCpuMs: cpuMs(hashCpu),
    hashInWorker: file.info.compression === "none" && file.info.fileSize >= WORKER_HASH_MIN,
  };
}
