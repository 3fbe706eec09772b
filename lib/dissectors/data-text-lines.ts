// Line-based text (Wireshark epan/dissectors/packet-text-media.c, "data-text-lines"): the media_type dissector for
// text/plain and other text/* types. CoAP hands it a text/plain payload (RFC 7252 section 5.5.2 diagnostic payloads,
// Content-Format 0). tshark 4.0 registers only the protocol field; the lines are tree text without filter names, so
// the layer carries no fields of its own. Decision: -T fields of "data-text-lines" prints the tree label in tshark
// ("Line-based text data: text/plain (1 lines)"); we have no labels and print the abbrev, as for every protocol.

import type { DissectContext, Dissector } from "./dissector.js";
import { protocolField, type FieldDef } from "./field.js";

export const FIELDS: readonly FieldDef[] = [
  protocolField("data-text-lines", "Line-based text data", "Text payload shown line by line"),
];

/** Records the text; nothing follows it. */
export const dataTextLines: Dissector = {
  proto: "data-text-lines",
  name: "Line-based text data",
  fields: FIELDS,
  dissect(ctx: DissectContext, _b: Uint8Array, o: number, end: number, rep: number) {
    ctx.layer(this, o, end, rep);
    return null;
  },
};

/** Info-column summary: tshark leaves the Info column to the carrier; this is for inspection. */
export function summary(o: number, end: number): string {
  return `${end - o} bytes of text`;
}
