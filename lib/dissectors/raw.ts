// Raw IP link types: LINKTYPE_RAW (101) and the legacy DLT_RAW values 12 and 14 that Wireshark maps to the same
// encapsulation (wiretap pcap-common.c). https://www.tcpdump.org/linktypes/LINKTYPE_RAW.html; Wireshark
// epan/dissectors/packet-raw.c: the version nibble picks IPv4 or IPv6 (the `raw` layer stays in frame.protocols as
// "raw:ip:…"). Old Linux PPP and ISDN captures put a PPP header or 10 zero bytes first; those are recognised too.
// LINKTYPE_IPV4 (228) and LINKTYPE_IPV6 (229) need no such layer: the registry maps them to ip and ipv6 directly.

import { handOff, type DissectContext, type Dissector } from "./dissector.js";
import { protocolField, type FieldDef } from "./field.js";
import { u16 } from "./bytes.js";

const PPP_HDLC = 0xff03;
/** The Linux ISDN driver's fake MAC address before a PPP header. */
const ISDN_FAKE_MAC = 6;
/** ...and the zeroes it sends instead while the link is down. */
const ISDN_DOWN_ZEROES = 10;

export const FIELDS: readonly FieldDef[] = [
  protocolField("raw", "Raw packet data", "A raw IP link type: the frame starts with an IPv4 or IPv6 header"),
];

function zeroes(b: Uint8Array, o: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (b[o + i] !== 0) return false;
  return true;
}

/** The hand-off by the first nibble; short frames are malformed, as Wireshark's reads throw on them. */
export const raw: Dissector = {
  proto: "raw",
  name: "Raw packet data",
  fields: FIELDS,
  dissect(ctx: DissectContext, b: Uint8Array, o: number, end: number, rep: number) {
    ctx.layer(this, o, end, rep);
    const n = end - o, byName = ctx.tables.byName, data = ctx.tables.data;
    if (n < 2) {
      ctx.malformed("raw", "frame shorter than 2 bytes");
      return null;
    }
    const ppp = byName.get("ppp_hdlc") ?? data;
    if (u16(b, o) === PPP_HDLC) return handOff(ctx, ppp, o, end, rep);
    if (n < ISDN_FAKE_MAC + 2) {
      ctx.malformed("raw", "frame too short to tell its encapsulation");
      return null;
    }
    if (u16(b, o + ISDN_FAKE_MAC) === PPP_HDLC) return handOff(ctx, ppp, o + ISDN_FAKE_MAC, end, rep - ISDN_FAKE_MAC);
    if (n < ISDN_DOWN_ZEROES) {
      ctx.malformed("raw", "frame too short to tell its encapsulation");
      return null;
    }
    if (zeroes(b, o, ISDN_DOWN_ZEROES)) return handOff(ctx, byName.get("ip") ?? data, o + ISDN_DOWN_ZEROES, end, rep - ISDN_DOWN_ZEROES);
    const version = b[o] >> 4;
    const next = version === 4 ? byName.get("ip") : version === 6 ? byName.get("ipv6") : undefined;
    return handOff(ctx, next ?? data, o, end, rep);
  },
};
