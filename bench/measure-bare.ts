// The floor: a loop that only walks classic pcap record headers, reading the file sequentially into one reused
// 4 MiB buffer with fs.readSync. Nothing is kept. Whatever indexes a capture cannot beat this by much.

import { createHash, type Hash } from "node:crypto";
import * as fs from "node:fs";

const BUF_BYTES = 4 << 20;
const FILE_HEADER = 24;
const RECORD_HEADER = 16;

/** What a packet-walking measurement reports. */
export interface WalkResult {
  packets: number;
  /** Size of the file in bytes. */
  fileBytes: number;
  /** Sum of captured lengths (so the loop's work cannot be optimised away). */
  capturedBytes: number;
}

/**
 * Counts the records of a classic pcap (either byte order). Contract: reads the file once, front to back; throws on
 * a file that is not classic pcap or a record larger than the buffer.
 */
export function bareLoop(args: { path: string }): WalkResult {
  return walkRecords(args.path, null);
}

/**
 * The bare loop plus a SHA-256 of every byte read, on the same thread: the floor for an indexer that must also
 * hash the file (as readCapture does, for evidence provenance). Returns the digest with the counts.
 */
export function bareLoopHashed(args: { path: string }): WalkResult & { sha256: string } {
  const hash = createHash("sha256");
  return { ...walkRecords(args.path, hash), sha256: hash.digest("hex") };
}

function walkRecords(file: string, hash: Hash | null): WalkResult {
  const fd = fs.openSync(file, "r");
  try {
    const buf = new Uint8Array(BUF_BYTES);
    const dv = new DataView(buf.buffer);
    let have = fs.readSync(fd, buf, 0, BUF_BYTES, 0);
    hash?.update(buf.subarray(0, have));
    const magic = dv.getUint32(0, true);
    const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
    if (!le && dv.getUint32(0, false) !== 0xa1b2c3d4 && dv.getUint32(0, false) !== 0xa1b23c4d) throw new Error("not a classic pcap file");
    let filePos = have, at = FILE_HEADER, packets = 0, captured = 0;
    for (;;) {
      while (at + RECORD_HEADER <= have) {
        const caplen = dv.getUint32(at + 8, le);
        if (at + RECORD_HEADER + caplen > have) break;
        packets++;
        captured += caplen;
        at += RECORD_HEADER + caplen;
      }
      // Keep the partial record, refill behind it.
      const rest = have - at;
      if (rest + RECORD_HEADER > BUF_BYTES) throw new Error("record larger than the buffer");
      buf.copyWithin(0, at, have);
      const n = fs.readSync(fd, buf, rest, BUF_BYTES - rest, filePos);
      if (n === 0) break;
      hash?.update(buf.subarray(rest, rest + n));
      filePos += n;
      have = rest + n;
      at = 0;
    }
    return { packets, fileBytes: fs.fstatSync(fd).size, capturedBytes: captured };
  } finally {
    fs.closeSync(fd);
  }
}
