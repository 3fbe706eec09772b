// What reading a capture file yields besides the frame index: its format, interfaces, metadata, and the problems
// met on the way (each naming its byte offset). Shared by pcap.ts, pcapng.ts and everything that reads captures.

import type { FrameIndex } from "./frame-index.js";

/** Random access to the capture's (decompressed) bytes. Opened read-only; never writes. */
export interface ByteSource {
  /** Total bytes of the (decompressed) stream. */
  readonly size: number;
  /** Copies up to `len` bytes at stream position `pos` into `into[at..]`; returns how many were copied. */
  read(pos: number, len: number, into: Uint8Array, at: number): number;
  close(): void;
}

/** One capture interface (pcapng IDB; a classic pcap file has exactly one). */
export interface InterfaceInfo {
  linktype: number;
  snaplen: number;
  name?: string;
  description?: string;
  /** Units per second of this interface's timestamps (1e6 for microseconds, 1e9 for nanoseconds, 2^k …). */
  tsUnitsPerSec: number;
  /** Seconds added to every timestamp (pcapng if_tsoffset). */
  tsOffset: number;
  /** Index of the pcapng section this interface belongs to (0 for pcap). */
  section: number;
  /** The interface's statistics block (pcapng ISB), when present. */
  stats?: { received?: number; dropped?: number; osDropped?: number; delivered?: number };
}

/** A problem met while reading: where (byte offset in the decompressed stream) and what. */
export interface CaptureProblem {
  offset: number;
  /** Frame number (1-based) the problem concerns, when it concerns one. */
  frame?: number;
  message: string;
}

export interface CaptureInfo {
  path: string;
  format: "pcap" | "pcapng";
  /** "gzip" when the file was compressed (the stream offsets are then in the decompressed bytes). */
  compression: "none" | "gzip";
  /** Size of the file on disk. */
  fileSize: number;
  /**
   * SHA-256 (hex) of the file on disk, exactly as stored: evidence provenance. For large files a worker computes it
   * after readCapture returned: reading it waits for the worker (sha256Of in read.ts awaits instead), and throws an
   * Error if the hash failed (file gone, modified, unreadable) or the capture was closed before it finished.
   */
  sha256: string;
  byteOrder: "little" | "big";
  /** pcap: "2.4"; pcapng: the first section's version. */
  version: string;
  /** pcap: microsecond or nanosecond magic. */
  tsPrecision: "micro" | "nano" | "mixed";
  interfaces: InterfaceInfo[];
  /** Section header comments, and user application / OS / hardware strings of each section. */
  sections: { comment?: string[]; hardware?: string; os?: string; application?: string }[];
  /** Packet comments by 0-based frame index (pcapng opt_comment). */
  frameComments: Map<number, string[]>;
  /** Name resolution records (pcapng NRB): address text -> names. */
  names: Map<string, string[]>;
  /** Recoverable oddities (skipped unknown block, caplen > snaplen, …). Reading went on. */
  warnings: CaptureProblem[];
  /** Why reading stopped before the end of the file, if it did (truncated record, corrupt length, …). */
  stopped?: CaptureProblem;
}

/** A capture read from disk: info, index and the bytes behind it. */
export interface CaptureFile {
  info: CaptureInfo;
  index: FrameIndex;
  source: ByteSource;
}
