// The contract every protocol module implements (gopacket's DecodingLayer, Wireshark's dissector_t), and the
// per-pass context it writes into. A dissector decodes one header, records its layer, and names the next dissector;
// the walker in lib/decode/walk.ts loops until a dissector returns null. No dissector allocates per packet.

import type { FieldDef } from "./field.js";
import type { HandoffTables } from "./handoff.js";

/** One protocol: its fields and its header decoder. */
export interface Dissector {
  /** Wireshark's protocol filter name: "eth", "ip", "tcp", "mqtt". Also the abbrev of its presence field. */
  readonly proto: string;
  /** Wireshark's protocol name: "Transmission Control Protocol". */
  readonly name: string;
  /** Every field this protocol declares, the presence field first. */
  readonly fields: readonly FieldDef[];
  /**
   * Decodes the PDU at b[o..end) (end = one past the last captured byte, rep = its reported length on the wire).
   * Records the layer with `ctx.layer(...)`, flags problems with `ctx.malformed(...)`, and for the hand-off sets
   * ctx.next{Off,End,Rep} and returns the next dissector, or null when nothing follows.
   * Contract: never throws, never reads outside b[o..end).
   */
  dissect(ctx: DissectContext, b: Uint8Array, o: number, end: number, rep: number): Dissector | null;
  /**
   * Whether a layer shows in frame.protocols (default yes). Wireshark lists "mbtcp" once per TCP payload but
   * "modbus" once per ADU, and "mqtt" once per segment: the repeats are recorded as layers but not listed.
   */
  listed?(aux: number): boolean;
  /** Assigned by the registry: the layer table stores this instead of the object. */
  id?: number;
  /** Called once before a pass over a capture, to clear per-capture state (conversation tables, fragments). */
  reset?(): void;
}

/** What a dissector may do to the pass it runs in. Implemented by lib/decode/walk.ts. */
export interface DissectContext {
  /** 0-based index of the frame being dissected. */
  readonly frame: number;
  /** Link-layer type of the frame (pcap LINKTYPE_*). */
  readonly linktype: number;
  /** Frame timestamp, seconds since the epoch (double; the exact form stays in the frame index). */
  readonly time: number;
  /** This capture's hand-off tables (with its "decode as" entries). */
  readonly tables: HandoffTables;
  /**
   * Whether this pass numbers TCP (UDP) conversations (lib/decode/depth.ts: a shallow pass may not). A segment
   * (datagram) that would have been numbered then gets the transport's "unnumbered" stream instead of none.
   */
  readonly tcpStreams: boolean;
  readonly udpStreams: boolean;
  /**
   * Whether this pass follows a TCP/UDP payload that `d` would dissect (always, in a full pass). A transport that
   * gets false records its own layer and stops: nothing the pass was asked for lies above it.
   */
  follows(d: Dissector | null | undefined): boolean;
  /** follows() for the dissector TCP would hand a segment between these ports to (either port's, else data). */
  followsTcp(sport: number, dport: number): boolean;
  /** follows() for the dissector UDP would hand a datagram between these ports to (handoff.ts byPorts, else data). */
  followsUdp(sport: number, dport: number): boolean;
  /**
   * Records that `d` occupies b[o..end) with reported length rep. `aux` is one number the dissector keeps for its
   * getters (tcp keeps its stream index there). Returns the layer's index, or -1 when the pass does not record
   * this protocol (lib/decode/depth.ts: a pass records only the protocols asked for).
   */
  layer(d: Dissector, o: number, end: number, rep: number, aux?: number): number;
  /** Marks the frame malformed (Wireshark's "[Malformed Packet]" expert info); decoding goes on. */
  malformed(proto: string, reason: string): void;
  /** Where the next dissector starts, captured end and reported length (set before returning it). */
  nextOff: number;
  nextEnd: number;
  nextRep: number;
  /** A hand-off key for a dispatching pseudo-layer (the ethertype for `ethertype`). */
  key: number;
  /**
   * Hands bytes that are not in the frame (a reassembled datagram or PDU) to the next dissector: after this call,
   * nextOff/nextEnd index into `bytes`, and layers recorded from here on point at it.
   */
  useBuffer(bytes: Uint8Array): Uint8Array;
  /**
   * Runs a whole sub-chain starting at `d` over b[o..end) and comes back (Wireshark's call_dissector): how one
   * segment carrying several PDUs dissects each. `b` may be the frame's buffer or other bytes (a reassembled PDU).
   * The layers it records belong to the current frame.
   */
  call(d: Dissector, b: Uint8Array, o: number, end: number, rep: number): void;
}

/** Shorthand for a dissector's "hand off and return next" tail. */
export function handOff(ctx: DissectContext, next: Dissector | null, o: number, end: number, rep: number): Dissector | null {
  if (next === null) return null;
  ctx.nextOff = o;
  ctx.nextEnd = end;
  ctx.nextRep = rep;
  return next;
}
