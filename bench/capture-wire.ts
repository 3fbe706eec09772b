// Wire formats of the benchmark capture's conversations, written at the PcapWriter's cursor: MQTT 3.1.1
// (OASIS mqtt-v3.1.1 §2.2.3, §3.1, §3.3, §3.8), Modbus MBAP (Modbus Messaging on TCP/IP V1.0b §3.1.3), DNS
// (RFC 1035 §4.1, §4.1.4 compression; RFC 6891 OPT), NTP v4 (RFC 5905 §7.3), ARP (RFC 826), TLS record headers
// (RFC 5246 §6.2.1), and HTTP-like text streams cut into segments.

import type { Net } from "./capture-net.js";
import type { PcapWriter } from "./pcap-writer.js";

// --- wire formats -------------------------------------------------------------------------------------------------

/** Writes bytes [off, off + n) of a stream made of `head` then text. */
export function stream(net: Net, w: PcapWriter, head: string, off: number, n: number): void {
  if (off < head.length) {
    const k = Math.min(n, head.length - off);
    w.ascii(head.substring(off, off + k));
    off += k; n -= k;
  }
  if (n > 0) net.text(n);
}

export function tlsHeader(w: PcapWriter, n: number): void { w.u8(23); w.u16(0x0303); w.u16(n); }
export function tlsHeaderText(n: number): Uint8Array { return Uint8Array.of(23, 3, 3, n >> 8, n & 0xff); }

/** MQTT "Remaining Length": 7 bits a byte, least significant first, high bit = more (MQTT 3.1.1 §2.2.3). */
export function remaining(w: PcapWriter, n: number): void {
  do {
    let d = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) d |= 0x80;
    w.u8(d);
  } while (n > 0);
}

/** A 2-byte length-prefixed UTF-8 string (MQTT 3.1.1 §1.5.3); callers pass ASCII. */
export function mqttString(w: PcapWriter, s: string): void { w.u16(s.length); w.ascii(s); }

export function mqttConnect(w: PcapWriter, clientId: string, user?: string): void {
  const payload = 2 + clientId.length + (user ? 2 + user.length + 2 + 8 : 0);
  w.u8(0x10);
  remaining(w, 10 + payload);
  mqttString(w, "MQTT");
  w.u8(4); // protocol level 3.1.1
  w.u8(user ? 0xc2 : 0x02); // user name, password, clean session
  w.u16(60); // keep alive
  mqttString(w, clientId);
  if (user) { mqttString(w, user); mqttString(w, "s3cr3t!!"); }
}

export function mqttSubscribe(w: PcapWriter, pid: number, filter: string, qos: number): void {
  w.u8(0x82);
  remaining(w, 2 + 2 + filter.length + 1);
  w.u16(pid);
  mqttString(w, filter);
  w.u8(qos);
}

export function mqttPublish(w: PcapWriter, topic: string, payload: string, qos: number, pid: number): void {
  w.u8(0x30 | (qos << 1));
  remaining(w, 2 + topic.length + (qos > 0 ? 2 : 0) + payload.length);
  mqttString(w, topic);
  if (qos > 0) w.u16(pid);
  w.ascii(payload);
}

export function telemetry(net: Net): string {
  const r = net.rng;
  return `{"v":${r.int(100000) / 100},"unit":"${r.pick(["C", "bar", "l/min", "mm/s"])}","ts":${Math.floor(net.w.now / 1000)}}`;
}

/** MBAP header: transaction id, protocol 0, length (unit id + PDU of pduLen bytes), unit id. */
export function mbap(w: PcapWriter, tid: number, unit: number, pduLen: number): void {
  w.u16(tid); w.u16(0); w.u16(pduLen + 1); w.u8(unit);
}

export function dnsHeader(w: PcapWriter, id: number, flags: number, answers: number, edns: boolean): void {
  w.u16(id); w.u16(flags); w.u16(1); w.u16(answers); w.u16(0); w.u16(edns ? 1 : 0);
}

export function dnsName(w: PcapWriter, name: string): void {
  for (const label of name.split(".")) { w.u8(label.length); w.ascii(label); }
  w.u8(0);
}

export function question(w: PcapWriter, name: string, type: number): void { dnsName(w, name); w.u16(type); w.u16(1); }

/** The EDNS(0) OPT pseudo-record: root name, type 41, UDP payload size 1232, no options. */
export function opt(w: PcapWriter): void { w.u8(0); w.u16(41); w.u16(1232); w.u32(0); w.u16(0); }

/** A resource record whose owner is a compression pointer; rdata written by `rdata`, its length patched. */
export function rr(w: PcapWriter, ptr: number, type: number, ttl: number, rdata: () => void): number {
  w.u16(0xc000 | ptr); w.u16(type); w.u16(1); w.u32(ttl);
  const at = w.p;
  w.u16(0);
  rdata();
  w.buf[at] = (w.p - at - 2) >> 8; w.buf[at + 1] = (w.p - at - 2) & 0xff;
  return at + 2;
}

/** The response: the question again, then answers by type (CNAME chains to an A record), 5% NXDOMAIN. */
export function dnsAnswer(net: Net, id: number, name: string, type: number, edns: boolean): void {
  const r = net.rng, w = net.w, msg = w.p, nx = r.chance(0.05);
  const n = nx ? 0 : type === 1 ? r.range(1, 4) : type === 5 ? 2 : type === 15 ? r.range(1, 2) : 1;
  dnsHeader(w, id, nx ? 0x8183 : 0x8180, n, edns);
  question(w, name, type);
  const q = 12, ttl = r.range(30, 86400);
  if (!nx) {
    if (type === 1) for (let i = 0; i < n; i++) rr(w, q, 1, ttl, () => w.u32(0x5db8d800 + r.int(256)));
    else if (type === 28) rr(w, q, 28, ttl, () => { w.u32(0x20010db8); w.u32(r.u32()); w.u32(0); w.u32(r.u32()); });
    else if (type === 15) for (let i = 0; i < n; i++) rr(w, q, 15, ttl, () => { w.u16(10 * (i + 1)); w.u8(4); w.ascii(`mx${i + 1}`.padEnd(4, "x")); w.u16(0xc000 | q); });
    else if (type === 16) rr(w, q, 16, ttl, () => { const t = `v=spf1 include:_spf.example.com ~all ${r.int(1000)}`; w.u8(t.length); w.ascii(t); });
    else if (type === 12) rr(w, q, 12, ttl, () => dnsName(w, `host-${r.int(256)}.example.net`));
    else {
      const target = rr(w, q, 5, ttl, () => { w.u8(3); w.ascii("cdn"); w.u16(0xc000 | q); }) - msg;
      rr(w, target, 1, ttl, () => w.u32(0x5db8d800 + r.int(256)));
    }
  }
  if (edns) opt(w);
}

/** NTP v4 header: LI 0, VN 4, mode (3 client, 4 server), stratum; timestamps from the capture clock. */
export function ntpPacket(w: PcapWriter, livnmode: number, stratum: number): void {
  const sec = Math.floor(w.now / 1e6) + 2208988800, frac = Math.floor(((w.now % 1e6) / 1e6) * 4294967296);
  w.u8(livnmode); w.u8(stratum); w.u8(6); w.u8(0xe9);
  w.u32(stratum ? 0x00000100 : 0); w.u32(stratum ? 0x00000200 : 0); w.u32(stratum ? 0xc0000201 : 0);
  for (let i = 0; i < 3; i++) { w.u32(stratum ? sec - 1 : 0); w.u32(stratum ? frac : 0); }
  w.u32(sec); w.u32(frac);
}

export function arpBody(w: PcapWriter, op: number, sha: number, spa: number, tha: number, tpa: number): void {
  w.u16(1); w.u16(0x0800); w.u8(6); w.u8(4); w.u16(op);
  w.mac(sha); w.u32(spa); w.mac(tha); w.u32(tpa);
}
