// Transmission Control Protocol (ip.proto 6).
// RFC 9293 section 3.1 (header format); RFC 3168 (ECE, CWR); RFC 7323 (window scale); Accurate ECN draft (AE);
// Wireshark epan/dissectors/packet-tcp.c (dissect_tcp, 4.0 default preferences: relative sequence numbers, sequence
// analysis and conversation timestamps on, checksum not verified); smoltcp src/wire/tcp.rs; gopacket layers/tcp.go.
// Which fields tshark shows for a short header follows the order dissect_tcp() reads the bytes in: ports from 4
// bytes, the stream and the sequence numbers from 16, the checksum from 18, the urgent pointer and the options
// from 20. Stream-wide values (relative numbers, scaled window, times) are derived in tcp-replay.ts.

import { handOff, type DissectContext, type Dissector } from "./dissector.js";
import { protocolField, type FieldDef } from "./field.js";
import { byPorts } from "./handoff.js";
import { copy, u16, u32 } from "./bytes.js";
import { fragmented, hasAddresses, inError, net, setSegmentPorts } from "./pinfo.js";
import { OPTION_FIELDS } from "./tcp-options.js";
import { isStreamDissector, reassemble } from "./tcp-reassembly.js";
import { A_OUT_OF_ORDER, A_RETRANSMISSION, A_SPURIOUS_RETRANSMISSION, SeqAnalyzer } from "./tcp-analysis.js";
import { DERIVED_FIELDS } from "./tcp-replay.js";
import {
  AUX_DIR, AUX_ICMP_IP, AUX_QUOTED, AUX_REUSED, AUX_SHIFT, flagsOf, hdrLen, TCP_NO_STREAM, TCP_UNNUMBERED, tcpStreamOf,
  TcpStreams, TH_ACK, TH_AE, TH_CWR, TH_ECE, TH_FIN, TH_MASK, TH_PUSH, TH_RES, TH_RST, TH_SYN, TH_URG,
} from "./tcp-streams.js";

export { TCP_NO_STREAM, TCP_UNNUMBERED, tcpStreamOf } from "./tcp-streams.js";

// Byte offsets (RFC 9293 section 3.1).
const SRC_PORT = 0;
const DST_PORT = 2;
const SEQ = 4;
const ACK = 8;
const WINDOW = 14;
const CHECKSUM = 16;
const URGENT = 18;
export const TCP_HEADER_LEN = URGENT + 2;
/** Bytes dissect_tcp() reads before it looks the conversation up (ports to window). */
export const TCP_LOOKUP_LEN = WINDOW + 2;

/** A fixed header tshark gets past: 16 bytes captured and a header length of at least 20. */
const fixed = (b: Uint8Array, o: number, e: number) => e - o >= TCP_LOOKUP_LEN && hdrLen(b, o) >= TCP_HEADER_LEN;
const lookedUp = (_b: Uint8Array, o: number, e: number) => e - o >= TCP_LOOKUP_LEN;
/** Segment length is known: not quoted and the IP payload covers the header (tcp.len). */
const seglenKnown = (b: Uint8Array, o: number, e: number, r: number, a: number) => lookedUp(b, o, e) && !(a & AUX_QUOTED) && r >= hdrLen(b, o);

/** Wireshark's tfs_set_notset: the names `tcp.flags.syn == Set` accepts. */
const SET_NOT_SET = { 0: "Not set", 1: "Set" };

/** A flag bit as tshark shows it (0 or 1), present when the flags are. */
function flagBit(abbrev: string, name: string, mask: number, description: string): FieldDef {
  return { abbrev, name, type: "bool", mask, values: SET_NOT_SET, description, get: (b, o, e) => (fixed(b, o, e) ? (flagsOf(b, o) & mask ? 1 : 0) : undefined) };
}

/** An expert item: present (1) when `when` holds for a fixed header. */
function expert(abbrev: string, name: string, when: (fl: number, b: Uint8Array, o: number) => boolean): FieldDef {
  return { abbrev, name, type: "none", description: `Expert: ${name}`, get: (b, o, e) => (fixed(b, o, e) && when(flagsOf(b, o), b, o) ? 1 : undefined) };
}

/** "··········S·": one letter per flag bit from the most significant, a middle dot when clear (tcp_flags_to_str_first_letter). */
const LETTERS = "RRRACEUAPRSF";
const flagStrings = new Map<number, string>();
export function flagsString(fl: number): string {
  let s = flagStrings.get(fl);
  if (s === undefined) {
    s = "";
    for (let i = 0; i < 12; i++) s += (fl >> (11 - i)) & 1 ? LETTERS[i] : "\u00b7";
    flagStrings.set(fl, s);
  }
  return s;
}

export const FIELDS: readonly FieldDef[] = [
  // tshark reads both ports before it adds the protocol item: with fewer than 4 bytes the layer is in
  // frame.protocols but the field is absent.
  { ...protocolField("tcp", "Transmission Control Protocol", "TCP segment"), get: (_b, o, e) => (e - o >= 4 ? 1 : undefined) },
  { abbrev: "tcp.srcport", name: "Source Port", type: "uint16", description: "Sending port", get: (b, o, e) => (e - o >= 4 ? u16(b, o + SRC_PORT) : undefined) },
  { abbrev: "tcp.dstport", name: "Destination Port", type: "uint16", description: "Receiving port", get: (b, o, e) => (e - o >= 4 ? u16(b, o + DST_PORT) : undefined) },
  {
    abbrev: "tcp.port", name: "Source or Destination Port", type: "uint16", description: "Either port (source first, then destination)",
    each: (b, o, e, _r, _a, emit) => { if (e - o >= 4) { emit(u16(b, o + SRC_PORT)); emit(u16(b, o + DST_PORT)); } },
  },
  {
    abbrev: "tcp.stream", name: "Stream index", type: "uint32", description: "Conversation number; a SYN with a new ISN on the same endpoints starts a new one",
    get: (_b, _o, _e, _r, a) => (tcpStreamOf(a) >= TCP_UNNUMBERED ? undefined : tcpStreamOf(a)),
  },
  {
    abbrev: "tcp.len", name: "TCP Segment Len", type: "uint32", description: "Payload length: IP payload length less the header length",
    get: (b, o, e, r, a) => (seglenKnown(b, o, e, r, a) ? r - hdrLen(b, o) : undefined),
  },
  {
    abbrev: "tcp.seq_raw", name: "Sequence Number (raw)", type: "uint32", description: "The sequence number as sent",
    get: (b, o, e, _r, a) => (lookedUp(b, o, e) && !(a & AUX_ICMP_IP) ? u32(b, o + SEQ) : undefined),
  },
  {
    abbrev: "tcp.ack_raw", name: "Acknowledgment number (raw)", type: "uint32", description: "The acknowledgment number as sent",
    get: (b, o, e) => (fixed(b, o, e) ? u32(b, o + ACK) : undefined),
  },
  {
    abbrev: "tcp.hdr_len", name: "Header Length", type: "uint8", description: "Header length in bytes (data offset x 4)",
    get: (b, o, e) => (lookedUp(b, o, e) ? hdrLen(b, o) : undefined),
  },
  {
    abbrev: "tcp.flags", name: "Flags", type: "uint16", base: "hex", mask: TH_MASK, description: "The 12 flag bits",
    get: (b, o, e) => (fixed(b, o, e) ? flagsOf(b, o) : undefined),
  },
  flagBit("tcp.flags.res", "Reserved", TH_RES, "Three reserved bits (must be zero)"),
  flagBit("tcp.flags.ae", "Accurate ECN", TH_AE, "AE (formerly Nonce Sum)"),
  flagBit("tcp.flags.cwr", "Congestion Window Reduced", TH_CWR, "CWR (RFC 3168)"),
  flagBit("tcp.flags.ece", "ECN-Echo", TH_ECE, "ECE (RFC 3168)"),
  flagBit("tcp.flags.urg", "Urgent", TH_URG, "The urgent pointer is significant"),
  flagBit("tcp.flags.ack", "Acknowledgment", TH_ACK, "The acknowledgment number is significant"),
  flagBit("tcp.flags.push", "Push", TH_PUSH, "Push function"),
  flagBit("tcp.flags.reset", "Reset", TH_RST, "Reset the connection"),
  flagBit("tcp.flags.syn", "Syn", TH_SYN, "Synchronize sequence numbers"),
  flagBit("tcp.flags.fin", "Fin", TH_FIN, "No more data from sender"),
  {
    abbrev: "tcp.flags.str", name: "TCP Flags", type: "string", description: "The flags as letters (RRRACEUAPRSF), a middle dot for each clear bit",
    get: (b, o, e) => (fixed(b, o, e) ? flagsString(flagsOf(b, o)) : undefined),
  },
  {
    abbrev: "tcp.window_size_value", name: "Window", type: "uint16", description: "The window field as sent (unscaled)",
    get: (b, o, e) => (fixed(b, o, e) ? u16(b, o + WINDOW) : undefined),
  },
  {
    abbrev: "tcp.checksum", name: "Checksum", type: "uint16", base: "hex", description: "Checksum as sent (not verified, as tshark's default)",
    get: (b, o, e) => (fixed(b, o, e) && e - o >= URGENT ? u16(b, o + CHECKSUM) : undefined),
  },
  {
    abbrev: "tcp.checksum.status", name: "Checksum Status", type: "uint8", values: { 0: "Bad", 1: "Good", 2: "Unverified", 3: "Not present", 4: "Illegal" },
    description: "Always 2 (unverified): tshark does not verify TCP checksums by default",
    get: (b, o, e) => (fixed(b, o, e) && e - o >= URGENT ? 2 : undefined),
  },
  {
    abbrev: "tcp.urgent_pointer", name: "Urgent Pointer", type: "uint16", description: "Offset of the last urgent byte (meaningful with URG)",
    get: (b, o, e) => (fixed(b, o, e) && e - o >= TCP_HEADER_LEN ? u16(b, o + URGENT) : undefined),
  },
  ...OPTION_FIELDS,
  {
    abbrev: "tcp.payload", name: "TCP payload", type: "bytes", description: "Captured bytes after the header (not on RST segments)",
    get: (b, o, e) => (hasPayload(b, o, e) ? copy(b, o + hdrLen(b, o), e - o - hdrLen(b, o)) : undefined),
    tail: (b, o, e) => (hasPayload(b, o, e) ? o + hdrLen(b, o) : undefined),
  },
  ...DERIVED_FIELDS,
  expert("tcp.connection.syn", "Connection establish request (SYN)", (fl) => (fl & (TH_SYN | TH_ACK)) === TH_SYN),
  expert("tcp.connection.synack", "Connection establish acknowledge (SYN+ACK)", (fl) => (fl & (TH_SYN | TH_ACK)) === (TH_SYN | TH_ACK)),
  expert("tcp.connection.fin", "Connection finish (FIN)", (fl) => (fl & TH_FIN) !== 0),
  expert("tcp.connection.rst", "Connection reset (RST)", (fl) => (fl & TH_RST) !== 0),
  expert("tcp.ack.nonzero", "The acknowledgment number field is nonzero while the ACK flag is not set", (fl, b, o) => !(fl & TH_ACK) && u32(b, o + ACK) !== 0),
  {
    abbrev: "tcp.urgent_pointer.non_zero", name: "The urgent pointer field is nonzero while the URG flag is not set", type: "none", description: "Expert: urgent pointer without URG",
    get: (b, o, e) => (fixed(b, o, e) && e - o >= TCP_HEADER_LEN && !(flagsOf(b, o) & TH_URG) && u16(b, o + URGENT) !== 0 ? 1 : undefined),
  },
  {
    abbrev: "tcp.short_segment", name: "Short segment", type: "none", description: "Expert: the IP payload is shorter than the TCP header",
    get: (b, o, e, r, a) => (lookedUp(b, o, e) && !(a & AUX_QUOTED) && r < hdrLen(b, o) ? 1 : undefined),
  },
  {
    abbrev: "tcp.bogus_header_length", name: "Bogus TCP Header length", type: "none", description: "Expert: header length below 20",
    get: (b, o, e) => (lookedUp(b, o, e) && hdrLen(b, o) < TCP_HEADER_LEN ? 1 : undefined),
  },
];

/** Payload bytes follow a complete header on a segment that is not a reset (a RST's bytes are its "reset cause"). */
function hasPayload(b: Uint8Array, o: number, e: number): boolean {
  const hl = hdrLen(b, o);
  return fixed(b, o, e) && e - o > hl && !(flagsOf(b, o) & TH_RST);
}

// ---------------------------------------------------------------------------------------------------------------

/** Stream numbering of the current pass. */
export const streams = new TcpStreams();
/** Sequence analysis of the current pass (flags only: whether a segment's payload is handed on). */
const seqs = new SeqAnalyzer(false);

/** The view + hand-off: checks the header, numbers the stream, hands the payload on by port. */
export const tcp: Dissector = {
  proto: "tcp",
  name: "Transmission Control Protocol",
  fields: FIELDS,
  reset() {
    streams.reset();
    seqs.reset();
  },
  dissect(ctx: DissectContext, b: Uint8Array, o: number, end: number, rep: number) {
    const f = ctx.frame, quoted = inError(f) || fragmented(f);
    let aux = (quoted ? AUX_QUOTED : 0) | (inError(f) && net.family === 4 ? AUX_ICMP_IP : 0);
    if (end - o < TCP_LOOKUP_LEN || !hasAddresses(f)) {
      ctx.layer(this, o, end, rep, (TCP_NO_STREAM << AUX_SHIFT) | aux);
      if (!inError(f)) ctx.malformed("tcp", `header cut short (${end - o} bytes captured)`);
      return null;
    }
    const hl = hdrLen(b, o), fl = flagsOf(b, o), seq = u32(b, o + SEQ);
    const sport = u16(b, o + SRC_PORT), dport = u16(b, o + DST_PORT);
    setSegmentPorts(f, sport, dport);
    // A shallow pass (lib/decode/depth.ts) skips what only serves the payload when no dissector this segment could
    // go to is wanted. Decided by the two ports, so every segment of a stream gets the same answer.
    const follow = ctx.followsTcp(sport, dport);
    // A pass that numbers no conversations marks the segment as one it would have numbered (message tables check).
    let s = TCP_UNNUMBERED;
    if (follow || ctx.tcpStreams) {
      const hit = streams.lookup(net.family, net.src, sport, net.dst, dport, fl, seq);
      s = hit.stream;
      const d = hit.dir, ack = u32(b, o + ACK);
      aux |= (d ? AUX_DIR : 0) | (hit.reused ? AUX_REUSED : 0);
      if (follow) {
        if (hit.opened) seqs.open(s);
        seqs.begin(s, d);
        if (hit.reused || hit.repeatedSyn || hit.rebased) seqs.reused(s, d, hit.repeatedSyn);
      }
      if (!quoted && rep >= hl) {
        streams.base.analyze(s, d, fl, seq, ack);
        if (follow) seqs.segment(s, d, f, ctx.time, fl, seq, ack, rep - hl, u16(b, o + WINDOW), -1, streams.base.get(s, d));
      }
    }
    ctx.layer(this, o, end, rep, (s << AUX_SHIFT) | aux);
    if (hl < TCP_HEADER_LEN) {
      ctx.malformed("tcp", `bogus header length ${hl}, must be at least 20`);
      return null;
    }
    if (!quoted && rep < hl) ctx.malformed("tcp", "short segment: the IP payload is shorter than the TCP header");
    const cut = end - o < hl;
    if (cut && !inError(f)) ctx.malformed("tcp", "header cut short by the capture (snap length)");
    if (s !== TCP_UNNUMBERED) streams.learnServerPort(s, fl, sport, dport);
    // Without a wanted payload dissector (s is numbered whenever one is) nothing more is done for this segment.
    if (!follow) return null;
    const d = (aux & AUX_DIR) !== 0 ? 1 : 0, ack = u32(b, o + ACK);
    seqs.header(s, d, f, ctx.time, fl);
    if (cut) {
      // The payload was on the wire but is not in the file: the reassembler counts it as lost bytes.
      const cut = portDissector(ctx, s, sport, dport);
      if (isStreamDissector(cut) && !quoted) reassemble(ctx, s, d, seq, ack, fl & 0xff, b, end, end, Math.max(rep - hl, 0), cut);
      return null;
    }
    const next = portDissector(ctx, s, sport, dport);
    if (isStreamDissector(next) && !quoted) {
      // A protocol that frames its PDUs in the byte stream: every segment (pure ACKs too) goes to the reassembler.
      reassemble(ctx, s, d, seq, ack, fl & 0xff, b, o + hl, end, Math.max(rep - hl, 0), next);
      return null;
    }
    if (end - o === hl || fl & TH_RST) return null;
    // tshark does not hand a retransmitted (spurious too) or out-of-order segment to its payload dissector, not even to data.
    if (seqs.ta.flags & (A_RETRANSMISSION | A_OUT_OF_ORDER | A_SPURIOUS_RETRANSMISSION)) return null;
    return handOff(ctx, next ?? ctx.tables.data, o + hl, end, Math.max(rep - hl, 0));
  },
};

/** The dissector registered for the server port the handshake showed, else for the lower port, else the higher. */
function portDissector(ctx: DissectContext, stream: number, sport: number, dport: number): Dissector | null {
  const t = ctx.tables.tcpPort, server = streams.serverPort.data[stream];
  return (server !== 0 ? t[server] : undefined) ?? byPorts(t, sport, dport);
}

/** Info-column summary: "sport → dport [SYN, ACK] Seq=… Ack=… Win=… Len=…" with raw numbers. */
export function summary(b: Uint8Array, o: number, end: number, rep: number): string {
  if (end - o < TCP_LOOKUP_LEN) return "TCP (truncated)";
  const fl = flagsOf(b, o), names: string[] = [];
  for (const [bit, n] of [[TH_FIN, "FIN"], [TH_SYN, "SYN"], [TH_RST, "RST"], [TH_PUSH, "PSH"], [TH_ACK, "ACK"], [TH_URG, "URG"], [TH_ECE, "ECE"], [TH_CWR, "CWR"], [TH_AE, "AE"]] as const) {
    if (fl & bit) names.push(n);
  }
  return `${u16(b, o)} → ${u16(b, o + 2)} [${names.join(", ")}] Seq=${u32(b, o + SEQ)} Win=${u16(b, o + WINDOW)} Len=${Math.max(rep - hdrLen(b, o), 0)}`;
}
