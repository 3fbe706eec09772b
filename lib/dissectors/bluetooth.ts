// The "bluetooth" pseudo-layer Wireshark puts first on every Bluetooth link type (epan/dissectors/packet-bluetooth.c,
// dissector table "bluetooth.encap"): it carries no bytes of its own and hands the frame to the link type's
// dissector. Its address fields (bluetooth.src/dst) are filled only on a second pass, so tshark -T fields leaves
// them empty; we declare only the protocol.

import { handOff, type DissectContext, type Dissector } from "./dissector.js";
import { protocolField, type FieldDef } from "./field.js";
import { btleRf } from "./btle-rf.js";
import { btle } from "./btle.js";

export const LINKTYPE_BLUETOOTH_LE_LL = 251, LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR = 256;

export const FIELDS: readonly FieldDef[] = [protocolField("bluetooth", "Bluetooth", "Any Bluetooth frame")];

/** The view + hand-off: by link type (bluetooth.encap). */
export const bluetooth: Dissector = {
  proto: "bluetooth",
  name: "Bluetooth",
  fields: FIELDS,
  dissect(ctx: DissectContext, _b: Uint8Array, o: number, end: number, rep: number) {
    ctx.layer(this, o, end, rep);
    const next = ctx.linktype === LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR ? btleRf : ctx.linktype === LINKTYPE_BLUETOOTH_LE_LL ? btle : null;
    return handOff(ctx, next, o, end, rep);
  },
};

/** Info-column summary. */
export function summary(): string {
  return "Bluetooth";
}
