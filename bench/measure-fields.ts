// The L2–L4 field list of the benchmark, read from the registry (and nothing else, so it works while other parts of
// the library are still being written).

import { allFields } from "../lib/dissectors/registry.js";
import { protoOf } from "../lib/dissectors/field.js";

/** Protocols whose fields make up "full L2–L4 decode". */
export const L2L4_PROTOS: readonly string[] = ["frame", "eth", "vlan", "arp", "ip", "ipv6", "icmp", "icmpv6", "udp", "tcp"];

/** Every registered field of the L2–L4 protocols, in registry order. Reads only the registry. */
export function l2l4Fields(): string[] {
  const out: string[] = [];
  for (const e of allFields()) if (L2L4_PROTOS.includes(protoOf(e.field.abbrev))) out.push(e.field.abbrev);
  return out;
}

/** Which L2–L4 protocols have at least one field registered (the others are not written yet). */
export function registeredProtocols(): { fields: string[]; present: string[]; missing: string[] } {
  const fields = l2l4Fields(), seen = new Set(fields.map(protoOf));
  return { fields, present: L2L4_PROTOS.filter((p) => seen.has(p)), missing: L2L4_PROTOS.filter((p) => !seen.has(p)) };
}
