// The dns.qry.*, dns.resp.* and RDATA fields: one MultiGetter each, walking the message with the shared cursor
// (dns-rr.ts) and emitting one value per question or record that has the field, in message order, as tshark's
// tree does. RDATA layouts: RFC 1035 section 3.3 (CNAME, MX, NS, PTR, SOA, TXT) and 3.4.1 (A), RFC 3596 (AAAA),
// RFC 2782 (SRV), RFC 6891 section 6.1 (OPT: the class is the UDP payload size, the TTL the extended RCODE,
// version and flags, the RDATA a list of options).

import { copy, u16, u32 } from "./bytes.js";
import type { Emit, FieldDef, MultiGetter } from "./field.js";
import { nameEnd, nameInfo, readName, ROOT_TEXT } from "./dns-names.js";
import { cursor, msgStart, SEC_QUESTION, type RecordCursor } from "./dns-rr.js";
import {
  DNS_CLASSES, DNS_TYPES, EDNS0_OPTIONS, T_A, T_AAAA, T_CNAME, T_DNAME, T_MX, T_NS, T_OPT, T_PTR, T_SOA, T_SRV, T_TXT,
} from "./dns-values.js";

type Pred = (c: RecordCursor) => boolean;
type Visit = (b: Uint8Array, c: RecordCursor, emit: Emit) => void;

/** A MultiGetter visiting every question or record `pred` accepts. */
function each(pred: Pred, visit: Visit): MultiGetter {
  return (b, o, e, _r, a, emit) => {
    const c = cursor;
    if (!c.begin(b, msgStart(o, a), e)) return;
    while (c.step(b)) if (pred(c)) visit(b, c, emit);
  };
}

const question: Pred = (c) => c.section === SEC_QUESTION;
const record: Pred = (c) => c.section !== SEC_QUESTION;
const notOpt: Pred = (c) => c.section !== SEC_QUESTION && c.type !== T_OPT;
const opt: Pred = (c) => c.section !== SEC_QUESTION && c.type === T_OPT;
const ofType = (t: number): Pred => (c) => c.section !== SEC_QUESTION && c.type === t;

/** Emits the name at b[p] when it decodes. */
function emitName(b: Uint8Array, c: RecordCursor, p: number, emit: Emit): void {
  const s = readName(b, c.m, p, c.end);
  if (s !== undefined) emit(s);
}
/** Emits a u16/u32 at RDATA offset `at` when captured. */
const rd16 = (at: number): Visit => (b, c, emit) => { if (c.rd + at + 2 <= c.end) emit(u16(b, c.rd + at)); };
const rdName = (at: number): Visit => (b, c, emit) => emitName(b, c, c.rd + at, emit);

/** Character-strings (RFC 1035 section 3.3): tshark reads them as ASCII, other bytes become U+FFFD. */
function ascii(b: Uint8Array, p: number, n: number): string {
  let s = "";
  for (let i = p; i < p + n; i++) s += b[i] < 0x80 ? String.fromCharCode(b[i]) : "\ufffd";
  return s;
}

/** Visits the SOA's five 32-bit numbers after its two names; k is 0..4. */
function soaNumber(k: number): Visit {
  return (b, c, emit) => {
    const n1 = nameEnd(b, c.rd, c.end);
    const n2 = n1 < 0 ? -1 : nameEnd(b, n1, c.end);
    if (n2 >= 0 && n2 + 4 * k + 4 <= c.end) emit(u32(b, n2 + 4 * k));
  };
}

/** Visits each EDNS(0) option of an OPT record: (code offset, length, data offset). */
function eachOption(part: 0 | 1 | 2): Visit {
  return (b, c, emit) => {
    const stop = Math.min(c.rd + c.rdlen, c.end);
    for (let p = c.rd; p + 4 <= stop;) {
      const len = u16(b, p + 2);
      if (part === 0) emit(u16(b, p));
      else if (part === 1) emit(len);
      else if (p + 4 + len <= stop && len > 0) emit(copy(b, p + 4, len));
      p += 4 + len;
    }
  };
}

/** Visits each character-string of a TXT record: its length (0) or its text (1). */
function eachTxt(part: 0 | 1): Visit {
  return (b, c, emit) => {
    const stop = Math.min(c.rd + c.rdlen, c.end);
    for (let p = c.rd; p < stop;) {
      const len = b[p];
      if (part === 0) emit(len);
      else if (p + 1 + len <= c.end) emit(ascii(b, p + 1, len));
      p += 1 + len;
    }
  };
}

const SOA = [
  ["serial_number", "Serial Number", "Version number of the zone"],
  ["refresh_interval", "Refresh Interval", "Seconds before a secondary refreshes"],
  ["retry_interval", "Retry Interval", "Seconds before a failed refresh is retried"],
  ["expire_limit", "Expire limit", "Seconds after which an unrefreshed zone is no longer authoritative"],
  ["minimum_ttl", "Minimum TTL", "TTL of negative answers (RFC 2308)"],
] as const;

/** Every dns.qry.*, dns.resp.* and RDATA field. */
export const RR_FIELDS: readonly FieldDef[] = [
  // Questions.
  { abbrev: "dns.qry.name", name: "Name", type: "string", description: "Name asked about (decompressed)", each: each(question, (b, c, emit) => emitName(b, c, c.name, emit)) },
  {
    abbrev: "dns.qry.name.len", name: "Name Length", type: "uint16", description: "Characters in the question's name (0 for the root)",
    each: each(question, (b, c, emit) => { const s = readName(b, c.m, c.name, c.end); if (s !== undefined) emit(s === ROOT_TEXT ? 0 : s.length); }),
  },
  {
    abbrev: "dns.count.labels", name: "Label Count", type: "uint16", description: "Labels in the question's name",
    each: each(question, (b, c, emit) => { if (readName(b, c.m, c.name, c.end) !== undefined) emit(nameInfo.labels); }),
  },
  { abbrev: "dns.qry.type", name: "Type", type: "uint16", values: DNS_TYPES, description: "Record type asked for", each: each(question, (_b, c, emit) => emit(c.type)) },
  { abbrev: "dns.qry.class", name: "Class", type: "uint16", base: "hex", values: DNS_CLASSES, description: "Class asked for (0x0001 IN)", each: each(question, (_b, c, emit) => emit(c.cls)) },
  // Resource records (answer, authority, additional).
  { abbrev: "dns.resp.name", name: "Name", type: "string", description: "Owner name of a record (decompressed)", each: each(record, (b, c, emit) => emitName(b, c, c.name, emit)) },
  { abbrev: "dns.resp.type", name: "Type", type: "uint16", values: DNS_TYPES, description: "Record type", each: each(record, (_b, c, emit) => emit(c.type)) },
  { abbrev: "dns.resp.class", name: "Class", type: "uint16", base: "hex", values: DNS_CLASSES, description: "Record class (not for OPT)", each: each(notOpt, (_b, c, emit) => emit(c.cls)) },
  { abbrev: "dns.resp.ttl", name: "Time to live", type: "uint32", description: "Seconds the record may be cached (not for OPT)", each: each(notOpt, (_b, c, emit) => emit(c.ttl)) },
  { abbrev: "dns.resp.len", name: "Data length", type: "uint16", description: "RDLENGTH: bytes of record data", each: each(record, (_b, c, emit) => emit(c.rdlen)) },
  // RDATA.
  { abbrev: "dns.a", name: "Address", type: "ipv4", description: "IPv4 address of an A record", each: each(ofType(T_A), (b, c, emit) => { if (c.rd + 4 <= c.end) emit(u32(b, c.rd)); }) },
  { abbrev: "dns.aaaa", name: "AAAA Address", type: "ipv6", description: "IPv6 address of an AAAA record", each: each(ofType(T_AAAA), (b, c, emit) => { if (c.rd + 16 <= c.end) emit(copy(b, c.rd, 16)); }) },
  { abbrev: "dns.cname", name: "CNAME", type: "string", description: "Canonical name of an alias", each: each(ofType(T_CNAME), rdName(0)) },
  { abbrev: "dns.ns", name: "Name Server", type: "string", description: "Authoritative name server of an NS record", each: each(ofType(T_NS), rdName(0)) },
  { abbrev: "dns.ptr.domain_name", name: "Domain Name", type: "string", description: "Name a PTR record points to (reverse lookups)", each: each(ofType(T_PTR), rdName(0)) },
  { abbrev: "dns.dname", name: "Dname", type: "string", description: "Target of a DNAME record", each: each(ofType(T_DNAME), rdName(0)) },
  { abbrev: "dns.mx.preference", name: "Preference", type: "uint16", description: "MX preference (lower first)", each: each(ofType(T_MX), rd16(0)) },
  { abbrev: "dns.mx.mail_exchange", name: "Mail Exchange", type: "string", description: "Mail server of an MX record", each: each(ofType(T_MX), rdName(2)) },
  { abbrev: "dns.txt.length", name: "TXT Length", type: "uint8", description: "Length of each TXT character-string", each: each(ofType(T_TXT), eachTxt(0)) },
  { abbrev: "dns.txt", name: "TXT", type: "string", description: "Each TXT character-string", each: each(ofType(T_TXT), eachTxt(1)) },
  { abbrev: "dns.soa.mname", name: "Primary name server", type: "string", description: "SOA MNAME", each: each(ofType(T_SOA), rdName(0)) },
  {
    abbrev: "dns.soa.rname", name: "Responsible authority's mailbox", type: "string", description: "SOA RNAME (mailbox with the @ as a dot)",
    each: each(ofType(T_SOA), (b, c, emit) => { const p = nameEnd(b, c.rd, c.end); if (p >= 0) emitName(b, c, p, emit); }),
  },
  ...SOA.map(([k, name, description], i): FieldDef => ({ abbrev: `dns.soa.${k}`, name, type: "uint32", description, each: each(ofType(T_SOA), soaNumber(i)) })),
  { abbrev: "dns.srv.priority", name: "Priority", type: "uint16", description: "SRV priority (lower first)", each: each(ofType(T_SRV), rd16(0)) },
  { abbrev: "dns.srv.weight", name: "Weight", type: "uint16", description: "SRV weight among equal priorities", each: each(ofType(T_SRV), rd16(2)) },
  { abbrev: "dns.srv.port", name: "Port", type: "uint16", description: "SRV service port", each: each(ofType(T_SRV), rd16(4)) },
  { abbrev: "dns.srv.target", name: "Target", type: "string", description: "SRV target host", each: each(ofType(T_SRV), rdName(6)) },
  // OPT pseudo-record (EDNS(0)).
  { abbrev: "dns.rr.udp_payload_size", name: "UDP payload size", type: "uint16", base: "hex", mask: 0x7fff, description: "OPT: largest UDP payload the sender accepts", each: each(opt, (_b, c, emit) => emit(c.cls & 0x7fff)) },
  { abbrev: "dns.resp.ext_rcode", name: "Higher bits in extended RCODE", type: "uint8", base: "hex", description: "OPT: upper 8 bits of the 12-bit RCODE", each: each(opt, (_b, c, emit) => emit(c.ttl >>> 24)) },
  { abbrev: "dns.resp.edns0_version", name: "EDNS0 version", type: "uint8", description: "OPT: EDNS version (0)", each: each(opt, (_b, c, emit) => emit((c.ttl >>> 16) & 0xff)) },
  { abbrev: "dns.resp.z", name: "Z", type: "uint16", base: "hex", description: "OPT: the 16 flag bits", each: each(opt, (_b, c, emit) => emit(c.ttl & 0xffff)) },
  { abbrev: "dns.resp.z.do", name: "DO bit", type: "bool", mask: 0x8000, description: "OPT: DNSSEC answer OK", each: each(opt, (_b, c, emit) => emit(c.ttl & 0x8000 ? 1 : 0)) },
  { abbrev: "dns.resp.z.reserved", name: "Reserved", type: "uint16", base: "hex", mask: 0x7fff, description: "OPT: reserved flag bits", each: each(opt, (_b, c, emit) => emit(c.ttl & 0x7fff)) },
  { abbrev: "dns.opt.code", name: "Option Code", type: "uint16", values: EDNS0_OPTIONS, description: "EDNS(0) option code", each: each(opt, eachOption(0)) },
  { abbrev: "dns.opt.len", name: "Option Length", type: "uint16", description: "EDNS(0) option length", each: each(opt, eachOption(1)) },
  { abbrev: "dns.opt.data", name: "Option Data", type: "bytes", description: "EDNS(0) option data", each: each(opt, eachOption(2)) },
];
