// Real captures for the network-layer tests, made on the spot: a private network namespace (unshare -n) whose
// loopback has a 1280-byte MTU, tcpdump on it, and a Python script that sends through the kernel's own stack:
// UDP datagrams that the kernel fragments (IPv4 and IPv6), ICMP and ICMPv6 echoes (one fragmented), port-unreachable
// errors quoting the datagram, IPv4 options (record route, timestamp, router alert), a DS byte, and IPv6 hop-by-hop
// and destination options. All traffic stays on that namespace's loopback. Then the same packets re-framed for the
// other link types (raw IP, NULL, LOOP, IPv4/IPv6 link types) by rewriting only the pcap link header.

import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { captureInNetns, readPcap, writePcap, type Rec } from "./pcap-files.js";

export { readPcap, writePcap };

/** The protocols the link- and network-layer dissectors own (their fields are compared; frame.protocols up to them). */
export const OWN = new Set(["eth", "ethertype", "vlan", "llc", "arp", "sll", "null", "raw", "ip", "ipv6", "ipv6.hopopts", "ipv6.routing", "ipv6.fraghdr", "ipv6.dstopts", "icmp", "icmpv6"]);

const SENDER = String.raw`
import socket, struct, time
def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b)); s = (s >> 16) + (s & 0xffff); s += s >> 16
    return (~s) & 0xffff
srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); srv.bind(('127.0.0.1', 9999))
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
c.sendto(b'A' * 3000, ('127.0.0.1', 9999))
c.sendto(b'B' * 100, ('127.0.0.1', 9998))
time.sleep(0.05)
c.sendto(b'C' * 2000, ('127.0.0.1', 9997))
time.sleep(0.05)
r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
for pl, ident in ((b'wirebook-echo' + bytes(range(32)), 0x1234), (bytes(i & 255 for i in range(2500)), 0x99)):
    h = struct.pack('!BBHHH', 8, 0, 0, ident, 7); h = struct.pack('!BBHHH', 8, 0, csum(h + pl), ident, 7)
    r.sendto(h + pl, ('127.0.0.1', 0))
    time.sleep(0.05)
o = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for opt in (bytes([7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0]), bytes([68, 12, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0]), bytes([148, 4, 0, 0])):
    o.setsockopt(socket.IPPROTO_IP, socket.IP_OPTIONS, opt)
    o.sendto(b'opt', ('127.0.0.1', 9999))
o.setsockopt(socket.IPPROTO_IP, socket.IP_OPTIONS, b'')
o.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, 0xb9)
o.sendto(b'tos', ('127.0.0.1', 9999))
time.sleep(0.05)
s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s6.bind(('::1', 9999))
c6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
c6.sendto(b'D' * 3000, ('::1', 9999))
c6.sendto(b'E' * 100, ('::1', 9998))
time.sleep(0.05)
c6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_TCLASS, 0xb9)
c6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_HOPOPTS, bytes([0, 0, 5, 2, 0, 0, 1, 0]))
c6.sendto(b'hop', ('::1', 9999))
c6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_HOPOPTS, b'')
c6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_DSTOPTS, bytes([0, 1, 1, 4, 0, 0, 0, 0, 0x1e, 2, 0xab, 0xcd, 1, 2, 0, 0]))
c6.sendto(b'dst', ('::1', 9999))
r6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
r6.sendto(struct.pack('!BBHHH', 128, 0, 0, 0x4321, 9) + b'v6echo', ('::1', 0))
r6.sendto(struct.pack('!BBHHH', 128, 0, 0, 0x77, 2) + bytes(i & 255 for i in range(2500)), ('::1', 0))
time.sleep(0.3)
`;

/** Runs the sender in a fresh network namespace while tcpdump captures its loopback; returns the pcap or why not. */
export function makeLoopbackCapture(dir: string): Promise<{ file?: string; why?: string }> {
  return captureInNetns(dir, SENDER, "lo.pcap", 20_000);
}

/** The loopback capture's packets re-framed for other link types (only the link header changes). */
export function reframe(lo: string, dir: string): string[] {
  const { recs } = readPcap(lo);
  const ip = recs.map((r) => ({ ...r, data: r.data.subarray(14), len: r.len - 14 }));
  const v4 = ip.filter((r) => r.data[0] >> 4 === 4), v6 = ip.filter((r) => r.data[0] >> 4 === 6);
  const fam = (r: Rec, le: boolean) => {
    const h = Buffer.alloc(4), af = r.data[0] >> 4 === 4 ? 2 : 30;
    if (le) h.writeUInt32LE(af); else h.writeUInt32BE(af);
    return { ...r, data: Buffer.concat([h, Buffer.from(r.data)]), len: r.len + 4 };
  };
  const out: [string, number, Rec[]][] = [
    ["raw101.pcap", 101, ip], ["raw12.pcap", 12, ip], ["raw14.pcap", 14, ip], ["ipv4-228.pcap", 228, v4], ["ipv6-229.pcap", 229, v6],
    ["null0.pcap", 0, ip.map((r) => fam(r, true))], ["null0-be.pcap", 0, ip.map((r) => fam(r, false))], ["loop108.pcap", 108, ip.map((r) => fam(r, false))],
  ];
  return out.map(([name, lt, rs]) => { const f = path.join(dir, name); writePcap(f, lt, rs); return f; });
}

/** Snap-length cuts of the loopback packets (34 and 50 bytes): headers truncated at every layer. */
export function cuts(lo: string, dir: string): string[] {
  const { recs } = readPcap(lo);
  return [34, 50].map((n) => { const f = path.join(dir, `cut${n}.pcap`); writePcap(f, 1, recs.map((r) => ({ ...r, data: r.data.subarray(0, n) }))); return f; });
}

/** A temporary folder for one test run. */
export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "wirebook-net-"));
}

export function haveNetns(): boolean {
  try { execFileSync("unshare", ["-n", "true"], { stdio: "ignore" }); return true; } catch { return false; }
}
