// Classic libpcap files: a 24-byte file header, then records of a 16-byte header and the captured bytes.
// https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html ; Wireshark wiretap/libpcap.c

import { CaptureError, type Problems } from "./errors.js";
import type { FrameIndex } from "./frame-index.js";
import { maxSnaplen } from "./linktypes.js";
import type { CaptureInfo, InterfaceInfo } from "./types.js";
import type { RecordWalker } from "./walk.js";

export const PCAP_MAGIC_MICRO = 0xa1b2c3d4;
export const PCAP_MAGIC_NANO = 0xa1b23c4d;
/** Alexey Kuznetzov's patched libpcap: 24-byte record headers. Recognised so the error can name it; not read. */
export const PCAP_MAGIC_MODIFIED = 0xa1b2cd34;

// File header (draft-ietf-opsawg-pcap section 4).
// magic at 0
const F_MAJOR = 4;
const F_MINOR = 6;
const F_SNAPLEN = 16;
const F_LINKTYPE = 20;
const FILE_HEADER = F_LINKTYPE + 4;

// Record header (section 5).
const R_TS_SEC = 0;
const R_TS_FRAC = 4;
const R_CAPLEN = 8;
const R_LEN = 12;
const RECORD_HEADER = R_LEN + 4;

/** What a pcap file header says, before any record is read. */
export interface PcapHeader {
  littleEndian: boolean;
  nano: boolean;
}

/** Classifies the first four bytes (as read big-endian); null when they are no pcap magic. */
export function pcapMagic(magicBE: number): PcapHeader | null {
  const swapped = ((magicBE & 0xff) << 24 | (magicBE & 0xff00) << 8 | (magicBE >>> 8) & 0xff00 | magicBE >>> 24) >>> 0;
  for (const [m, littleEndian] of [[magicBE, false], [swapped, true]] as const) {
    if (m === PCAP_MAGIC_MICRO) return { littleEndian, nano: false };
    if (m === PCAP_MAGIC_NANO) return { littleEndian, nano: true };
  }
  return null;
}

/** Walks a classic pcap stream into `index`; the file header is the first record. Never throws after the header. */
export class PcapWalker implements RecordWalker {
  next = 0;
  need = FILE_HEADER;
  done = false;
  private headerRead = false;
  private maxCaplen = 0;
  private snaplen = 0;
  /** Captured lengths above this take the slow path (snap length, or the maximum when it is 0). */
  private fastCaplen = 0;
  private readonly le: boolean;
  private readonly fracToNs: number;
  private readonly fracPerSec: number;

  constructor(private readonly info: CaptureInfo, private readonly index: FrameIndex, private readonly size: number,
    private readonly problems: Problems, header: PcapHeader) {
    this.le = header.littleEndian;
    this.fracToNs = header.nano ? 1 : 1000;
    this.fracPerSec = header.nano ? 1e9 : 1e6;
    info.format = "pcap";
    info.byteOrder = header.littleEndian ? "little" : "big";
    info.tsPrecision = header.nano ? "nano" : "micro";
  }

  walk(buf: Uint8Array, dv: DataView, to: number, base: number): void {
    let i = this.next - base;
    if (!this.headerRead) {
      if (to - i < FILE_HEADER) return;
      this.readFileHeader(dv, i);
      i += FILE_HEADER;
      this.next = base + i;
    }
    // The loop is specialised on the byte order so the DataView reads compile without a per-read branch.
    this.next = base + (this.le ? this.records(dv, i, to, base, true) : this.records(dv, i, to, base, false));
  }

  /**
   * Indexes the whole records in dv[i, to); returns where the first one not walked starts. The hot path writes the
   * index's arrays directly (held in locals, reloaded only after a slow record or a grow); iface stays 0 as allocated.
   * No per-record capacity check: a record takes at least RECORD_HEADER bytes, so the records starting before
   * i + room * RECORD_HEADER fit in the room left. The arrays grow only when they are full.
   */
  private records(dv: DataView, i: number, to: number, base: number, le: boolean): number {
    const index = this.index, size = this.size, fastCaplen = this.fastCaplen;
    const fracToNs = this.fracToNs, fracPerSec = this.fracPerSec;
    let n = index.count;
    let offset = index.offset, tsSec = index.tsSec, tsNsec = index.tsNsec, caplens = index.caplen, lens = index.len;
    while (to - i >= RECORD_HEADER) {
      if (n === offset.length) {
        index.reserve(n + 1);
        offset = index.offset; tsSec = index.tsSec; tsNsec = index.tsNsec; caplens = index.caplen; lens = index.len;
      }
      const stop = Math.min(to, i + (offset.length - n) * RECORD_HEADER);
      while (stop - i >= RECORD_HEADER) {
        const caplen = dv.getUint32(i + R_CAPLEN, le);
        const frac = dv.getUint32(i + R_TS_FRAC, le);
        const len = dv.getUint32(i + R_LEN, le);
        const data = base + i + RECORD_HEADER;
        if (caplen > fastCaplen || data + caplen > size || frac >= fracPerSec || caplen > len) {
          index.count = n;
          const ok = this.oddRecord(data - RECORD_HEADER, dv.getUint32(i + R_TS_SEC, le), frac, caplen, len);
          if (!ok) return i;
          n = index.count;
          offset = index.offset; tsSec = index.tsSec; tsNsec = index.tsNsec; caplens = index.caplen; lens = index.len;
        } else {
          offset[n] = data;
          tsSec[n] = dv.getUint32(i + R_TS_SEC, le);
          tsNsec[n] = frac * fracToNs;
          caplens[n] = caplen;
          lens[n] = len;
          n++;
        }
        i += RECORD_HEADER + caplen;
      }
      index.count = n;
    }
    return i;
  }

  finish(size: number): void {
    if (!this.headerRead) {
      throw new CaptureError(`pcap file header cut short: ${size} of ${FILE_HEADER} bytes at offset 0`, 0);
    }
    if (this.next < size) {
      this.problems.stop(this.next, `cut short in the middle of a packet record header: ${size - this.next} of ` +
        `${RECORD_HEADER} bytes at offset ${this.next} (after ${this.index.count} packets)`, this.index.count + 1);
    }
  }

  private readFileHeader(dv: DataView, i: number): void {
    const le = this.le;
    const major = dv.getUint16(i + F_MAJOR, le), minor = dv.getUint16(i + F_MINOR, le);
    this.snaplen = dv.getUint32(i + F_SNAPLEN, le);
    // The upper bits carry FCS information (draft section 4, LinkType and additional information).
    const linktype = dv.getUint32(i + F_LINKTYPE, le) & 0xffff;
    this.maxCaplen = maxSnaplen(linktype);
    this.fastCaplen = Math.min(this.maxCaplen, this.snaplen || this.maxCaplen);
    this.info.version = `${major}.${minor}`;
    const iface: InterfaceInfo = {
      linktype, snaplen: this.snaplen, tsUnitsPerSec: this.fracPerSec, tsOffset: 0, section: 0,
    };
    this.info.interfaces.push(iface);
    this.headerRead = true;
    this.need = RECORD_HEADER;
    if (major !== 2) this.problems.warn(i + F_MAJOR, `pcap version ${major}.${minor} (expected 2.4)`);
  }

  /** The slow path of one record: stops (false) or warns and indexes it (true). */
  private oddRecord(at: number, sec: number, frac: number, caplen: number, len: number): boolean {
    const frame = this.index.count + 1;
    const data = at + RECORD_HEADER;
    if (caplen > this.maxCaplen) {
      // Wireshark's wording (wiretap/libpcap.c): the file is damaged, nothing after this record can be trusted.
      this.stop(at, `damaged record: packet ${frame} claims a ${caplen}-byte packet, bigger than the maximum of ` +
        `${this.maxCaplen} (record header at offset ${at})`, frame);
      return false;
    }
    if (data + caplen > this.size) {
      this.stop(at, `cut short in the middle of a packet: packet ${frame} at offset ${at} needs ` +
        `${RECORD_HEADER + caplen} bytes, only ${this.size - at} left`, frame);
      return false;
    }
    let ns = frac * this.fracToNs;
    if (frac >= this.fracPerSec) {
      this.problems.warn(at + R_TS_FRAC, `packet ${frame}: fraction of a second ${frac} is not below ${this.fracPerSec}`, frame);
      sec += Math.floor(ns / 1e9);
      ns %= 1e9;
    }
    if (caplen > len) this.problems.warn(at + R_CAPLEN, `packet ${frame}: captured length ${caplen} exceeds original length ${len}`, frame);
    if (caplen > this.snaplen && this.snaplen !== 0) {
      this.problems.warn(at + R_CAPLEN, `packet ${frame}: captured length ${caplen} exceeds the snap length ${this.snaplen}`, frame);
    }
    this.index.push(data, sec, ns, caplen, len, 0);
    return true;
  }

  private stop(at: number, message: string, frame: number): void {
    this.problems.stop(at, message, frame);
    this.done = true;
    this.next = at;
  }
}
