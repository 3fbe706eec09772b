// The ethertype dispatch (Wireshark's "ethertype" pseudo-protocol, which tshark 4.0 lists in frame.protocols as
// "eth:ethertype:ip:…"). Ethernet, VLAN tags and Linux cooked headers set ctx.key to the ethertype and hand off here.

import { handOff, type DissectContext, type Dissector } from "./dissector.js";
import { protocolField, type FieldDef } from "./field.js";

export const FIELDS: readonly FieldDef[] = [
  protocolField("ethertype", "Ethertype", "Dispatch on an ethertype (present after Ethernet, VLAN and Linux cooked headers)"),
];

export const ethertype: Dissector = {
  proto: "ethertype",
  name: "Ethertype",
  fields: FIELDS,
  dissect(ctx: DissectContext, b: Uint8Array, o: number, end: number, rep: number) {
    ctx.layer(this, o, end, rep, ctx.key);
    const next = ctx.tables.ethertype[ctx.key] ?? ctx.tables.byName.get("data") ?? null;
    return handOff(ctx, next, o, end, rep);
  },
};
