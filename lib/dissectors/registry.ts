// The registry: every dissector, every field, and the default hand-offs, one line a registration
// (Wireshark's proto_register_* / proto_reg_handoff_*, gopacket's layertypes.go + ports.go).
// The DSL checker, completion, the table schema and the docs read fields from here and nowhere else.

import type { Dissector } from "./dissector.js";
import type { FieldDef } from "./field.js";
import { HandoffTables } from "./handoff.js";
import { FRAME_FIELDS } from "./frame.js";
import { ethernet } from "./ethernet.js";
import { ethertype } from "./ethertype.js";
// -- link and network layers (imports) --
import { nflog } from "./nflog.js";
import { vlan } from "./vlan.js";
import { llc } from "./llc.js";
import { arp } from "./arp.js";
import { sll } from "./sll.js";
import { nullLoop } from "./null-loop.js";
import { raw } from "./raw.js";
import { ipv4 } from "./ipv4.js";
import { ipv6 } from "./ipv6.js";
import { dstopts, fraghdr, hopopts, routing } from "./ipv6-ext.js";
import { icmp } from "./icmp.js";
import { icmpv6 } from "./icmpv6.js";
// -- transport layers (imports) --
import { tcp } from "./tcp.js";
import { udp } from "./udp.js";
import { data } from "./data.js";
// -- application layers (imports) --
import { nordicBle } from "./nordic-ble.js";
import { bluetoothH4Phdr, hciH4 } from "./bthci-h4.js";
import { bthciAcl } from "./bthci-acl.js";
import { dataTextLines } from "./data-text-lines.js";
import { dns } from "./dns.js";
import { bluetooth } from "./bluetooth.js";
import { btleRf } from "./btle-rf.js";
import { btle } from "./btle.js";
import { btcommonAd } from "./btcommon-ad.js";
import { btl2cap } from "./btl2cap.js";
import { btatt } from "./btatt.js";
import { btsmp } from "./btsmp.js";
import { coap } from "./coap.js";
import { lwm2mtlv } from "./lwm2mtlv.js";
import { lwm2m } from "./lwm2m.js";
import { mbtcp } from "./mbtcp.js";
import { modbus } from "./modbus.js";
import { mqtt } from "./mqtt.js";

/** Every dissector, in registration order. Their index is their layer-table proto id. */
export const DISSECTORS: readonly Dissector[] = [
  ethernet,
  ethertype,
  // -- link and network layers --
  nflog,
  vlan, llc, arp, sll, nullLoop, raw, ipv4, ipv6, hopopts, routing, fraghdr, dstopts, icmp, icmpv6,
  // -- transport layers --
  tcp,
  udp,
  data,
  // -- application layers --
  nordicBle, hciH4, bthciAcl,
  dataTextLines, // media_type "text/plain" (CoAP diagnostic and Content-Format 0 payloads)
  dns,
  bluetooth, btleRf, btle, btcommonAd, btl2cap, btatt, btsmp,
  coap,
  lwm2mtlv, lwm2m,
  mbtcp, modbus,
  mqtt,
];

/** The default hand-offs. A capture copies these; "decode as" edits the copy. */
function registerHandoffs(t: HandoffTables): void {
  t.linktype[1] = ethernet; // LINKTYPE_ETHERNET
  // -- link and network hand-offs --
  t.linktype[239] = nflog; // LINKTYPE_NFLOG
  t.linktype[0] = nullLoop; // LINKTYPE_NULL
  t.linktype[108] = nullLoop; // LINKTYPE_LOOP
  t.linktype[101] = raw; // LINKTYPE_RAW
  t.linktype[12] = raw; // DLT_RAW on most BSDs (Wireshark maps it to raw IP)
  t.linktype[14] = raw; // DLT_RAW on BSD/OS (likewise)
  t.linktype[228] = ipv4; // LINKTYPE_IPV4
  t.linktype[229] = ipv6; // LINKTYPE_IPV6
  t.linktype[113] = sll; // LINKTYPE_LINUX_SLL
  t.linktype[276] = sll; // LINKTYPE_LINUX_SLL2
  t.ethertype[0x0800] = ipv4;
  t.ethertype[0x0806] = arp;
  t.ethertype[0x8035] = arp; // RARP
  t.ethertype[0x86dd] = ipv6;
  t.ethertype[0x8100] = vlan;
  t.ethertype[0x88a8] = vlan;
  t.ethertype[0x9100] = vlan;
  t.ipProto[0] = hopopts;
  t.ipProto[1] = icmp;
  t.ipProto[4] = ipv4; // IP in IP
  t.ipProto[41] = ipv6;
  t.ipProto[43] = routing;
  t.ipProto[44] = fraghdr;
  t.ipProto[58] = icmpv6;
  t.ipProto[60] = dstopts;
  // -- transport hand-offs --
  t.ipProto[6] = tcp; // IP_PROTO_TCP
  t.ipProto[17] = udp; // IP_PROTO_UDP
  // -- application hand-offs --
  t.linktype[272] = nordicBle; // LINKTYPE_NORDIC_BLE (-> btle)
  t.linktype[201] = bluetoothH4Phdr; // LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR (bluetooth -> hci_h4)
  t.udpPort[53] = dns; // DNS (RFC 1035 section 4.2.1); mDNS 5353 and LLMNR 5355 are "mdns"/"llmnr" in tshark 4.0
  t.tcpPort[53] = dns; // DNS over TCP, length-prefixed (RFC 1035 section 4.2.2)
  t.linktype[256] = bluetooth; // LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR (-> btle_rf)
  t.linktype[251] = bluetooth; // LINKTYPE_BLUETOOTH_LE_LL (-> btle)
  t.udpPort[5683] = coap; // CoAP (RFC 7252 section 12.8); 5684 is CoAP over DTLS
  t.tcpPort[502] = mbtcp; // Modbus/TCP (IANA "mbap")
  t.tcpPort[1883] = mqtt; // MQTT (IANA "mqtt"); 8883 is MQTT over TLS
}

// ---------------------------------------------------------------------------------------------------------------

/** A registered field and where it comes from. */
export interface FieldEntry {
  readonly field: FieldDef;
  /** The dissector whose layers hold it; null for frame fields (derived from the frame index). */
  readonly dissector: Dissector | null;
  /** Layer-table proto id (dissector index), -1 for frame fields. */
  readonly protoId: number;
}

const entries = new Map<string, FieldEntry>();
for (const f of FRAME_FIELDS) entries.set(f.abbrev, { field: f, dissector: null, protoId: -1 });
DISSECTORS.forEach((d, id) => {
  d.id = id;
  for (const f of d.fields) {
    if (entries.has(f.abbrev)) throw new Error(`field ${f.abbrev} registered twice`);
    entries.set(f.abbrev, { field: f, dissector: d, protoId: id });
  }
});

const defaults = new HandoffTables();
for (const d of DISSECTORS) defaults.byName.set(d.proto, d);
registerHandoffs(defaults);

/** A fresh copy of the default hand-off tables. */
export function defaultTables(): HandoffTables {
  return defaults.clone();
}

/** The field named `abbrev`, or undefined. */
export function lookupField(abbrev: string): FieldEntry | undefined {
  return entries.get(abbrev);
}

/** Every registered field, frame fields first, then in dissector order. */
export function allFields(): IterableIterator<FieldEntry> {
  return entries.values();
}

/** The dissector for a protocol filter name ("tcp"), or undefined. */
export function lookupProtocol(proto: string): Dissector | undefined {
  return defaults.byName.get(proto);
}

/** Fields whose name starts with `prefix`, sorted by name (what completion offers). */
export function completeField(prefix: string, limit = 200): FieldDef[] {
  const out: FieldDef[] = [];
  for (const e of entries.values()) if (e.field.abbrev.startsWith(prefix)) out.push(e.field);
  out.sort((a, b) => (a.abbrev < b.abbrev ? -1 : a.abbrev > b.abbrev ? 1 : 0));
  return out.slice(0, limit);
}
