// User Datagram Protocol (ip.proto 17).
// RFC 768; RFC 8200 section 8.1 (zero checksum over IPv6); RFC 2675 section 4 (jumbograms);
// Wireshark epan/dissectors/packet-udp.c; smoltcp src/wire/udp.rs; gopacket layers/udp.go.
// udp.stream numbers conversations (the unordered pair of address/port endpoints) in order of first sight, as
// Wireshark's find_or_create_conversation does; udp.time_relative / time_delta are per stream, computed only for
// datagrams that carry payload and are not quoted inside an ICMP error (packet-udp.c, dissect()).

import { handOff, type DissectContext, type Dissector } from "./dissector.js";
import { protocolField, type DeriveSource, type FieldDef } from "./field.js";
import { byPorts } from "./handoff.js";
import { copy, u16 } from "./bytes.js";
import { fragmented, hasAddresses, inError, net, setSegmentPorts } from "./pinfo.js";
import { EndpointTable, IntVec } from "./transport-endpoints.js";
import type { Column } from "../decode/column.js";
import type { LayerTable } from "../decode/layer-table.js";
import { rowNumbers } from "../decode/row-numbers.js";

/** [udp.time_relative, udp.time_delta] (set as timeField declares them). */
const timeDefs: FieldDef[] = [];

/** Both time columns come from one scan of the udp layers, cached per layer table ("decode as" starts again). */
const timesCache = new WeakMap<LayerTable, Column[]>();

// Byte offsets (RFC 768).
const SRC_PORT = 0;
const DST_PORT = 2;
const LENGTH = 4;
const CHECKSUM = 6;
export const UDP_HEADER_LEN = CHECKSUM + 2;

/** Wireshark's proto_checksum_enum_e: how the checksum was judged. */
export const CHECKSUM_STATUS = { 0: "Bad", 1: "Good", 2: "Unverified", 3: "Not present", 4: "Illegal" } as const;
const UNVERIFIED = 2, NOT_PRESENT = 3, ILLEGAL = 4;

/** LBL traceroute's first destination port is 32768 + 666 + 1; three probes per hop, 30 hops (packet-udp.c). */
const TRACEROUTE_FIRST = 32768 + 666 + 1, TRACEROUTE_LAST = 32768 + 666 + 30;

// The layer's aux: stream index << 4 | flags.
const AUX_TIMESTAMPED = 1; // this datagram updated its stream's timestamps (payload, not quoted)
const AUX_IPV6 = 2; // carried over IPv6 (a zero checksum is illegal there)
const AUX_IN_ERROR = 4; // quoted inside an ICMP error: lengths are not checked, no timestamps
const AUX_FRAGMENT = 8; // an unreassembled fragment: lengths are not checked
const AUX_QUOTED = AUX_IN_ERROR | AUX_FRAGMENT;
const AUX_SHIFT = 4;
/** The stream bits of a layer that has no stream (header cut short, or length < 8). */
export const UDP_NO_STREAM = 0xffffffff >>> AUX_SHIFT;

/** The stream bits of a datagram a pass did not number (lib/decode/depth.ts) that a numbering pass would have. */
export const UDP_UNNUMBERED = UDP_NO_STREAM - 1;

/** The stream index kept in a udp layer's aux, or UDP_NO_STREAM / UDP_UNNUMBERED. */
export const udpStreamOf = (aux: number): number => aux >>> AUX_SHIFT;

const len = (b: Uint8Array, o: number) => u16(b, o + LENGTH);
/** The length the datagram claims; 0 over IPv6 means a jumbogram as long as the IPv6 payload (RFC 2675). */
const effLen = (b: Uint8Array, o: number, rep: number, aux: number) => (len(b, o) === 0 && aux & AUX_IPV6 ? rep : len(b, o));
/** True when the header got as far as the checksum: 8 bytes captured and a length of at least 8. */
const hasChecksum = (b: Uint8Array, o: number, end: number, rep: number, aux: number) =>
  end - o >= UDP_HEADER_LEN && effLen(b, o, rep, aux) >= UDP_HEADER_LEN;
const isTraceroute = (p: number) => p >= TRACEROUTE_FIRST && p <= TRACEROUTE_LAST;

export const FIELDS: readonly FieldDef[] = [
  // tshark reads both ports before it adds the protocol item: with fewer than 4 bytes the layer is in
  // frame.protocols but the field is absent.
  { ...protocolField("udp", "User Datagram Protocol", "UDP datagram"), get: (_b, o, e) => (e - o >= 4 ? 1 : undefined) },
  { abbrev: "udp.srcport", name: "Source Port", type: "uint16", description: "Sending port", get: (b, o, e) => (e - o >= 4 ? u16(b, o + SRC_PORT) : undefined) },
  { abbrev: "udp.dstport", name: "Destination Port", type: "uint16", description: "Receiving port", get: (b, o, e) => (e - o >= 4 ? u16(b, o + DST_PORT) : undefined) },
  {
    abbrev: "udp.port", name: "Source or Destination Port", type: "uint16", description: "Either port (source first, then destination)",
    each: (b, o, e, _r, _a, emit) => { if (e - o >= 4) { emit(u16(b, o + SRC_PORT)); emit(u16(b, o + DST_PORT)); } },
  },
  {
    abbrev: "udp.length", name: "Length", type: "uint16", description: "Length in octets including this header and the data",
    get: (b, o, e) => (e - o >= 6 ? len(b, o) : undefined),
  },
  {
    abbrev: "udp.checksum", name: "Checksum", type: "uint16", base: "hex", description: "Checksum as sent (not verified, as tshark's default)",
    get: (b, o, e, r, a) => (hasChecksum(b, o, e, r, a) ? u16(b, o + CHECKSUM) : undefined),
  },
  {
    abbrev: "udp.checksum.status", name: "Checksum Status", type: "uint8", values: CHECKSUM_STATUS,
    description: "2 unverified; 3 not present (zero over IPv4); 4 illegal (zero over IPv6)",
    get: (b, o, e, r, a) => {
      if (!hasChecksum(b, o, e, r, a)) return undefined;
      if (u16(b, o + CHECKSUM) !== 0) return UNVERIFIED;
      return a & AUX_IPV6 && !(a & AUX_IN_ERROR) ? ILLEGAL : NOT_PRESENT;
    },
  },
  {
    abbrev: "udp.stream", name: "Stream index", type: "uint32", description: "Conversation number (unordered address/port pair, in order of first sight)",
    get: (_b, _o, _e, _r, a) => (udpStreamOf(a) >= UDP_UNNUMBERED ? undefined : udpStreamOf(a)),
  },
  timeField("udp.time_relative", "Time since first frame", "Time relative to first frame in this UDP stream", true),
  timeField("udp.time_delta", "Time since previous frame", "Time delta from previous frame in this UDP stream", false),
  {
    abbrev: "udp.payload", name: "Payload", type: "bytes", description: "Captured bytes after the header, to the end of the IP payload (not cut at udp.length)",
    get: (b, o, e, r, a) => (hasPayload(b, o, e, r, a) ? copy(b, o + UDP_HEADER_LEN, e - o - UDP_HEADER_LEN) : undefined),
    tail: (b, o, e, r, a) => (hasPayload(b, o, e, r, a) ? o + UDP_HEADER_LEN : undefined),
  },
  {
    abbrev: "udp.length.bad", name: "Bad length value", type: "none", description: "Expert: length below 8 or beyond the IP payload",
    get: (b, o, e, r, a) => {
      if (e - o < 6) return undefined;
      const l = effLen(b, o, r, a);
      return l < UDP_HEADER_LEN || (l > r && !(a & AUX_QUOTED)) ? 1 : undefined;
    },
  },
  {
    abbrev: "udp.length.bad_zero", name: "Length is zero but payload < 65536", type: "none", description: "Expert: an IPv6 jumbogram shorter than 65536 bytes",
    get: (b, o, e, r, a) => (e - o >= 6 && a & AUX_IPV6 && len(b, o) === 0 && r < 65536 && r >= UDP_HEADER_LEN ? 1 : undefined),
  },
  {
    abbrev: "udp.checksum.zero", name: "Illegal checksum value (0)", type: "none", description: "Expert: zero checksum over IPv6",
    get: (b, o, e, r, a) => (hasChecksum(b, o, e, r, a) && u16(b, o + CHECKSUM) === 0 && a & AUX_IPV6 && !(a & AUX_IN_ERROR) ? 1 : undefined),
  },
  {
    abbrev: "udp.possible_traceroute", name: "Possible traceroute", type: "none", description: "Expert: a port in LBL traceroute's range (33435-33464)",
    each: (b, o, e, _r, _a, emit) => {
      if (e - o < 4) return;
      if (isTraceroute(u16(b, o + SRC_PORT))) emit(1);
      if (isTraceroute(u16(b, o + DST_PORT))) emit(1);
    },
  },
];

/** The payload is shown unless the datagram is header-only, or quoted in an ICMP error with nothing after the header. */
function hasPayload(b: Uint8Array, o: number, e: number, r: number, a: number): boolean {
  // With no payload byte captured tshark shows the field without a value (it prints ""): we leave it absent.
  return hasChecksum(b, o, e, r, a) && effLen(b, o, r, a) !== UDP_HEADER_LEN && e - o > UDP_HEADER_LEN;
}

// ---------------------------------------------------------------------------------------------------------------

/** Conversation state of the current pass. */
const keys = new EndpointTable();
const keyStream = new IntVec(256, -1);
let streams = 0;

/** The view + hand-off: checks the header, numbers the conversation, hands the payload on by port. */
export const udp: Dissector = {
  proto: "udp",
  name: "User Datagram Protocol",
  fields: FIELDS,
  reset() {
    keys.clear();
    keyStream.reset();
    streams = 0;
  },
  dissect(ctx: DissectContext, b: Uint8Array, o: number, end: number, rep: number) {
    const f = ctx.frame;
    const quoted = inError(f) || fragmented(f);
    let aux = (net.family === 6 && hasAddresses(f) ? AUX_IPV6 : 0) | (inError(f) ? AUX_IN_ERROR : 0) | (fragmented(f) ? AUX_FRAGMENT : 0);
    const c = end - o;
    if (c < UDP_HEADER_LEN) {
      ctx.layer(this, o, end, rep, (UDP_NO_STREAM << AUX_SHIFT) | aux);
      if (!inError(f)) ctx.malformed("udp", "header cut short (fewer than 8 bytes captured)");
      return null;
    }
    const ulen = effLen(b, o, rep, aux);
    if (ulen < UDP_HEADER_LEN) {
      ctx.layer(this, o, end, rep, (UDP_NO_STREAM << AUX_SHIFT) | aux);
      ctx.malformed("udp", `bad length value ${ulen} < 8`);
      return null;
    }
    if (ulen > rep && !quoted) ctx.malformed("udp", `bad length value ${ulen} > IP payload length`);
    const sport = u16(b, o + SRC_PORT), dport = u16(b, o + DST_PORT);
    setSegmentPorts(f, sport, dport);
    // A shallow pass (lib/decode/depth.ts) numbers conversations only when asked to; it marks the datagrams it would
    // have numbered (message tables check).
    const stream = ctx.udpStreams ? streamOf(f, sport, dport) : hasAddresses(f) ? UDP_UNNUMBERED : UDP_NO_STREAM;
    const payload = ulen !== UDP_HEADER_LEN;
    if (payload && !inError(f)) aux |= AUX_TIMESTAMPED;
    ctx.layer(this, o, end, rep, (stream << AUX_SHIFT) | aux);
    // Nothing is handed on without a captured payload byte (tshark shows no layer after udp then).
    if (!payload || c === UDP_HEADER_LEN) return null;
    if (!ctx.followsUdp(sport, dport)) return null;
    const next = byPorts(ctx.tables.udpPort, sport, dport) ?? ctx.tables.data;
    // The payload ends where the UDP length says, or where IP's does if that is shorter (decode_udp_ports).
    const p = o + UDP_HEADER_LEN;
    const prep = Math.min(rep, ulen) - UDP_HEADER_LEN;
    const pend = Math.min(end, p + Math.max(prep, 0));
    return handOff(ctx, next, p, pend, Math.max(prep, 0));
  },
};

/** The stream of this datagram's conversation, numbering a new one on first sight. */
function streamOf(frame: number, sport: number, dport: number): number {
  if (!hasAddresses(frame)) return UDP_NO_STREAM;
  const k = keys.lookup(net.family, net.src, sport, net.dst, dport);
  keyStream.ensure(k);
  let s = keyStream.data[k];
  if (s < 0) {
    s = streams++;
    keyStream.data[k] = s;
  }
  return s;
}

// ---------------------------------------------------------------------------------------------------------------

/** udp.time_relative (since the stream's first datagram) or udp.time_delta (since its previous timestamped one). */
function timeField(abbrev: string, name: string, description: string, relative: boolean): FieldDef {
  const def: FieldDef = { abbrev, name, type: "rel_time", description, deriveDepth: "streams", derive: (src) => streamTimes(src)[relative ? 0 : 1] };
  timeDefs[relative ? 0 : 1] = def;
  return def;
}

function streamTimes(src: DeriveSource): Column[] {
  const layers = src.layers(), hit = timesCache.get(layers);
  if (hit) return hit;
  const id = src.protoId("udp"), { tsSec, tsNsec } = src.file.index, n = src.file.index.count;
  const rel = rowNumbers(timeDefs[0], n, 0), delta = rowNumbers(timeDefs[1], n, 0);
  const firstFrame = new IntVec(256, -1), prevFrame = new IntVec(256, -1);
  for (let l = 0; l < layers.count; l++) {
    if (layers.proto[l] !== id) continue;
    const a = layers.aux[l], s = udpStreamOf(a), f = layers.frameOf(l);
    if (s === UDP_NO_STREAM) continue;
    firstFrame.ensure(s);
    prevFrame.ensure(s);
    if (firstFrame.data[s] < 0) { firstFrame.data[s] = f; prevFrame.data[s] = f; }
    if (!(a & AUX_TIMESTAMPED)) continue;
    const first = firstFrame.data[s], prev = prevFrame.data[s];
    rel.put(f, (tsSec[f] - tsSec[first]) + (tsNsec[f] - tsNsec[first]) / 1e9);
    delta.put(f, (tsSec[f] - tsSec[prev]) + (tsNsec[f] - tsNsec[prev]) / 1e9);
    prevFrame.data[s] = f;
  }
  const cols = [rel.finish(), delta.finish()];
  timesCache.set(layers, cols);
  return cols;
}

/** Info-column summary: "sport → dport Len=N". */
export function summary(b: Uint8Array, o: number, end: number): string {
  if (end - o < 6) return "UDP (truncated)";
  return `${u16(b, o + SRC_PORT)} → ${u16(b, o + DST_PORT)} Len=${len(b, o) - UDP_HEADER_LEN}`;
}
