// Domain Name System over UDP and TCP port 53.
// RFC 1035 section 4 (message format), section 4.2.2 (TCP: a 2-byte length in front of each message);
// RFC 3596 (AAAA), RFC 2782 (SRV), RFC 6891 (EDNS(0) OPT), RFC 4035 section 3.2 (AD, CD bits);
// Wireshark 4.0 epan/dissectors/packet-dns.c (dissect_dns_common, add_rr_to_tree, dissect_dns_answer).
// The header and each record are read on demand by getters walking the message (dns-rr.ts); names are
// decompressed with Wireshark's loop rule (dns-names.ts). Request/response pairing is computed after the pass
// (dns-state.ts), from the conversation id this dissector keeps in the layer's aux.
// A StreamDissector on TCP: tcp-reassembly.ts hands over one length-prefixed message at a time.

import { u16 } from "./bytes.js";
import type { DissectContext } from "./dissector.js";
import { protocolField, type FieldDef } from "./field.js";
import { checkName, NAME_OK } from "./dns-names.js";
import { AUX_TCP, cursor, DNS_HEADER_LEN, FLAGS, ID, msgStart, QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT, TCP_PREFIX } from "./dns-rr.js";
import { RR_FIELDS } from "./dns-rr-fields.js";
import { dnsAux, PAIR_FIELDS } from "./dns-state.js";
import { DNS_OPCODES, DNS_RCODES, OPCODE_UPDATE } from "./dns-values.js";
import { hasAddresses, inError, net, segmentPorts } from "./pinfo.js";
import { current, type StreamDissector } from "./tcp-reassembly.js";


// Flag bits of the second header word (RFC 1035 section 4.1.1, RFC 4035 section 3.2).
const F_RESPONSE = 0x8000, F_OPCODE = 0x7800, F_AUTHORITATIVE = 0x0400, F_TRUNCATED = 0x0200, F_RECDESIRED = 0x0100;
const F_RECAVAIL = 0x0080, F_Z = 0x0040, F_AUTHENTIC = 0x0020, F_CHECKDISABLE = 0x0010, F_RCODE = 0x000f;

/** The 16-bit word at message offset `at`, when captured. */
const word = (b: Uint8Array, o: number, e: number, a: number, at: number): number | undefined => {
  const m = msgStart(o, a);
  return m + at + 2 <= e ? u16(b, m + at) : undefined;
};
const flagsOf = (b: Uint8Array, o: number, e: number, a: number) => word(b, o, e, a, FLAGS);
const isUpdate = (f: number) => (f & F_OPCODE) >> 11 === OPCODE_UPDATE;

/** A flag bit shown always, or only in responses (packet-dns.c adds AA, RA, RCODE only to responses). */
function flag(abbrev: string, name: string, mask: number, description: string, when: "always" | "response" | "response-or-set" = "always"): FieldDef {
  return {
    abbrev, name, type: "bool", mask, description,
    get: (b, o, e, _r, a) => {
      const f = flagsOf(b, o, e, a);
      if (f === undefined) return undefined;
      if (when === "response" && !(f & F_RESPONSE)) return undefined;
      if (when === "response-or-set" && !(f & (F_RESPONSE | mask))) return undefined;
      return f & mask ? 1 : 0;
    },
  };
}

/** A section count, under its plain name or (opcode UPDATE, RFC 2136 section 2.2) its update name. */
function count(abbrev: string, name: string, at: number, update: boolean | null, description: string): FieldDef {
  return {
    abbrev, name, type: "uint16", description,
    get: (b, o, e, _r, a) => {
      const f = flagsOf(b, o, e, a), v = word(b, o, e, a, at);
      if (f === undefined || v === undefined || (update !== null && isUpdate(f) !== update)) return undefined;
      return v;
    },
  };
}

export const FIELDS: readonly FieldDef[] = [
  protocolField("dns", "Domain Name System", "DNS message"),
  {
    abbrev: "dns.length", name: "Length", type: "uint16", description: "Length of the message that follows (DNS over TCP only)",
    get: (b, o, e, _r, a) => (a & AUX_TCP && o + TCP_PREFIX <= e ? u16(b, o) : undefined),
  },
  { abbrev: "dns.id", name: "Transaction ID", type: "uint16", base: "hex", description: "Pairs a response with its query", get: (b, o, e, _r, a) => word(b, o, e, a, ID) },
  { abbrev: "dns.flags", name: "Flags", type: "uint16", base: "hex", description: "The whole flags word", get: (b, o, e, _r, a) => flagsOf(b, o, e, a) },
  flag("dns.flags.response", "Response", F_RESPONSE, "1 for a response, 0 for a query"),
  {
    abbrev: "dns.flags.opcode", name: "Opcode", type: "uint16", mask: F_OPCODE, values: DNS_OPCODES, description: "Kind of query (0 standard)",
    get: (b, o, e, _r, a) => { const f = flagsOf(b, o, e, a); return f === undefined ? undefined : (f & F_OPCODE) >> 11; },
  },
  flag("dns.flags.authoritative", "Authoritative", F_AUTHORITATIVE, "Server is an authority for the domain (responses only)", "response"),
  flag("dns.flags.truncated", "Truncated", F_TRUNCATED, "Message was truncated to fit the transport"),
  flag("dns.flags.recdesired", "Recursion desired", F_RECDESIRED, "Query asks for recursion"),
  flag("dns.flags.recavail", "Recursion available", F_RECAVAIL, "Server can do recursive queries (responses only)", "response"),
  flag("dns.flags.z", "Z", F_Z, "Reserved bit (must be zero)"),
  flag("dns.flags.authenticated", "Answer authenticated", F_AUTHENTIC, "AD bit (responses, or queries that set it)", "response-or-set"),
  flag("dns.flags.checkdisable", "Non-authenticated data", F_CHECKDISABLE, "CD bit: checking disabled"),
  {
    abbrev: "dns.flags.rcode", name: "Reply code", type: "uint16", mask: F_RCODE, values: DNS_RCODES, description: "Response code (responses only; 3 is NXDOMAIN)",
    get: (b, o, e, _r, a) => { const f = flagsOf(b, o, e, a); return f === undefined || !(f & F_RESPONSE) ? undefined : f & F_RCODE; },
  },
  count("dns.count.queries", "Questions", QDCOUNT, false, "Entries in the question section"),
  count("dns.count.zones", "Zones", QDCOUNT, true, "Entries in the zone section (UPDATE)"),
  count("dns.count.answers", "Answer RRs", ANCOUNT, false, "Records in the answer section"),
  count("dns.count.prerequisites", "Prerequisites", ANCOUNT, true, "Records in the prerequisite section (UPDATE)"),
  count("dns.count.auth_rr", "Authority RRs", NSCOUNT, false, "Records in the authority section"),
  count("dns.count.updates", "Updates", NSCOUNT, true, "Records in the update section (UPDATE)"),
  count("dns.count.add_rr", "Additional RRs", ARCOUNT, null, "Records in the additional section"),
  ...RR_FIELDS,
  ...PAIR_FIELDS,
];

/** Length of the TCP PDU at b[o]: the 2-byte prefix plus the message it announces; -1 until 2 bytes are there. */
function pduLength(b: Uint8Array, o: number, end: number): number {
  return end - o < TCP_PREFIX ? -1 : TCP_PREFIX + u16(b, o);
}

/** The DNS dissector (UDP datagrams and, as a StreamDissector, TCP length-prefixed messages). */
export const dns: StreamDissector = {
  proto: "dns",
  name: "Domain Name System",
  fields: FIELDS,
  pduLength,
  reset() { dnsAux.reset(); },
  dissect(ctx: DissectContext, b: Uint8Array, o: number, end: number, rep: number) {
    const f = ctx.frame;
    const overTcp = current.frame === f && segmentPorts.frame === f;
    let sport = 0, dport = 0, family = 0;
    if (!inError(f) && hasAddresses(f)) {
      if (overTcp) { sport = segmentPorts.src; dport = segmentPorts.dst; family = net.family; }
      else if (o >= 8) { sport = u16(b, o - 8); dport = u16(b, o - 6); family = net.family; }
    }
    const m = overTcp ? o + TCP_PREFIX : o;
    ctx.layer(this, o, end, rep, dnsAux.of(overTcp, family, net.src, sport, net.dst, dport));
    const why = problem(b, m, end);
    if (why !== "") ctx.malformed("dns", why);
    return null;
  },
};

/** Why the message at b[m..end) is malformed, or "": header cut, a section shorter than its count, a bad name. */
function problem(b: Uint8Array, m: number, end: number): string {
  if (end - m < DNS_HEADER_LEN) return `header cut short (${Math.max(end - m, 0)} of ${DNS_HEADER_LEN} bytes)`;
  const c = cursor;
  c.begin(b, m, end);
  while (c.step(b)) {
    const s = checkName(b, m, c.name, end);
    if (s !== NAME_OK) return s === 1 ? "a name contains a pointer that loops" : "a compressed name points outside the message";
  }
  return c.stop;
}

/** Info column: "Standard query 0x1032 TXT google.com" (the first question only). */
export function summary(b: Uint8Array, o: number, end: number): string {
  if (end - o < DNS_HEADER_LEN) return "DNS (truncated)";
  const f = u16(b, o + FLAGS), op = DNS_OPCODES[(f & F_OPCODE) >> 11] ?? "Unknown operation";
  return `${op}${f & F_RESPONSE ? " response" : ""} 0x${u16(b, o + ID).toString(16).padStart(4, "0")}`;
}
