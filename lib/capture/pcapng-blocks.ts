// The pcapng blocks that describe rather than carry packets: SHB options, IDB, NRB, ISB (pcapng spec section 4).
// Each reads one whole block, already bounds- and length-checked by the walker, into CaptureInfo.

import type { Problems } from "./errors.js";
import { euiText, eachOption, ipv4Text, ipv6Text, names, OPT_COMMENT, text } from "./pcapng-options.js";
import { int64, TsResolution, uint64 } from "./timestamps.js";
import type { CaptureInfo, InterfaceInfo } from "./types.js";

/** Block types (spec section 11.1). */
export const BT_IDB = 0x00000001;
export const BT_PB = 0x00000002;
export const BT_SPB = 0x00000003;
export const BT_NRB = 0x00000004;
export const BT_ISB = 0x00000005;
export const BT_EPB = 0x00000006;
export const BT_DSB = 0x0000000a;
export const BT_SHB = 0x0a0d0d0a;
export const BT_CUSTOM = 0x00000bad;
export const BT_CUSTOM_NOCOPY = 0x40000bad;

/** Byte-order magic of the SHB. */
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

// SHB body after type and length: byte-order magic, version, section length, options.
export const SHB_MAJOR = 12;
export const SHB_MINOR = 14;
export const SHB_OPTIONS = 24;
const SHB_HARDWARE = 2, SHB_OS = 3, SHB_USERAPPL = 4;

// IDB: link type, reserved, snap length, options.
const IDB_LINKTYPE = 8;
const IDB_SNAPLEN = 12;
export const IDB_OPTIONS = 16;
const IF_NAME = 2, IF_DESCRIPTION = 3, IF_TSRESOL = 9, IF_TSOFFSET = 14;

// ISB: interface id, timestamp, options.
const ISB_IFID = 8;
export const ISB_OPTIONS = 20;
const ISB_IFRECV = 4, ISB_IFDROP = 5, ISB_OSDROP = 7, ISB_USRDELIV = 8;

// NRB records.
const NRB_RECORDS = 8;
const NRES_ENDOFRECORD = 0, NRES_IP4 = 1, NRES_IP6 = 2, NRES_EUI48 = 3, NRES_EUI64 = 4;

/** An interface with what the packet path needs precomputed. */
export interface Iface {
  info: InterfaceInfo;
  res: TsResolution;
  offsetSec: number;
}

/** Reads the SHB options of the block at i (length blen) into a new entry of info.sections. */
export function readShb(info: CaptureInfo, problems: Problems, dv: DataView, i: number, blen: number, le: boolean, at: number): void {
  const section: CaptureInfo["sections"][number] = {};
  const bad = eachOption(dv, i + SHB_OPTIONS, i + blen - 4, le, (code, v, len) => {
    if (code === OPT_COMMENT) (section.comment ??= []).push(text(dv, v, len));
    else if (code === SHB_HARDWARE) section.hardware = text(dv, v, len);
    else if (code === SHB_OS) section.os = text(dv, v, len);
    else if (code === SHB_USERAPPL) section.application = text(dv, v, len);
  });
  if (bad) problems.warn(at, `section header block at offset ${at}: ${bad}`);
  info.sections.push(section);
}

/** Reads an IDB into a new interface of `section`. */
export function readIdb(problems: Problems, dv: DataView, i: number, blen: number, le: boolean, at: number, section: number): Iface {
  const info: InterfaceInfo = {
    linktype: dv.getUint16(i + IDB_LINKTYPE, le), snaplen: dv.getUint32(i + IDB_SNAPLEN, le),
    tsUnitsPerSec: 1e6, tsOffset: 0, section,
  };
  let res = new TsResolution(6);
  let offsetSec = 0;
  const bad = eachOption(dv, i + IDB_OPTIONS, i + blen - 4, le, (code, v, len) => {
    if (code === IF_NAME) info.name = text(dv, v, len);
    else if (code === IF_DESCRIPTION) info.description = text(dv, v, len);
    else if (code === IF_TSRESOL && len >= 1) res = new TsResolution(dv.getUint8(v));
    else if (code === IF_TSOFFSET && len >= 8) {
      offsetSec = le ? int64(dv.getUint32(v + 4, true), dv.getUint32(v, true)) : int64(dv.getUint32(v, false), dv.getUint32(v + 4, false));
    }
  });
  if (bad) problems.warn(at, `interface description block at offset ${at}: ${bad}`);
  info.tsUnitsPerSec = res.unitsPerSec;
  info.tsOffset = offsetSec;
  return { info, res, offsetSec };
}

/** Reads the interface statistics of an ISB into the interface it names (in the current section). */
export function readIsb(problems: Problems, dv: DataView, i: number, blen: number, le: boolean, at: number, local: Iface[]): void {
  const ifid = dv.getUint32(i + ISB_IFID, le);
  const iface = local[ifid];
  if (!iface) {
    problems.warn(at, `interface statistics block at offset ${at} names interface ${ifid}, but the section has ${local.length}`);
    return;
  }
  const stats: NonNullable<InterfaceInfo["stats"]> = {};
  const u64 = (v: number) => le ? uint64(dv.getUint32(v + 4, true), dv.getUint32(v, true)) : uint64(dv.getUint32(v, false), dv.getUint32(v + 4, false));
  const bad = eachOption(dv, i + ISB_OPTIONS, i + blen - 4, le, (code, v, len) => {
    if (len < 8) return;
    if (code === ISB_IFRECV) stats.received = u64(v);
    else if (code === ISB_IFDROP) stats.dropped = u64(v);
    else if (code === ISB_OSDROP) stats.osDropped = u64(v);
    else if (code === ISB_USRDELIV) stats.delivered = u64(v);
  });
  if (bad) problems.warn(at, `interface statistics block at offset ${at}: ${bad}`);
  iface.info.stats = stats;
}

/** Reads the name resolution records of an NRB into info.names (address text -> names). */
export function readNrb(info: CaptureInfo, problems: Problems, dv: DataView, i: number, blen: number, le: boolean, at: number): void {
  const end = i + blen - 4;
  let r = i + NRB_RECORDS;
  while (end - r >= 4) {
    const type = dv.getUint16(r, le);
    const len = dv.getUint16(r + 2, le);
    if (type === NRES_ENDOFRECORD) return;
    if (len > end - r - 4) {
      problems.warn(base(at, i, r), `name resolution record of length ${len} at offset ${base(at, i, r)} runs past the end of its block`);
      return;
    }
    const v = r + 4;
    const addrLen = type === NRES_IP4 ? 4 : type === NRES_IP6 ? 16 : type === NRES_EUI48 ? 6 : type === NRES_EUI64 ? 8 : -1;
    if (addrLen < 0) problems.warn(base(at, i, r), `unknown name resolution record type ${type} at offset ${base(at, i, r)} skipped`);
    else if (len < addrLen) problems.warn(base(at, i, r), `name resolution record at offset ${base(at, i, r)} too short for its address`);
    else {
      const addr = type === NRES_IP4 ? ipv4Text(dv, v) : type === NRES_IP6 ? ipv6Text(dv, v) : euiText(dv, v, addrLen);
      const list = info.names.get(addr) ?? [];
      list.push(...names(dv, v + addrLen, len - addrLen));
      info.names.set(addr, list);
    }
    r = v + ((len + 3) & ~3);
  }
}

/** Stream offset of buffer index r, given that buffer index i is at stream offset at. */
function base(at: number, i: number, r: number): number {
  return at + (r - i);
}
