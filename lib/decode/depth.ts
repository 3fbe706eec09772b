// How deep a dissection pass goes. Most questions an analyst asks first are about addresses and ports; numbering
// every TCP/UDP conversation, running TCP sequence analysis and reassembling application PDUs is most of a full
// pass's cost and changes none of those answers. So a pass dissects only what the requested fields need:
//
//   - link, network and transport headers always (they are cheap, and ICMP errors quote them);
//   - conversation numbering (tcp.stream, udp.stream) only when asked for, each transport on its own (a message table
//     of a protocol that only rides TCP has no UDP layer to number);
//   - a TCP/UDP payload only when its port dissector can lead to a requested protocol (TCP sequence analysis and
//     reassembly run only for those streams, since they serve the hand-off);
//   - and it records in the layer table only the layers of the protocols asked for (a filter on tcp.port writes no
//     eth, ip or udp layer: writing the layers of every frame was a fifth of a cold filter's time). A later question
//     about another protocol makes a new pass, as a deeper one does;
//   - and, for a message table, only in the frames holding a message (WalkDepth.anchor): an MQTT table reads the ip
//     and tcp layers of its rows' frames, not those of the other nine frames in ten.
//
// Every layer a shallow pass records is identical to the full pass's (the same dissectors decide the same things);
// it just records fewer. test/decode/depth.test.ts checks that on every capture. Anything this module cannot prove
// shallow-safe gets the full pass.

import type { Dissector } from "../dissectors/dissector.js";
import type { HandoffTables } from "../dissectors/handoff.js";

/** What a pass must do beyond the headers up to the transport layer. */
export interface WalkDepth {
  /** Number TCP conversations (the stream index in the tcp layers' aux). */
  readonly tcpStreams: boolean;
  /** Number UDP conversations (the stream index in the udp layers' aux). */
  readonly udpStreams: boolean;
  /** Protocols to follow above TCP/UDP (by name); null follows every payload (the full pass). */
  readonly payload: ReadonlySet<string> | null;
  /** Protocols whose layers the pass records (by name); null (or absent) records every layer. */
  readonly record?: ReadonlySet<string> | null;
  /**
   * Protocols (by name) a frame must hold a layer of for the pass to keep any of its layers; null (or absent) keeps
   * every frame's. A frame without one keeps its problems (frame.malformed), not its layers.
   */
  readonly anchor?: ReadonlySet<string> | null;
}

export const FULL_DEPTH: WalkDepth = { tcpStreams: true, udpStreams: true, payload: null };
export const HEADERS_DEPTH: WalkDepth = { tcpStreams: false, udpStreams: false, payload: new Set() };
export const STREAMS_DEPTH: WalkDepth = { tcpStreams: true, udpStreams: true, payload: new Set() };
/** What fields computed from the frame index alone need: no pass, so any table will do (it records nothing more). */
export const INDEX_DEPTH: WalkDepth = { tcpStreams: false, udpStreams: false, payload: new Set(), record: new Set() };

/**
 * Protocols a pass dissects whatever its depth: everything below TCP/UDP payloads, and the stacks a link type starts
 * that never pass through TCP/UDP (Bluetooth LE, NFLOG's header). A field of these needs no payload hand-off
 * (derived fields declare their own needs: FieldDef.deriveDepth).
 */
const HEADER_PROTOS = new Set([
  "eth", "ethertype", "vlan", "llc", "arp", "sll", "null", "raw", "nflog", "ip", "ipv6", "ipv6.hopopts", "ipv6.routing",
  "ipv6.fraghdr", "ipv6.dstopts", "icmp", "icmpv6", "tcp", "udp",
  "nordic_ble", "hci_h4", "bthci_acl", "bluetooth", "btle_rf", "btle", "btcommon", "btl2cap", "btatt", "btsmp",
]);

/**
 * Protocols carried inside another application protocol rather than found by port: modbus inside mbtcp's ADU,
 * LwM2M inside CoAP payloads. A pass that wants one must follow its carrier.
 */
const CARRIED_BY: Record<string, readonly string[]> = {
  modbus: ["mbtcp"],
  lwm2mtlv: ["coap"],
  lwm2m: ["coap"],
};

/**
 * The depth a set of layer fields needs (protocol names of the fields, with their abbrevs). Payload protocols are
 * followed by name only when some TCP/UDP port table entry is that protocol or its carrier; otherwise full depth.
 */
export function depthFor(fields: readonly { abbrev: string; proto: string }[], tables: HandoffTables): WalkDepth {
  let tcpStreams = false, udpStreams = false;
  const payload = new Set<string>();
  const onPorts = portProtocols(tables);
  for (const { abbrev, proto } of fields) {
    if (HEADER_PROTOS.has(proto)) {
      if (abbrev === "tcp.stream") tcpStreams = true;
      else if (abbrev === "udp.stream") udpStreams = true;
      continue;
    }
    const via = onPorts.has(proto) ? [proto] : CARRIED_BY[proto]?.filter((c) => onPorts.has(c)) ?? [];
    if (via.length === 0) return FULL_DEPTH;
    for (const v of via) payload.add(v);
  }
  return { tcpStreams, udpStreams, payload, record: new Set(fields.map((f) => f.proto)) };
}

/**
 * The transports a payload protocol reaches a pass by: tcp (udp) when it or its carrier is on that transport's port
 * table. Null for a header protocol, or one no port leads to: it may sit anywhere in a frame.
 */
export function transportsOf(proto: string, tables: HandoffTables): { tcp: boolean; udp: boolean } | null {
  if (HEADER_PROTOS.has(proto)) return null;
  const via = [proto, ...(CARRIED_BY[proto] ?? [])];
  const on = (t: HandoffTables["tcpPort"]) => t.some((d) => d !== undefined && via.includes(d.proto));
  const tcp = on(tables.tcpPort), udp = on(tables.udpPort);
  return tcp || udp ? { tcp, udp } : null;
}

/** True when a pass of depth `have` recorded everything a pass of depth `want` would. */
export function covers(have: WalkDepth, want: WalkDepth): boolean {
  if ((want.tcpStreams && !have.tcpStreams) || (want.udpStreams && !have.udpStreams)) return false;
  const hr = have.record ?? null, wr = want.record ?? null;
  if (hr !== null && (wr === null || [...wr].some((p) => !hr.has(p)))) return false;
  // Frames kept by `want` must be kept by `have`: every frame, or those with a layer of one of want's anchors.
  const ha = have.anchor ?? null, wa = want.anchor ?? null;
  if (ha !== null && (wa === null || [...wa].some((p) => !ha.has(p)))) return false;
  if (have.payload === null) return true;
  if (want.payload === null) return false;
  for (const p of want.payload) if (!have.payload.has(p)) return false;
  return true;
}

/** The smallest depth covering both. */
export function union(a: WalkDepth, b: WalkDepth): WalkDepth {
  const payload = a.payload === null || b.payload === null ? null : new Set([...a.payload, ...b.payload]);
  const ar = a.record ?? null, br = b.record ?? null;
  const record = ar === null || br === null ? null : new Set([...ar, ...br]);
  const aa = a.anchor ?? null, ba = b.anchor ?? null;
  const anchor = aa === null || ba === null ? null : new Set([...aa, ...ba]);
  return { tcpStreams: a.tcpStreams || b.tcpStreams, udpStreams: a.udpStreams || b.udpStreams, payload, record, anchor };
}

/**
 * A pass-time test of whether a payload handed to `d` must be followed: a dense array over dissector ids, so TCP
 * and UDP pay one array load per segment. For the port choice TCP and UDP make, a code per port (built from this
 * capture's tables when the pass starts, since "decode as" may change them between passes): one 64 KiB array stays
 * in cache, where the 65536-entry dissector tables would cost a cache miss per ephemeral port.
 */
export class PayloadGate {
  /** True for the full pass: every payload is followed. */
  readonly all: boolean;
  private readonly wanted: Uint8Array;
  /** Per TCP (UDP) port: NONE, SKIP (a dissector this pass does not follow) or FOLLOW. */
  private readonly tcp: Uint8Array;
  private readonly udp: Uint8Array;
  /** Whether a payload no port claims (the "data" fallback) is followed. */
  private readonly data: boolean;

  constructor(depth: WalkDepth, dissectors: readonly Dissector[], tables: HandoffTables) {
    this.all = depth.payload === null;
    this.wanted = new Uint8Array(dissectors.length);
    if (depth.payload) for (const d of dissectors) if (depth.payload.has(d.proto)) this.wanted[d.id!] = 1;
    this.data = this.follows(tables.data);
    this.tcp = this.portCodes(tables.tcpPort);
    this.udp = this.portCodes(tables.udpPort);
  }

  /** Whether a payload whose dissector is `d` is followed. */
  follows(d: Dissector | null | undefined): boolean {
    return this.all || (d != null && this.wanted[d.id!] === 1);
  }

  /** TCP's test: a followed dissector on either port, or the data fallback when neither port has one. */
  followsTcp(sport: number, dport: number): boolean {
    if (this.all) return true;
    const a = this.tcp[sport], b = this.tcp[dport];
    return a === FOLLOW || b === FOLLOW || (a === NONE && b === NONE && this.data);
  }

  /** UDP's test, as its hand-off chooses (handoff.ts byPorts): the lower port's dissector, else the higher's, else data. */
  followsUdp(sport: number, dport: number): boolean {
    if (this.all) return true;
    const lo = this.udp[sport < dport ? sport : dport], hi = this.udp[sport < dport ? dport : sport];
    return lo !== NONE ? lo === FOLLOW : hi !== NONE ? hi === FOLLOW : this.data;
  }

  private portCodes(table: HandoffTables["tcpPort"]): Uint8Array {
    const out = new Uint8Array(65536);
    table.forEach((d, port) => { if (d !== undefined) out[port] = this.follows(d) ? FOLLOW : SKIP; });
    return out;
  }
}

const NONE = 0, SKIP = 1, FOLLOW = 2;

/** Every protocol some TCP or UDP port hands to (the defaults plus this capture's "decode as" entries). */
function portProtocols(tables: HandoffTables): Set<string> {
  const out = new Set<string>();
  for (const t of [tables.tcpPort, tables.udpPort]) for (const d of t) if (d !== undefined) out.add(d.proto);
  return out;
}

/** Text for messages and tests: "headers", "headers+streams", "headers+tcp streams", "payload of mqtt, mbtcp", "full". */
export function describeDepth(d: WalkDepth): string {
  if (d.payload === null) return "full";
  const streams = d.tcpStreams && d.udpStreams ? "+streams" : d.tcpStreams ? "+tcp streams" : d.udpStreams ? "+udp streams" : "";
  const parts = [`headers${streams}`];
  if (d.payload.size) parts.push(`payload of ${[...d.payload].join(", ")}`);
  if (d.anchor) parts.push(`frames with ${[...d.anchor].join(", ")}`);
  return parts.join(", ");
}
