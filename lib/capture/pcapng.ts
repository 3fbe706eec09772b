// pcapng files: a sequence of blocks (type, total length, body, total length again) in one or more sections, each
// starting with a Section Header Block that fixes the byte order and owns its interfaces.
// https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng ; Wireshark wiretap/pcapng.c

import { CaptureError, hex32, type Problems } from "./errors.js";
import type { FrameIndex } from "./frame-index.js";
import { maxSnaplen } from "./linktypes.js";
import {
  BT_CUSTOM, BT_CUSTOM_NOCOPY, BT_DSB, BT_EPB, BT_IDB, BT_ISB, BT_NRB, BT_PB, BT_SHB, BT_SPB, BYTE_ORDER_MAGIC,
  IDB_OPTIONS, type Iface, ISB_OPTIONS, readIdb, readIsb, readNrb, readShb, SHB_MAJOR, SHB_MINOR, SHB_OPTIONS,
} from "./pcapng-blocks.js";
import { eachOption, OPT_COMMENT, text } from "./pcapng-options.js";
import type { SplitTime } from "./timestamps.js";
import type { CaptureInfo } from "./types.js";
import type { RecordWalker } from "./walk.js";

/** Block header: type, total length; the same length ends the block. */
const BLOCK_HEADER = 8;
const BLOCK_MIN = BLOCK_HEADER + 4;
/** Blocks longer than this are taken as a corrupt length (Wireshark: MAX_BLOCK_SIZE of wiretap/pcapng.c). */
export const MAX_BLOCK = 32 + 128 * 1024 * 1024 + 131072;

// EPB: interface id, timestamp (high, low), captured length, original length, data, options.
const EPB_IFID = 8, EPB_TS_HI = 12, EPB_TS_LO = 16, EPB_CAPLEN = 20, EPB_LEN = 24;
const EPB_DATA = EPB_LEN + 4;
// PB (obsolete): 16-bit interface id, 16-bit drops count, then as EPB.
const PB_IFID = 8;
// SPB: original length, data.
const SPB_LEN = 8;
const SPB_DATA = SPB_LEN + 4;

/** Largest number of interfaces FrameIndex.iface can address. */
const MAX_INTERFACES = 65536;

/** An interface as the packet path uses it. */
interface LiveIface extends Iface {
  /** Index in CaptureInfo.interfaces and FrameIndex.iface. */
  global: number;
  /** Captured lengths above this mean a corrupt block. */
  maxCaplen: number;
}

/** Walks a pcapng stream into `index`, filling `info`. Throws only when the first section header is unusable. */
export class PcapngWalker implements RecordWalker {
  next = 0;
  need = BLOCK_MIN;
  done = false;
  private le = true;
  private sectionStart = -1;
  /** Interfaces of the current section, by local id. */
  private local: LiveIface[] = [];
  /** All interfaces, by global index (= FrameIndex.iface). */
  private readonly ifaces: LiveIface[] = [];
  private readonly ts: SplitTime = { sec: 0, nsec: 0 };

  constructor(private readonly info: CaptureInfo, private readonly index: FrameIndex, private readonly problems: Problems) {
    info.format = "pcapng";
  }

  walk(buf: Uint8Array, dv: DataView, to: number, base: number): void {
    let i = this.next - base;
    while (!this.done) {
      if (to - i < BLOCK_MIN) { this.need = BLOCK_MIN; break; }
      const at = base + i;
      const type = dv.getUint32(i, this.le);
      if (type === BT_SHB && !this.byteOrder(dv, i, at)) break;
      const le = this.le;
      const blen = dv.getUint32(i + 4, le);
      if (blen < BLOCK_MIN || blen % 4 !== 0 || blen > MAX_BLOCK) {
        this.stop(at, `block of type ${hex32(type)} at offset ${at} has a bad total length ${blen}` +
          (blen % 4 !== 0 ? " (not a multiple of 4)" : blen < BLOCK_MIN ? ` (less than ${BLOCK_MIN})` : ` (more than ${MAX_BLOCK})`));
        break;
      }
      if (to - i < blen) { this.need = blen; break; }
      const trailer = dv.getUint32(i + blen - 4, le);
      if (trailer !== blen) {
        this.stop(at, `block of type ${hex32(type)} at offset ${at}: total length ${blen} at its start but ${trailer} at its end (offset ${at + blen - 4})`);
        break;
      }
      if (type === BT_EPB) {
        if (blen < EPB_DATA + 4) { this.tooShort(type, blen, at); break; }
        if (!this.packet(dv, i, blen, at, dv.getUint32(i + EPB_IFID, le), EPB_DATA)) break;
      } else if (!this.otherBlock(type, dv, i, blen, at)) break;
      i += blen;
    }
    this.next = base + i;
  }

  finish(size: number): void {
    if (this.sectionStart < 0) throw new CaptureError(`pcapng section header block cut short: ${size} bytes at offset 0`, 0);
    if (this.next < size) {
      this.problems.stop(this.next, `cut short in the middle of a block: ${size - this.next} bytes at offset ${this.next}` +
        (this.need > BLOCK_MIN ? ` of a ${this.need}-byte block` : "") + ` (after ${this.index.count} packets)`, this.index.count + 1);
    }
  }

  /** EPB and PB: one frame at data offset `dataAt` of the block. */
  private packet(dv: DataView, i: number, blen: number, at: number, ifid: number, dataAt: number): boolean {
    const le = this.le;
    const iface = this.local[ifid];
    const frame = this.index.count + 1;
    if (iface === undefined) {
      return this.stop(at, `packet ${frame} at offset ${at} names interface ${ifid}, but its section has ${this.local.length} interfaces`, frame);
    }
    const caplen = dv.getUint32(i + EPB_CAPLEN, le);
    const room = blen - dataAt - 4;
    if (caplen > room) {
      return this.stop(at, `packet ${frame} at offset ${at}: captured length ${caplen} is larger than its ${blen}-byte block`, frame);
    }
    if (caplen > iface.maxCaplen) {
      return this.stop(at, `packet ${frame} at offset ${at}: captured length ${caplen} is bigger than the maximum of ${iface.maxCaplen}`, frame);
    }
    iface.res.split(dv.getUint32(i + EPB_TS_HI, le), dv.getUint32(i + EPB_TS_LO, le), iface.offsetSec, this.ts);
    this.index.push(at + dataAt, this.ts.sec, this.ts.nsec, caplen, dv.getUint32(i + EPB_LEN, le), iface.global);
    const opts = dataAt + ((caplen + 3) & ~3);
    if (opts < blen - 4) this.packetOptions(dv, i + opts, i + blen - 4, at);
    return true;
  }

  private packetOptions(dv: DataView, start: number, end: number, at: number): void {
    let comments: string[] | undefined;
    const bad = eachOption(dv, start, end, this.le, (code, v, len) => {
      if (code === OPT_COMMENT) (comments ??= []).push(text(dv, v, len));
    });
    const frame = this.index.count;
    if (comments) this.info.frameComments.set(frame - 1, comments);
    if (bad) this.problems.warn(at, `packet ${frame} at offset ${at}: ${bad}`, frame);
  }

  /** Every block but EPB; false when reading must stop. */
  private otherBlock(type: number, dv: DataView, i: number, blen: number, at: number): boolean {
    const le = this.le;
    switch (type) {
      case BT_SHB: return this.section(dv, i, blen, at);
      case BT_IDB: return this.interface(dv, i, blen, at);
      case BT_PB:
        if (blen < EPB_DATA + 4) return this.tooShort(type, blen, at);
        return this.packet(dv, i, blen, at, dv.getUint16(i + PB_IFID, le), EPB_DATA);
      case BT_SPB: return this.simplePacket(dv, i, blen, at);
      case BT_NRB: readNrb(this.info, this.problems, dv, i, blen, le, at); return true;
      case BT_ISB:
        if (blen < ISB_OPTIONS + 4) return this.tooShort(type, blen, at);
        readIsb(this.problems, dv, i, blen, le, at, this.local);
        return true;
      case BT_DSB: return true;
      case BT_CUSTOM: case BT_CUSTOM_NOCOPY:
        // Wireshark 4.0 lists a custom block as a frame of its own; we index packets only, so say so.
        this.problems.warn(at, `skipped custom block (${blen} bytes) at offset ${at}: Wireshark shows it as a frame, ` +
          `so Wireshark's frame numbers after it are one higher than ours`);
        return true;
      default:
        this.problems.warn(at, `skipped block of unknown type ${hex32(type)} (${blen} bytes) at offset ${at}`);
        return true;
    }
  }

  /** Reads the byte-order magic of the SHB at i; false (stopped) when it is neither order. */
  private byteOrder(dv: DataView, i: number, at: number): boolean {
    if (dv.getUint32(i + 8, true) === BYTE_ORDER_MAGIC) this.le = true;
    else if (dv.getUint32(i + 8, false) === BYTE_ORDER_MAGIC) this.le = false;
    else {
      return this.stop(at, `section header block at offset ${at} has an unknown byte-order magic ` +
        `${hex32(dv.getUint32(i + 8, true))} (read little-endian)`);
    }
    return true;
  }

  private section(dv: DataView, i: number, blen: number, at: number): boolean {
    if (blen < SHB_OPTIONS + 4) return this.tooShort(BT_SHB, blen, at);
    const major = dv.getUint16(i + SHB_MAJOR, this.le), minor = dv.getUint16(i + SHB_MINOR, this.le);
    if (major !== 1) {
      return this.stop(at, `section header block at offset ${at} has unknown version ${major}.${minor}`);
    }
    if (this.sectionStart < 0) {
      this.info.version = `${major}.${minor}`;
      this.info.byteOrder = this.le ? "little" : "big";
    }
    this.sectionStart = at;
    this.local = [];
    readShb(this.info, this.problems, dv, i, blen, this.le, at);
    return true;
  }

  private interface(dv: DataView, i: number, blen: number, at: number): boolean {
    if (blen < IDB_OPTIONS + 4) return this.tooShort(BT_IDB, blen, at);
    if (this.ifaces.length === MAX_INTERFACES) return this.stop(at, `more than ${MAX_INTERFACES} interfaces (offset ${at})`);
    const f = readIdb(this.problems, dv, i, blen, this.le, at, this.info.sections.length - 1);
    const iface: LiveIface = { ...f, global: this.ifaces.length, maxCaplen: maxSnaplen(f.info.linktype) };
    this.local.push(iface);
    this.ifaces.push(iface);
    this.info.interfaces.push(f.info);
    // "micro" or "nano" while every interface so far agrees (no interface at all: pcapng's default, micro).
    const p = f.res.unitsPerSec === 1e6 ? "micro" : f.res.unitsPerSec === 1e9 ? "nano" : "mixed";
    this.info.tsPrecision = this.ifaces.length === 1 || p === this.info.tsPrecision ? p : "mixed";
    return true;
  }

  /** SPB: interface 0 of the section, no timestamp; captured length = original length cut to the snap length. */
  private simplePacket(dv: DataView, i: number, blen: number, at: number): boolean {
    const frame = this.index.count + 1;
    if (blen < SPB_DATA + 4) return this.tooShort(BT_SPB, blen, at);
    const iface = this.local[0];
    if (iface === undefined) return this.stop(at, `simple packet block at offset ${at} before any interface description block`, frame);
    const len = dv.getUint32(i + SPB_LEN, this.le);
    const snap = iface.info.snaplen === 0 ? Infinity : iface.info.snaplen;
    const caplen = Math.min(len, snap, blen - SPB_DATA - 4);
    if (caplen > iface.maxCaplen) {
      return this.stop(at, `packet ${frame} at offset ${at}: captured length ${caplen} is bigger than the maximum of ${iface.maxCaplen}`, frame);
    }
    this.index.push(at + SPB_DATA, 0, 0, caplen, len, iface.global);
    return true;
  }

  private tooShort(type: number, blen: number, at: number): boolean {
    return this.stop(at, `block of type ${hex32(type)} at offset ${at} is too short (${blen} bytes)`);
  }

  private stop(at: number, message: string, frame?: number): false {
    // Nothing is readable without a first section header: that is no capture we can open.
    if (this.sectionStart < 0) throw new CaptureError(message, at);
    this.problems.stop(at, message, frame);
    this.done = true;
    this.next = at;
    return false;
  }
}
