// Hand-off tables: which dissector follows a link type, an ethertype, an IP protocol number or a port
// (Wireshark's dissector tables "wtap_encap", "ethertype", "ip.proto", "udp.port", "tcp.port"; gopacket's
// layertypes.go + ports.go). The registrations themselves are in registry.ts, one line each.
// Each capture gets its own copy, so "Decode As" on one capture does not change another.

import type { Dissector } from "./dissector.js";

type Table = (Dissector | undefined)[];

/** Dense lookup tables indexed by the 16-bit (or smaller) key, so the hot path is one array load. */
export class HandoffTables {
  readonly linktype: Table = new Array(65536);
  readonly ethertype: Table = new Array(65536);
  readonly ipProto: Table = new Array(256);
  readonly udpPort: Table = new Array(65536);
  readonly tcpPort: Table = new Array(65536);
  /** Name -> dissector, for "decode as" by protocol name. */
  readonly byName = new Map<string, Dissector>();
  /** byName's "data": the fallback of every hand-off, read once per layer, so kept in a field rather than looked up. */
  get data(): Dissector | null {
    return (this.dataDissector ??= this.byName.get("data") ?? null);
  }
  private dataDissector: Dissector | null | undefined;

  clone(): HandoffTables {
    const t = new HandoffTables();
    for (const k of ["linktype", "ethertype", "ipProto", "udpPort", "tcpPort"] as const) {
      const src = this[k], dst = t[k];
      for (let i = 0; i < src.length; i++) if (src[i] !== undefined) dst[i] = src[i];
    }
    for (const [k, v] of this.byName) t.byName.set(k, v);
    return t;
  }
}

/** The port-based choice both UDP and TCP make: the lower port first, as Wireshark's "try low port first" does. */
export function byPorts(table: Table, src: number, dst: number): Dissector | null {
  const lo = src < dst ? src : dst, hi = src < dst ? dst : src;
  return table[lo] ?? table[hi] ?? null;
}
