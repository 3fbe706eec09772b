// Undecoded payload (Wireshark epan/dissectors/packet-data.c): what TCP, UDP and the other dispatchers hand their
// payload to when no dissector claims it. tshark shows it as "data" in frame.protocols with the bytes and their
// count; with zero captured bytes the layer is there but carries no fields.

import type { DissectContext, Dissector } from "./dissector.js";
import { protocolField, type FieldDef } from "./field.js";
import { copy } from "./bytes.js";

export const FIELDS: readonly FieldDef[] = [
  protocolField("data", "Data", "Payload no dissector decoded"),
  {
    abbrev: "data.data", name: "Data", type: "bytes", description: "The undecoded bytes (as captured)",
    get: (b, o, end) => (end > o ? copy(b, o, end - o) : undefined),
  },
  {
    abbrev: "data.len", name: "Length", type: "int32", description: "Number of undecoded bytes captured",
    get: (_b, o, end) => (end > o ? end - o : undefined),
  },
];

/** Records the payload; nothing follows it. */
export const data: Dissector = {
  proto: "data",
  name: "Data",
  fields: FIELDS,
  dissect(ctx: DissectContext, _b: Uint8Array, o: number, end: number, rep: number) {
    ctx.layer(this, o, end, rep);
    return null;
  },
};

/** Info-column summary: "N bytes". */
export function summary(o: number, end: number): string {
  return `${end - o} bytes`;
}
