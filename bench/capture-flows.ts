// The conversations of the benchmark capture, one generator per kind, each emitting real wire formats:
// HTTP/1.1 (RFC 9112), TLS 1.2 application data records (RFC 5246 §6.2), MQTT 3.1.1 (OASIS mqtt-v3.1.1 §2-3),
// Modbus TCP (Modbus Messaging on TCP/IP V1.0b §3.1 MBAP; Modbus Application Protocol V1.1b3 §6.3, §6.12, §7),
// DNS (RFC 1035 §4, RFC 6891 OPT), NTP v4 (RFC 5905 §7.3), syslog (RFC 3164), RTP (RFC 3550 §5.1),
// ICMP echo and port unreachable (RFC 792), ICMPv6 echo and neighbour discovery (RFC 4443, RFC 4861 §4.3-4.4),
// ARP (RFC 826).

import { TcpConn, type Flow, type Host, type Net } from "./capture-net.js";
import { ETH_ARP, ETH_IPV6, IP_UDP } from "./pcap-writer.js";
import {
  arpBody, dnsAnswer, dnsHeader, mbap, mqttConnect, mqttPublish, mqttSubscribe, ntpPacket, opt, question, stream, telemetry, tlsHeader,
  tlsHeaderText,
} from "./capture-wire.js";

const ephemeral = (net: Net) => net.rng.range(32768, 60999);

// --- TCP applications ---------------------------------------------------------------------------------------------

/** HTTP/1.1 keep-alive: 1-3 GET requests, each answered by a response of 200 B to 40 kB. */
export function* http(net: Net): Flow {
  const r = net.rng, c = new TcpConn(net.link(r.pick(net.clients), r.pick(net.remote), r.chance(0.1)), ephemeral(net), r.pick([80, 8080]));
  yield* c.handshake();
  for (let k = r.range(1, 3); k > 0; k--) {
    const path = `/api/v1/${r.pick(["items", "status", "metrics", "config"])}/${r.int(100000)}`;
    yield* c.send(true, (w) => w.ascii(`GET ${path} HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n`));
    const body = r.chance(0.85) ? r.range(100, 2500) : r.range(2500, 20000);
    const head = `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${body}\r\n\r\n`;
    yield* c.bulk(false, head.length + body, (w, off, n) => stream(net, w, head, off, n));
  }
  yield* c.close(r.chance(0.5));
}

/** TLS 1.2 application data both ways: each message one record (content type 23, version 0x0303). */
export function* tls(net: Net): Flow {
  const r = net.rng, c = new TcpConn(net.link(r.pick(net.clients), r.pick(net.remote), r.chance(0.15)), ephemeral(net), 443);
  yield* c.handshake();
  for (let k = r.range(1, 4); k > 0; k--) {
    yield* c.send(true, (w) => { const n = r.range(60, 600); tlsHeader(w, n); net.random(n); });
    const n = r.chance(0.85) ? r.range(100, 3000) : r.range(3000, 16000), head = tlsHeaderText(n);
    yield* c.bulk(false, n + 5, (w, off, len) => { if (off === 0) { w.bytes(head); net.random(len - 5); } else net.random(len); });
  }
  yield* c.close(true);
}

/** A chatty binary protocol (database or SSH-like): many small request/response pairs. */
export function* chatty(net: Net): Flow {
  const r = net.rng, c = new TcpConn(net.link(r.pick(net.clients), r.pick(net.remote), r.chance(0.1)), ephemeral(net), r.pick([22, 3306, 5432, 6379]));
  yield* c.handshake();
  for (let k = r.range(4, 30); k > 0; k--) {
    yield* c.send(true, () => net.random(r.range(20, 200)));
    yield* c.send(false, () => net.random(r.range(30, 900)));
    if (r.chance(0.4)) yield* c.ack(true);
  }
  yield* c.close(r.chance(0.5));
}

/** MQTT 3.1.1 session of a sensor: CONNECT, SUBSCRIBE, telemetry PUBLISHes (QoS 0/1), PINGs, DISCONNECT. */
export function* mqtt(net: Net): Flow {
  const r = net.rng, c = new TcpConn(net.link(r.pick(net.clients), net.broker, r.chance(0.05)), ephemeral(net), 1883);
  const id = `sensor-${r.u32().toString(16)}`, line = `plant/line${r.range(1, 4)}`;
  let pid = 1;
  yield* c.handshake();
  yield* c.send(true, (w) => mqttConnect(w, id, r.chance(0.5) ? "plant" : undefined));
  yield* c.send(false, (w) => w.u32(0x20020000)); // CONNACK: session present 0, return code 0
  if (r.chance(0.6)) {
    const p = pid++;
    yield* c.send(true, (w) => mqttSubscribe(w, p, `${line}/cmd/#`, 1));
    yield* c.send(false, (w) => { w.u16(0x9003); w.u16(p); w.u8(1); }); // SUBACK granted QoS 1
  }
  for (let k = r.range(10, 80); k > 0; k--) {
    const u = r.int(100), topic = `${line}/${r.pick(["temp", "pressure", "flow", "vibration"])}/${id}`;
    if (u < 70) {
      yield* c.send(true, (w) => { mqttPublish(w, topic, telemetry(net), 0, 0); if (r.chance(0.1)) mqttPublish(w, topic, telemetry(net), 0, 0); });
      if (r.chance(0.5)) yield* c.ack(false);
    } else if (u < 85) {
      if ((pid & 0xffff) === 0) pid++;
      const p = pid++ & 0xffff;
      yield* c.send(true, (w) => mqttPublish(w, topic, r.chance(0.1) ? "x".repeat(r.range(200, 1200)) : telemetry(net), 1, p));
      yield* c.send(false, (w) => { w.u16(0x4002); w.u16(p); }); // PUBACK
    } else if (u < 93) {
      yield* c.send(false, (w) => mqttPublish(w, `${line}/cmd/setpoint`, `{"value":${r.int(1000) / 10}}`, 0, 0));
      yield* c.ack(true);
    } else {
      yield* c.send(true, (w) => w.u16(0xc000)); // PINGREQ
      yield* c.send(false, (w) => w.u16(0xd000)); // PINGRESP
    }
  }
  yield* c.send(true, (w) => w.u16(0xe000)); // DISCONNECT
  yield* c.close(true);
}

/** Modbus TCP polling of a PLC: FC3 reads, FC16 writes, now and then an exception response. */
export function* modbus(net: Net): Flow {
  const r = net.rng, c = new TcpConn(net.link(r.pick(net.clients.slice(0, 8)), r.pick(net.plcs)), ephemeral(net), 502);
  const unit = r.chance(0.7) ? 1 : r.range(1, 247);
  let tid = r.int(65536);
  yield* c.handshake();
  for (let k = r.range(20, 150); k > 0; k--) {
    const t = tid++ & 0xffff, u = r.int(100), addr = r.int(2000), qty = r.range(1, u < 70 ? 60 : 20);
    if (u < 70) {
      yield* c.send(true, (w) => { mbap(w, t, unit, 5); w.u8(3); w.u16(addr); w.u16(qty); });
      yield* c.send(false, (w) => { mbap(w, t, unit, 2 + 2 * qty); w.u8(3); w.u8(2 * qty); for (let i = 0; i < qty; i++) w.u16(r.int(65536)); });
    } else if (u < 95) {
      yield* c.send(true, (w) => { mbap(w, t, unit, 6 + 2 * qty); w.u8(16); w.u16(addr); w.u16(qty); w.u8(2 * qty); for (let i = 0; i < qty; i++) w.u16(r.int(65536)); });
      yield* c.send(false, (w) => { mbap(w, t, unit, 5); w.u8(16); w.u16(addr); w.u16(qty); });
    } else {
      yield* c.send(true, (w) => { mbap(w, t, unit, 5); w.u8(3); w.u16(60000 + addr); w.u16(qty); });
      yield* c.send(false, (w) => { mbap(w, t, unit, 2); w.u8(0x83); w.u8(2); }); // ILLEGAL DATA ADDRESS
    }
    if (r.chance(0.5)) yield* c.ack(true);
  }
  yield* c.close(true);
}

// --- UDP ----------------------------------------------------------------------------------------------------------

const DNS_TYPES = [1, 1, 1, 28, 28, 15, 16, 5, 12];
const LABELS = ["www", "api", "cdn", "mail", "time", "updates", "telemetry", "auth", "static", "mqtt"];
const DOMAINS = ["example.com", "example.org", "example.net", "plant.local", "vendor.example"];

/** One DNS lookup: a query (RD, often with an EDNS OPT record) and, mostly, its response. */
export function* dns(net: Net): Flow {
  const r = net.rng, v6 = r.chance(0.15), link = net.link(r.pick(net.clients), net.resolver, v6), sport = ephemeral(net);
  const type = r.pick(DNS_TYPES), id = r.int(65536), edns = r.chance(0.6);
  const name = type === 12 ? `${r.int(256)}.${r.int(256)}.51.198.in-addr.arpa` : `${r.pick(LABELS)}${r.chance(0.3) ? r.int(100) : ""}.${r.pick(DOMAINS)}`;
  link.head(true, IP_UDP);
  net.w.udp(sport, 53);
  dnsHeader(net.w, id, 0x0100, 0, edns);
  question(net.w, name, type);
  if (edns) opt(net.w);
  net.end(true); yield;
  if (r.chance(0.05)) return; // unanswered
  link.head(false, IP_UDP);
  net.w.udp(53, sport);
  dnsAnswer(net, id, name, type, edns);
  net.end(false); yield;
}

/** NTP v4 client request and server response (48 bytes each). */
export function* ntp(net: Net): Flow {
  const r = net.rng, link = net.link(r.pick(net.clients), r.pick(net.remote)), sport = r.chance(0.5) ? 123 : ephemeral(net);
  for (let k = 0; k < 2; k++) {
    link.head(k === 0, IP_UDP);
    net.w.udp(k === 0 ? sport : 123, k === 0 ? 123 : sport);
    ntpPacket(net.w, k === 0 ? 0x23 : 0x24, k === 0 ? 0 : 2);
    net.end(k === 0); yield;
  }
}

/** A burst of RFC 3164 syslog lines from a device to the collector. */
export function* syslog(net: Net): Flow {
  const r = net.rng, link = net.link(r.pick(net.plcs), net.gateway), sport = ephemeral(net);
  for (let k = r.range(1, 8); k > 0; k--) {
    link.head(true, IP_UDP);
    net.w.udp(sport, 514);
    net.w.ascii(`<${r.range(8, 191)}>Nov 14 22:${String(r.int(60)).padStart(2, "0")}:${String(r.int(60)).padStart(2, "0")} plc-${r.int(24)} io[${r.int(9999)}]: `);
    net.text(r.range(20, 160));
    net.end(true); yield;
  }
}

/** One direction of an RTP audio stream (PCMU, 20 ms packets, 160-byte payloads). */
export function* rtp(net: Net): Flow {
  const r = net.rng, link = net.link(r.pick(net.clients), r.pick(net.remote), r.chance(0.1));
  const sport = r.range(20000, 29999) * 2, dport = r.range(20000, 29999) * 2, ssrc = r.u32();
  let seq = r.int(65536), ts = r.u32();
  for (let k = r.range(20, 120); k > 0; k--, seq++, ts += 160) {
    link.head(true, IP_UDP);
    net.w.udp(sport, dport);
    net.w.u16(0x8000); net.w.u16(seq & 0xffff); net.w.u32(ts); net.w.u32(ssrc);
    net.random(160);
    net.end(true); yield;
  }
}

// --- ICMP, ICMPv6, ARP --------------------------------------------------------------------------------------------

/** ping: 1-5 echo request/reply pairs with Linux's 56-byte payload (8-byte timestamp, then 0x10, 0x11, ...). */
export function* ping(net: Net): Flow {
  const r = net.rng, v6 = r.chance(0.3), link = net.link(r.pick(net.clients), r.pick(r.chance(0.5) ? net.remote : net.plcs), v6);
  const id = r.int(65536);
  for (let s = 1, k = r.range(1, 5); s <= k; s++) {
    for (const fromA of [true, false]) {
      link.head(fromA, v6 ? 58 : 1);
      net.w.icmp(v6 ? (fromA ? 128 : 129) : (fromA ? 8 : 0), 0, (id << 16 | s) >>> 0);
      net.w.u32(Math.floor(net.w.now / 1e6)); net.w.u32(net.w.now % 1e6);
      for (let i = 0; i < 48; i++) net.w.u8(0x10 + i);
      net.end(fromA); yield;
    }
  }
}

/** A traceroute probe (UDP to 33434+) and the ICMP port unreachable quoting it (RFC 792; RFC 1812 §4.3.2.3). */
export function* unreachable(net: Net): Flow {
  const r = net.rng, a = r.pick(net.clients), b = r.pick(net.plcs), link = net.link(a, b), w = net.w;
  const sport = ephemeral(net), dport = 33434 + r.int(90), len = 32;
  link.head(true, IP_UDP);
  w.udp(sport, dport);
  const data = w.p;
  for (let i = 0; i < len; i++) w.u8(0x40 + i);
  const copy = w.buf.slice(data, w.p);
  net.end(true); yield;
  link.head(false, 1);
  w.icmp(3, 3, 0);
  // The quoted datagram: IPv4 header (no checksum recomputed, as quoted) + UDP header + data.
  w.u16(0x4500); w.u16(28 + len); w.u16(r.int(65536)); w.u16(0x4000); w.u8(64); w.u8(IP_UDP); w.u16(0); w.u32(a.ip4); w.u32(b.ip4);
  w.u16(sport); w.u16(dport); w.u16(8 + len); w.u16(0);
  w.bytes(copy);
  net.end(false); yield;
}

/** IPv6 neighbour solicitation (to the solicited-node group) and the solicited advertisement. */
export function* neighbour(net: Net): Flow {
  const r = net.rng, a = r.pick(net.clients), b = r.pick(r.chance(0.5) ? net.clients : [net.gateway, net.broker, net.resolver]), w = net.w;
  const group = Uint8Array.of(0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, b.ip6[13], b.ip6[14], b.ip6[15]);
  w.begin();
  w.eth(0x3333ff000000 + b.ip6[13] * 65536 + b.ip6[14] * 256 + b.ip6[15], a.mac, ETH_IPV6);
  w.ipv6(a.ip6, group, 58, 255);
  w.icmp(135, 0, 0);
  w.bytes(b.ip6);
  w.u16(0x0101); w.mac(a.mac); // source link-layer address option
  net.end(true); yield;
  w.begin();
  w.eth(a.mac, b.mac, ETH_IPV6);
  w.ipv6(b.ip6, a.ip6, 58, 255);
  w.icmp(136, 0, 0x60000000); // solicited, override
  w.bytes(b.ip6);
  w.u16(0x0201); w.mac(b.mac); // target link-layer address option
  net.end(false); yield;
}

/** ARP who-has (broadcast) and is-at; now and then a gratuitous ARP alone. */
export function* arp(net: Net): Flow {
  const r = net.rng, a = r.pick(net.clients), b = r.pick(r.chance(0.3) ? net.clients : net.plcs), w = net.w;
  const gratuitous = r.chance(0.1);
  w.begin();
  w.eth(0xffffffffffff, a.mac, ETH_ARP);
  arpBody(w, 1, a.mac, a.ip4, 0, gratuitous ? a.ip4 : b.ip4);
  net.end(true); yield;
  if (gratuitous) return;
  w.begin();
  w.eth(a.mac, b.mac, ETH_ARP);
  arpBody(w, 2, b.mac, b.ip4, a.mac, a.ip4);
  net.end(false); yield;
}

/** The flow kinds and how often each starts (weights tuned for the packet mix in make-capture.ts). */
export const FLOW_KINDS: readonly { name: string; weight: number; make: (net: Net) => Flow }[] = [
  { name: "http", weight: 45, make: http },
  { name: "tls", weight: 40, make: tls },
  { name: "chatty", weight: 14, make: chatty },
  { name: "mqtt", weight: 12, make: mqtt },
  { name: "modbus", weight: 5, make: modbus },
  { name: "dns", weight: 420, make: dns },
  { name: "ntp", weight: 40, make: ntp },
  { name: "syslog", weight: 30, make: syslog },
  { name: "rtp", weight: 6, make: rtp },
  { name: "ping", weight: 40, make: ping },
  { name: "unreachable", weight: 12, make: unreachable },
  { name: "neighbour", weight: 40, make: neighbour },
  { name: "arp", weight: 80, make: arp },
];
