// ARP and RARP (ethertypes 0x0806, 0x8035). RFC 826, RFC 903, RFC 5227 (probes and announcements);
// Wireshark epan/dissectors/packet-arp.c. Addresses are variable-length: their sizes are in the header.

import type { DissectContext, Dissector } from "./dissector.js";
import { protocolField, type FieldDef, type Getter } from "./field.js";
import { copy, mac, u16, u32 } from "./bytes.js";

export const ARP_OPCODES = {
  1: "request", 2: "reply", 3: "reverse request", 4: "reverse reply", 5: "DRARP-Request", 6: "DRARP-Reply",
  7: "DRARP-Error", 8: "InARP request", 9: "InARP reply", 10: "ARP-NAK",
};
const OP_REQUEST = 1, OP_REPLY = 2, OP_DRARP_ERROR = 7;
const HW_ETHER = 1, HW_EXP_ETHER = 2, HW_IEEE802 = 6;
const PRO_IPV4 = 0x0800, PRO_AX25_IP = 0xcc;

// Byte offsets (RFC 826); the addresses follow at SHA with the sizes HLN and PLN.
const HRD = 0;
const PRO = 2;
const HLN = 4;
const PLN = 5;
const OP = 6;
const SHA = OP + 2;
export const ARP_MIN_LEN = SHA;

const hln = (b: Uint8Array, o: number) => b[o + HLN];
const pln = (b: Uint8Array, o: number) => b[o + PLN];
const fixed = (o: number, end: number) => end - o >= ARP_MIN_LEN;
/** The whole packet, addresses included, was captured. */
const whole = (b: Uint8Array, o: number, end: number) => fixed(o, end) && end - o >= ARP_MIN_LEN + 2 * hln(b, o) + 2 * pln(b, o);
const hwIsEther = (b: Uint8Array, o: number) => { const h = u16(b, o + HRD); return (h === HW_ETHER || h === HW_EXP_ETHER || h === HW_IEEE802) && hln(b, o) === 6; };
const proIsIpv4 = (b: Uint8Array, o: number) => { const p = u16(b, o + PRO); return (p === PRO_IPV4 || p === PRO_AX25_IP) && pln(b, o) === 4; };
const spa = (b: Uint8Array, o: number) => o + SHA + hln(b, o);
const tha = (b: Uint8Array, o: number) => spa(b, o) + pln(b, o);
const tpa = (b: Uint8Array, o: number) => tha(b, o) + hln(b, o);
const op = (b: Uint8Array, o: number) => u16(b, o + OP);

function sameProtoAddr(b: Uint8Array, o: number): boolean {
  const s = spa(b, o), t = tpa(b, o);
  for (let i = 0; i < pln(b, o); i++) if (b[s + i] !== b[t + i]) return false;
  return true;
}
const zeroTha = (b: Uint8Array, o: number) => { const t = tha(b, o); return t + 6 <= tpa(b, o) + pln(b, o) && b[t] === 0 && b[t + 1] === 0 && b[t + 2] === 0 && b[t + 3] === 0 && b[t + 4] === 0 && b[t + 5] === 0; };
const isReqOrReply = (b: Uint8Array, o: number) => op(b, o) === OP_REQUEST || op(b, o) === OP_REPLY;

/** Wireshark's gratuitous / announcement / probe classification (RFC 5227). */
const isGratuitous: Getter = (b, o, e) => (whole(b, o, e) && isReqOrReply(b, o) && sameProtoAddr(b, o) ? 1 : undefined);
const isAnnouncement: Getter = (b, o, e) => (isGratuitous(b, o, e, 0, 0) && op(b, o) === OP_REQUEST && zeroTha(b, o) ? 1 : undefined);
const isProbe: Getter = (b, o, e) =>
  whole(b, o, e) && op(b, o) === OP_REQUEST && !sameProtoAddr(b, o) && zeroTha(b, o) && pln(b, o) >= 4 && u32(b, spa(b, o)) === 0 ? 1 : undefined;

/** An address field: `when` picks the typed variant (MAC / IPv4) or the generic bytes one. */
function addr(at: (b: Uint8Array, o: number) => number, size: (b: Uint8Array, o: number) => number, when: (b: Uint8Array, o: number) => boolean, typed: boolean): Getter {
  return (b, o, e) => {
    if (!whole(b, o, e) || size(b, o) === 0 || when(b, o) !== typed) return undefined;
    const p = at(b, o);
    if (!typed) return copy(b, p, size(b, o));
    return size(b, o) === 6 ? mac(b, p) : u32(b, p);
  };
}
const notDrarpError = (b: Uint8Array, o: number) => op(b, o) !== OP_DRARP_ERROR;

export const FIELDS: readonly FieldDef[] = [
  protocolField("arp", "Address Resolution Protocol", "ARP, RARP, DRARP and InARP packets"),
  { abbrev: "arp.hw.type", name: "Hardware type", type: "uint16", values: { 1: "Ethernet", 6: "IEEE 802 Networks" }, description: "Link-layer address space (1 = Ethernet)", get: (b, o, e) => (fixed(o, e) ? u16(b, o + HRD) : undefined) },
  { abbrev: "arp.proto.type", name: "Protocol type", type: "uint16", base: "hex", description: "Network-layer protocol (an ethertype; 0x0800 = IPv4)", get: (b, o, e) => (fixed(o, e) ? u16(b, o + PRO) : undefined) },
  { abbrev: "arp.hw.size", name: "Hardware size", type: "uint8", description: "Length of a hardware address", get: (b, o, e) => (fixed(o, e) ? hln(b, o) : undefined) },
  { abbrev: "arp.proto.size", name: "Protocol size", type: "uint8", description: "Length of a protocol address", get: (b, o, e) => (fixed(o, e) ? pln(b, o) : undefined) },
  { abbrev: "arp.opcode", name: "Opcode", type: "uint16", values: ARP_OPCODES, description: "Operation (1 request, 2 reply, 3/4 RARP …)", get: (b, o, e) => (fixed(o, e) ? op(b, o) : undefined) },
  { abbrev: "arp.isgratuitous", name: "Is gratuitous", type: "bool", description: "Request or reply whose sender and target protocol addresses are equal", get: isGratuitous },
  { abbrev: "arp.isprobe", name: "Is probe", type: "bool", description: "Request from 0.0.0.0 with a zero target MAC (RFC 5227 probe)", get: isProbe },
  { abbrev: "arp.isannouncement", name: "Is announcement", type: "bool", description: "Gratuitous request with a zero target MAC (RFC 5227 announcement)", get: isAnnouncement },
  { abbrev: "arp.src.hw_mac", name: "Sender MAC address", type: "ether", description: "Sender hardware address (Ethernet)", get: addr((b, o) => o + SHA, hln, hwIsEther, true) },
  { abbrev: "arp.src.hw", name: "Sender hardware address", type: "bytes", description: "Sender hardware address (other hardware types)", get: addr((b, o) => o + SHA, hln, hwIsEther, false) },
  { abbrev: "arp.src.proto_ipv4", name: "Sender IP address", type: "ipv4", description: "Sender protocol address (IPv4)", get: addr(spa, pln, proIsIpv4, true) },
  { abbrev: "arp.src.proto", name: "Sender protocol address", type: "bytes", description: "Sender protocol address (other protocols)", get: addr(spa, pln, proIsIpv4, false) },
  { abbrev: "arp.dst.hw_mac", name: "Target MAC address", type: "ether", description: "Target hardware address (Ethernet)", get: addr(tha, hln, hwIsEther, true) },
  { abbrev: "arp.dst.hw", name: "Target hardware address", type: "bytes", description: "Target hardware address (other hardware types)", get: addr(tha, hln, hwIsEther, false) },
  { abbrev: "arp.dst.proto_ipv4", name: "Target IP address", type: "ipv4", description: "Target protocol address (IPv4)", get: addr(tpa, pln, (b, o) => proIsIpv4(b, o) && notDrarpError(b, o), true) },
  { abbrev: "arp.dst.proto", name: "Target protocol address", type: "bytes", description: "Target protocol address (other protocols)", get: addr(tpa, pln, (b, o) => proIsIpv4(b, o) || !notDrarpError(b, o), false) },
  { abbrev: "arp.dst.drarp_error_status", name: "DRARP error status", type: "uint16", description: "First byte of the target protocol address of a DRARP-Error", get: (b, o, e) => (whole(b, o, e) && pln(b, o) > 0 && op(b, o) === OP_DRARP_ERROR ? b[tpa(b, o)] : undefined) },
];

/** The view: one layer spanning the ARP packet (its reported length is what the header sizes add up to). */
export const arp: Dissector = {
  proto: "arp",
  name: "Address Resolution Protocol",
  fields: FIELDS,
  dissect(ctx: DissectContext, b: Uint8Array, o: number, end: number, rep: number) {
    if (end - o < ARP_MIN_LEN) {
      ctx.layer(this, o, end, rep);
      ctx.malformed("arp", "packet shorter than the 8-byte ARP header");
      return null;
    }
    const total = ARP_MIN_LEN + 2 * hln(b, o) + 2 * pln(b, o);
    if (end - o < total) ctx.malformed("arp", "addresses cut short");
    ctx.layer(this, o, Math.min(end, o + total), Math.min(rep, total));
    return null;
  },
};

/** Info-column summary for requests and replies of IPv4 over Ethernet: "Who has 10.0.0.1? Tell 10.0.0.2". */
export function summary(b: Uint8Array, o: number): string {
  const ip = (p: number) => `${b[p]}.${b[p + 1]}.${b[p + 2]}.${b[p + 3]}`;
  if (op(b, o) === OP_REQUEST) return `Who has ${ip(tpa(b, o))}? Tell ${ip(spa(b, o))}`;
  return `${ip(spa(b, o))} is at ${Array.from(b.subarray(o + SHA, o + SHA + 6), (x) => x.toString(16).padStart(2, "0")).join(":")}`;
}
