// Constrained Application Protocol over UDP (udp.port 5683).
// RFC 7252 (CoAP), RFC 7641 (Observe), RFC 7959 (Block1/Block2, Size1/Size2), RFC 8613 (OSCORE option),
// RFC 8768 (Hop-Limit); Wireshark epan/dissectors/packet-coap.c (4.0) is the model field for field.
// Layer-local fields come from the message bytes; request/response matching (by conversation, token and message
// id, as packet-coap.c does in tshark's single pass), the reconstructed URI a response inherits from its request,
// and Block reassembly are computed after the pass from the layer table (coap-state.ts).

import { handOff, type DissectContext, type Dissector } from "./dissector.js";
import { protocolField, type FieldDef, type FieldType, type FieldValue } from "./field.js";
import { copy, u16 } from "./bytes.js";
import {
  AT_MARKER, COAP_HEADER_LEN, CODE, ERR_CUT, ERR_DELTA15, ERR_LEN15, ERR_LONG, MID, VTT, opt, optBegin, optNext, optUint,
  scan, scanMessage,
} from "./coap-options.js";
import { COAP_CODES, COAP_TYPES, OPTION_RANGES, contentFormatName, optionName } from "./coap-values.js";
import { coapAux, derivedField } from "./coap-state.js";
import { hasAddresses, net, segmentPorts } from "./pinfo.js";

/** Content-Formats of OMA LwM2M TLV (IANA 11542, and the pre-registration 1542 Wireshark also maps). */
const CF_LWM2M_TLV = 11542, CF_LWM2M_TLV_OLD = 1542;
/** Content-Format application/octet-stream (RFC 7252 section 12.3). */
const CF_OCTET_STREAM = 42;

/** ENC_ASCII as Wireshark 4.0 decodes it: bytes above 0x7f become U+FFFD. */
export function asciiText(b: Uint8Array, o: number, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) {
    const c = b[o + i];
    s += c < 0x80 ? String.fromCharCode(c) : "\ufffd";
  }
  return s;
}

const hdr = (n: number) => (b: Uint8Array, o: number, e: number) => e - o >= n;

/** A field found in the options: `pick` says whether option `num` gives it and its value. */
function optionField(abbrev: string, name: string, type: FieldType, description: string,
  pick: (num: number, b: Uint8Array, off: number, len: number) => FieldValue, extra: Partial<FieldDef> = {}): FieldDef {
  return {
    abbrev, name, type, description, ...extra,
    each: (b, o, e, _r, _a, emit) => {
      if (!optBegin(b, o, e)) return;
      while (optNext(b)) {
        const v = pick(opt.num, b, opt.off, opt.len);
        if (v !== undefined) emit(v);
      }
    },
  };
}

const str = (n: number) => (num: number, b: Uint8Array, off: number, len: number) => (num === n ? asciiText(b, off, len) : undefined);
const uint = (n: number) => (num: number, b: Uint8Array, off: number, len: number) => (num === n ? optUint(b, off, len) : undefined);
const bytes = (n: number) => (num: number, b: Uint8Array, off: number, len: number) => (num === n ? copy(b, off, len) : undefined);
const isBlock = (n: number) => n === 23 || n === 27;

/** OSCORE option pieces (RFC 8613 section 6.1): flag byte, Partial IV, kid context, kid. `part` selects one. */
function oscore(part: "flags" | "piv" | "ctxlen" | "ctx" | "kid", mask = 0) {
  return (num: number, b: Uint8Array, off: number, len: number): FieldValue => {
    if (num !== 9 || len === 0) return undefined;
    const f = b[off];
    if (part === "flags") return mask === 0x07 ? f & 7 : (f & mask) !== 0 ? 1 : 0;
    let p = off + 1;
    const end = off + len, piv = f & 7;
    if (part === "piv") return piv > 0 && p + piv <= end ? copy(b, p, piv) : undefined;
    p += piv;
    let ctxLen = 0;
    if (f & 0x10) {
      if (p >= end) return undefined;
      ctxLen = b[p];
      if (part === "ctxlen") return ctxLen;
      if (part === "ctx") return p + 1 + ctxLen <= end ? copy(b, p + 1, ctxLen) : undefined;
      p += 1 + ctxLen;
    } else if (part !== "kid") return undefined;
    return f & 0x08 && p <= end ? copy(b, p, end - p) : undefined;
  };
}

/** The payload after the marker, when the message carries no Block option (else it is a block: block_payload). */
function payloadInfo(b: Uint8Array, o: number, e: number): boolean {
  scanMessage(b, o, e);
  return scan.payload >= 0;
}

export const FIELDS: readonly FieldDef[] = [
  protocolField("coap", "Constrained Application Protocol", "CoAP message"),
  { abbrev: "coap.version", name: "Version", type: "uint8", mask: 0xc0, description: "Version (1)", get: (b, o, e) => (hdr(1)(b, o, e) ? b[o + VTT] >> 6 : undefined) },
  { abbrev: "coap.type", name: "Type", type: "uint8", mask: 0x30, values: COAP_TYPES, description: "Message type: 0 CON, 1 NON, 2 ACK, 3 RST", get: (b, o, e) => (hdr(1)(b, o, e) ? (b[o + VTT] >> 4) & 3 : undefined) },
  { abbrev: "coap.token_len", name: "Token Length", type: "uint8", mask: 0x0f, description: "Length of the token (0-8; 9-15 are a format error)", get: (b, o, e) => (hdr(1)(b, o, e) ? b[o + VTT] & 0x0f : undefined) },
  { abbrev: "coap.code", name: "Code", type: "uint8", values: COAP_CODES, description: "Method (0.01-0.07) or response code (c.dd as c << 5 | dd)", get: (b, o, e) => (hdr(2)(b, o, e) ? b[o + CODE] : undefined) },
  { abbrev: "coap.mid", name: "Message ID", type: "uint16", description: "Message ID (matches an ACK/RST to its message, detects duplicates)", get: (b, o, e) => (hdr(4)(b, o, e) ? u16(b, o + MID) : undefined) },
  {
    abbrev: "coap.token", name: "Token", type: "bytes", description: "Token (matches a response to its request)",
    get: (b, o, e) => {
      if (e - o < COAP_HEADER_LEN) return undefined;
      const n = b[o] & 0x0f;
      return n > 0 && o + COAP_HEADER_LEN + n <= e ? copy(b, o + COAP_HEADER_LEN, n) : undefined;
    },
  },
  optionField("coap.opt.name", "Opt Name", "string", "Option index and name (\"#1: Uri-Path\")", (num) => `#${opt.index}: ${optionName(num)}`),
  optionField("coap.opt.desc", "Opt Desc", "string", "Option number and class (\"Type 11, Critical, Unsafe\")",
    (num) => `Type ${num}, ${num & 1 ? "Critical" : "Elective"}, ${num & 2 ? "Unsafe" : "Safe"}${(num & 0x1e) === 0x1c ? ", NoCacheKey" : ""}`),
  optionField("coap.opt.delta", "Opt Delta", "uint8", "Option delta nibble (13: 8-bit extension, 14: 16-bit)", () => opt.d4, { mask: 0xf0 }),
  optionField("coap.opt.delta_ext", "Opt Delta extended", "uint16", "Option delta extension", () => (opt.dext >= 0 ? opt.dext : undefined)),
  optionField("coap.opt.length", "Opt Length", "uint8", "Option length nibble (13: 8-bit extension, 14: 16-bit)", () => opt.l4, { mask: 0x0f }),
  optionField("coap.opt.length_ext", "Opt Length extended", "uint16", "Option length extension", () => (opt.lext >= 0 ? opt.lext : undefined)),
  {
    abbrev: "coap.opt.end_marker", name: "End of options marker", type: "uint8", description: "Payload marker 0xff",
    get: (b, o, e) => { scanMessage(b, o, e); return scan.status === AT_MARKER ? 255 : undefined; },
  },
  optionField("coap.opt.ctype", "Content-type", "string", "Content-Format (option 12) by name", (n, b, off, len) => (n === 12 ? contentFormatName(optUint(b, off, len)) : undefined)),
  optionField("coap.opt.max_age", "Max-age", "uint32", "Max-Age in seconds (option 14)", uint(14)),
  optionField("coap.opt.proxy_uri", "Proxy-Uri", "string", "Proxy-Uri (option 35)", str(35)),
  optionField("coap.opt.proxy_scheme", "Proxy-Scheme", "string", "Proxy-Scheme (option 39)", str(39)),
  optionField("coap.opt.size1", "Size1", "uint32", "Size1: request body size (option 60)", uint(60)),
  optionField("coap.opt.etag", "Etag", "bytes", "ETag (option 4)", bytes(4)),
  optionField("coap.opt.uri_host", "Uri-Host", "string", "Uri-Host (option 3)", str(3)),
  optionField("coap.opt.location_path", "Location-Path", "string", "Location-Path segment (option 8)", str(8)),
  optionField("coap.opt.uri_port", "Uri-Port", "uint16", "Uri-Port (option 7)", uint(7)),
  optionField("coap.opt.location_query", "Location-Query", "string", "Location-Query argument (option 20)", str(20)),
  optionField("coap.opt.object_security_reserved", "Reserved", "bool", "OSCORE flag byte: reserved bits set", oscore("flags", 0xe0), { mask: 0xe0 }),
  optionField("coap.opt.object_security_kid_context_present", "Key ID Context Present", "bool", "OSCORE flag h", oscore("flags", 0x10), { mask: 0x10 }),
  optionField("coap.opt.object_security_kid_present", "Key ID Present", "bool", "OSCORE flag k", oscore("flags", 0x08), { mask: 0x08 }),
  optionField("coap.opt.object_security_piv_len", "Partial IV Length", "uint8", "OSCORE Partial IV length", oscore("flags", 0x07), { mask: 0x07 }),
  optionField("coap.opt.object_security_piv", "Partial IV", "bytes", "OSCORE Partial IV", oscore("piv")),
  optionField("coap.opt.object_security_kid_context_len", "Key ID Context Length", "uint8", "OSCORE kid context length", oscore("ctxlen")),
  optionField("coap.opt.object_security_kid_context", "Key ID Context", "bytes", "OSCORE kid context", oscore("ctx")),
  optionField("coap.opt.object_security_kid", "Key ID", "bytes", "OSCORE kid", oscore("kid")),
  optionField("coap.opt.uri_path", "Uri-Path", "string", "Uri-Path segment (option 11)", str(11)),
  derivedField("coap.opt.uri_path_recon", "Uri-Path", "string", "The request URI rebuilt from Uri-Host, Uri-Port and Uri-Path (a response shows its request's)"),
  optionField("coap.opt.observe", "Observe", "uint32", "Observe (option 6, RFC 7641): 0 register / 1 deregister in a request, sequence number in a notification", uint(6)),
  optionField("coap.opt.hop_limit", "Hop Limit", "uint8", "Hop-Limit (option 16, RFC 8768)", uint(16)),
  optionField("coap.opt.accept", "Accept", "string", "Accept (option 17): acceptable Content-Format by name",
    (n, b, off, len) => (n === 17 ? (len === 0 ? "(null)" : contentFormatName(optUint(b, off, len))) : undefined)),
  optionField("coap.opt.if_match", "If-Match", "bytes", "If-Match (option 1)", bytes(1)),
  optionField("coap.opt.block_number", "Block Number", "uint32", "Block1/Block2 block number (RFC 7959)",
    (n, b, off, len) => (isBlock(n) ? (len > 4 ? 0xffffffff : optUint(b, off, len) >>> 4) : undefined)),
  optionField("coap.opt.block_mflag", "More Flag", "uint8", "Block1/Block2 More flag", (n, b, off, len) => (isBlock(n) ? (len === 0 ? 0 : (b[off + len - 1] & 0x08) >> 3) : undefined), { mask: 0x08 }),
  optionField("coap.opt.block_size", "Encoded Block Size", "uint8", "Block SZX (size = 2^(SZX+4)); Wireshark 4.0 also puts Size2 (option 28) here, masked to 3 bits",
    (n, b, off, len) => (isBlock(n) ? (len === 0 ? 0 : b[off + len - 1] & 7) : n === 28 ? optUint(b, off, len) & 7 : undefined), { mask: 0x07 }),
  optionField("coap.opt.uri_query", "Uri-Query", "string", "Uri-Query argument (option 15)", str(15)),
  optionField("coap.opt.unknown", "Unknown", "bytes", "Value of an option Wireshark does not know",
    (n, b, off, len) => (n in OPTION_RANGES || n === 5 ? undefined : copy(b, off, len))),
  optionField("coap.unknown_option_number", "Unknown Option Number", "none", "Expert: an option number in the private/experimental range 2048-65535",
    (n) => (!(n in OPTION_RANGES) && n >= 2048 && n <= 65535 ? 1 : undefined)),
  optionField("coap.invalid_option_number", "Invalid Option Number", "none", "Expert: an unregistered option number below 2048 (or above 65535)",
    (n) => (!(n in OPTION_RANGES) && !(n >= 2048 && n <= 65535) ? 1 : undefined)),
  optionField("coap.invalid_option_range", "Invalid Option Range", "none", "Expert: an option value length outside the option's range",
    (n, _b, _o, len) => { const r = OPTION_RANGES[n]; return r && (len < r[0] || len > r[1]) ? 1 : undefined; }),
  {
    abbrev: "coap.option_length_bad", name: "Option length bad", type: "none", description: "Expert: reserved nibble 15 or an option running past the message; decoding stops",
    get: (b, o, e) => { scanMessage(b, o, e); const s = scan.status; return s === ERR_DELTA15 || s === ERR_LEN15 || s === ERR_LONG ? 1 : undefined; },
  },
  {
    abbrev: "coap.block_payload", name: "Block Payload", type: "bytes", description: "Payload of a message with a Block1/Block2 option",
    get: (b, o, e) => (payloadInfo(b, o, e) && scan.blockNum !== 0xffffffff ? copy(b, scan.payload, e - scan.payload) : undefined),
  },
  {
    abbrev: "coap.block_length", name: "Block Length", type: "uint32", description: "Length of the block payload",
    get: (b, o, e) => (payloadInfo(b, o, e) && scan.blockNum !== 0xffffffff ? e - scan.payload : undefined),
  },
  derivedField("coap.payload", "Payload", "string", "\"Payload Content-Format: …, Length: n\" as Wireshark 4.0 prints it (cut to 79 characters); for Block transfers on the frame that completes the reassembly"),
  derivedField("coap.payload_desc", "Payload Desc", "string", "Content-Format of the payload (application/octet-stream without the option, text/plain for 4.xx/5.xx diagnostics)"),
  derivedField("coap.payload_length", "Payload Length", "uint32", "Payload length in bytes (the reassembled length for Block transfers)"),
  {
    abbrev: "coap.x.payload", name: "Payload bytes", type: "bytes",
    description: "Wirebook: extension — the message payload after the 0xff marker (the block's own bytes in a Block1/Block2 message)",
    get: (b, o, e) => (payloadInfo(b, o, e) ? copy(b, scan.payload, e - scan.payload) : undefined),
  },
  derivedField("coap.response_in", "Response In", "framenum", "The response to this request is in this frame (known in tshark's single pass only when it came earlier)"),
  derivedField("coap.response_to", "Request In", "framenum", "This is a response to the request in this frame (same requester, token and message id)"),
  derivedField("coap.response_time", "Response Time", "rel_time", "Time between the request and this response"),
  derivedField("coap.request_first_in", "Retransmission of request in", "framenum", "This request was first sent in this frame"),
  derivedField("coap.response_first_in", "Retransmission of response in", "framenum", "This response was first sent in this frame"),
  derivedField("coap.retransmitted", "Retransmitted", "none", "Expert: a CON/NON request or response seen again"),
  derivedField("coap.blocks", "Blocks", "none", "Block reassembly completed in this frame"),
  derivedField("coap.block", "Block", "framenum", "Frames holding the blocks of the reassembled payload, in block order"),
  derivedField("coap.block.count", "Block count", "uint32", "Number of blocks reassembled"),
  derivedField("coap.block.reassembled.length", "Reassembled block length", "uint32", "Length of the reassembled payload"),
];

/**
 * The media_type dissector packet-coap.c (4.0, dissect_coap_payload) hands a payload to, "" for none: without a
 * Content-Format a 4.xx/5.xx diagnostic is "text/plain" and anything else "application/octet-stream"; Content-Format
 * 0 is "text/plain". text/plain is data-text-lines and octet-stream is data in tshark's media_type table; LwM2M TLV
 * goes to lwm2mtlv. link-format and the other formats have no dissector here (tshark's json, cbor … are not written).
 */
export function mediaDissector(ctype: number, codeClass: number): string {
  switch (ctype) {
    case -1: return codeClass === 4 || codeClass === 5 ? "data-text-lines" : "data";
    case 0: return "data-text-lines";
    case CF_OCTET_STREAM: return "data";
    case CF_LWM2M_TLV: case CF_LWM2M_TLV_OLD: return "lwm2mtlv";
    default: return "";
  }
}

/** Reasons a message is malformed (ctx.malformed), or "" when it is well formed. */
function problem(b: Uint8Array, o: number, end: number): string {
  if (end - o < COAP_HEADER_LEN) return "header cut short (fewer than 4 bytes)";
  if (b[o] >> 6 !== 1) return `unknown version ${b[o] >> 6}`;
  const tkl = b[o] & 0x0f;
  if (tkl > 8) return `token length ${tkl} > 8`;
  if (o + COAP_HEADER_LEN + tkl > end) return "token runs past the end";
  switch (scan.status) {
    case ERR_DELTA15: return "option delta 15 (reserved) in an option header";
    case ERR_LEN15: return "option length 15 (reserved)";
    case ERR_LONG: return "option longer than the message";
    case ERR_CUT: return "option header cut short";
  }
  return "";
}

/** Decodes the header, records the layer (aux: conversation keys for coap-state.ts), hands the payload on. */
export const coap: Dissector = {
  proto: "coap",
  name: "Constrained Application Protocol",
  fields: FIELDS,
  reset() { coapAux.reset(); },
  dissect(ctx: DissectContext, b: Uint8Array, o: number, end: number, rep: number) {
    scanMessage(b, o, end);
    const why = problem(b, o, end);
    if (why !== "") ctx.malformed("coap", why);
    const tracked = end - o >= COAP_HEADER_LEN && scan.status !== ERR_DELTA15 && scan.status !== ERR_LEN15 && scan.status !== ERR_LONG && scan.status !== ERR_CUT;
    const request = end - o >= 2 && b[o + CODE] >> 5 === 0;
    // The ports of the datagram carrying this message, as udp.ts recorded them (Wireshark's pinfo->srcport/destport).
    const havePorts = segmentPorts.frame === ctx.frame && hasAddresses(ctx.frame);
    const sport = havePorts ? segmentPorts.src : 0, dport = havePorts ? segmentPorts.dst : 0;
    const aux = coapAux.of(tracked, request, havePorts ? net.family : 0, net.src, sport, net.dst, dport);
    ctx.layer(this, o, end, rep, aux);
    // A block is not handed on (Wireshark reassembles it; coap-state.ts does that after the pass).
    if (scan.payload < 0 || scan.blockNum !== 0xffffffff) return null;
    const name = mediaDissector(scan.ctype, b[o + CODE] >> 5);
    const next = name === "" ? null : ctx.tables.byName.get(name) ?? null;
    return handOff(ctx, next, scan.payload, end, end - scan.payload);
  },
};

/** Info column: "CON, MID:4097, POST". */
export function summary(b: Uint8Array, o: number, end: number): string {
  if (end - o < COAP_HEADER_LEN) return "CoAP (truncated)";
  const t = ["CON", "NON", "ACK", "RST"][(b[o] >> 4) & 3], c = b[o + 1];
  return `${t}, MID:${u16(b, o + 2)}, ${COAP_CODES[c] ?? `Unknown ${c}`}`;
}
