// The generated predicates over hand-built columns of every shape (dense, repeated; numbers, IPv6 slots, strings,
// bytes), pinning Wireshark's any/all rules: `==` any, `!=` all not equal, `===` all equal, `~=` any not equal, an
// absent field makes every comparison false. (Real captures against tshark: conformance.test.ts.)

import assert from "node:assert/strict";
import { test } from "node:test";
import { ColumnBuilder, type Column, type Value } from "../../lib/decode/column.js";
import { lookupField } from "../../lib/dissectors/registry.js";
import { compileFilter } from "../../lib/dsl/compile.js";
import { ipv6Bytes } from "../../lib/dsl/literals.js";

type Frames = readonly (readonly Value[])[];

function column(abbrev: string, frames: Frames): Column {
  const f = lookupField(abbrev)!.field;
  const b = new ColumnBuilder(f);
  frames.forEach((vs, i) => vs.forEach((v) => b.push(i, v)));
  return b.finish(frames.length);
}

/** Frame numbers (1-based) the filter selects over columns given frame by frame. */
function select(filter: string, data: Record<string, Frames>): number[] {
  const n = Object.values(data)[0].length;
  const cols = new Map(Object.entries(data).map(([k, v]) => [k, column(k, v)]));
  const c = compileFilter(filter);
  const out = c.run((name) => {
    const col = cols.get(name);
    if (!col) throw new Error(`test gave no column ${name} (filter reads ${c.fields.join(", ")})`);
    return col;
  }, n);
  const got: number[] = [];
  out.forEach((x, i) => { if (x) got.push(i + 1); });
  return got;
}

// Frames: 1 has ports 80/1883, 2 has 1883/1883, 3 has 443/50000, 4 has no TCP.
const PORTS: Frames = [[80, 1883], [1883, 1883], [443, 50000], []];

test("== is any, != is all not equal, === all equal, ~= any not equal; absent is false", () => {
  const s = (f: string) => select(f, { "tcp.port": PORTS });
  assert.deepEqual(s("tcp.port == 1883"), [1, 2]);
  assert.deepEqual(s("tcp.port != 1883"), [3]);
  assert.deepEqual(s("tcp.port === 1883"), [2]);
  assert.deepEqual(s("tcp.port ~= 1883"), [1, 3]);
  assert.deepEqual(s("!(tcp.port == 1883)"), [3, 4]);
  assert.deepEqual(s("all tcp.port > 1000"), [2]);
  assert.deepEqual(s("any tcp.port < 100"), [1]);
  assert.deepEqual(s("all tcp.port != 80"), [2, 3]);
  assert.deepEqual(s("any tcp.port != 1883"), [1, 3]);
  assert.deepEqual(s("tcp.port"), [1, 2, 3]);
});

test("dense numeric columns compile to a flat loop over typed arrays", () => {
  const c = compileFilter("tcp.srcport == 1883 && ip.ttl > 5");
  assert.match(c.source, /\(m0\[i\] === 1 && v0\[i\] === 1883\) && \(m1\[i\] === 1 && v1\[i\] > 5\)/);
  assert.doesNotMatch(c.source, /function/);
  assert.deepEqual(select("tcp.srcport == 1883 && ip.ttl > 5", { "tcp.srcport": [[1883], [1883], [80], []], "ip.ttl": [[64], [1], [64], [64]] }), [1]);
});

test("sets: values, ranges, any over repeated fields, not in", () => {
  const s = (f: string) => select(f, { "tcp.port": PORTS });
  assert.deepEqual(s("tcp.port in {80, 443}"), [1, 3]);
  assert.deepEqual(s("tcp.port in {1000..2000}"), [1, 2]);
  assert.deepEqual(s("tcp.port in {100..1000}"), [3]);
  assert.deepEqual(s("tcp.port not in {80, 443}"), [2, 4]);
  assert.deepEqual(s("all tcp.port in {1883, 80}"), [1, 2]);
  const many = "tcp.port in {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 443}";
  assert.deepEqual(s(many), [3]);
  assert.match(compileFilter(many).source, /\.has\(/);
});

test("IPv4: CIDR masks both sides, in equality and in order", () => {
  const ip = (s: string) => s.split(".").reduce((a, o) => a * 256 + Number(o), 0);
  const data = { "ip.src": [[ip("10.1.2.3")], [ip("192.168.1.1")], [ip("10.255.0.1")], []] };
  assert.deepEqual(select("ip.src == 10.0.0.0/8", data), [1, 3]);
  assert.deepEqual(select("ip.src != 10.0.0.0/8", data), [2]);
  assert.deepEqual(select("ip.src > 10.0.0.0/8", data), [2]);
  assert.deepEqual(select("ip.src in {192.168.0.0/16, 10.1.2.3}", data), [1, 2]);
  assert.deepEqual(select("ip.src & 255.255.0.0 == 10.255.0.0", data), [3]);
});

test("IPv6 in 16-byte slots: equality, prefixes, order", () => {
  const data = { "ipv6.addr": [[ipv6Bytes("fe80::1"), ipv6Bytes("ff02::fb")], [ipv6Bytes("::1"), ipv6Bytes("::1")], [ipv6Bytes("2001:db8::5")], []] };
  assert.deepEqual(select("ipv6.addr == ::1", data), [2]);
  assert.deepEqual(select("ipv6.addr == fe80::/10", data), [1]);
  assert.deepEqual(select("ipv6.addr == ff02::fb", data), [1]);
  assert.deepEqual(select("ipv6.addr > 2001:db8::/32", data), [1]);
  assert.deepEqual(select("ipv6.addr != ::1", data), [1, 3]);
  assert.deepEqual(select("ipv6.addr[0] == fe", data), [1]);
});

test("MAC addresses as numbers; slices cut their bytes in network order", () => {
  const data = { "eth.src": [[0x001b44113ab7], [0xffffffffffff], [0x010203040506], []] };
  assert.deepEqual(select("eth.src == 00:1b:44:11:3a:b7", data), [1]);
  assert.deepEqual(select("eth.src[0:3] == 00:1b:44", data), [1]);
  assert.deepEqual(select("eth.src[-1] == 06", data), [3]);
  assert.deepEqual(select("eth.src[0] & 1", data), [2, 3]);
  assert.deepEqual(select("eth.src > 00:00:00:00:00:00", data), [1, 2, 3]);
  assert.deepEqual(select("eth.src contains 03:04", data), [3]);
});

test("strings: equality, order, contains, matches (caseless by default), functions", () => {
  const data = { "frame.protocols": [["eth:ethertype:ip:tcp"], ["eth:ethertype:ip:udp:dns"], ["sll:ethertype:arp"], []] };
  const s = (f: string) => select(f, data);
  assert.deepEqual(s('frame.protocols == "eth:ethertype:ip:tcp"'), [1]);
  assert.deepEqual(s('frame.protocols contains "udp"'), [2]);
  assert.deepEqual(s('frame.protocols matches "TCP$"'), [1]);
  assert.deepEqual(s('frame.protocols matches "(?-i)TCP$"'), []);
  assert.deepEqual(s('frame.protocols matches "^(?:eth|sll):ethertype:(?P<l3>ip|arp)\\\\z"'), [3]);
  assert.deepEqual(s('frame.protocols > "m"'), [3]);
  assert.deepEqual(s('upper(frame.protocols) contains "ARP"'), [3]);
  assert.deepEqual(s('len(frame.protocols) == 20'), [1]);
  assert.deepEqual(s('frame.protocols[0:3] == "sll"'), [3]);
  assert.deepEqual(s('frame.protocols[0:3] == 65:74:68'), [1, 2]);
});

test("bytes: shorter sorts first, contains, slices that do not fit drop the value", () => {
  const b = (s: string) => new TextEncoder().encode(s);
  const data = { "tcp.payload": [[b("GET / HTTP/1.1\r\n")], [b("Z")], [b("HTTP/1.1 200 OK")], []] };
  const s = (f: string) => select(f, data);
  assert.deepEqual(s('tcp.payload contains "HTTP"'), [1, 3]);
  assert.deepEqual(s('tcp.payload > "Z"'), [1, 3]);
  assert.deepEqual(s('tcp.payload[0:4] == "GET "'), [1]);
  assert.deepEqual(s("tcp.payload[-2:] == 0d:0a"), [1]);
  assert.deepEqual(s("tcp.payload[1:]"), [1, 3]);
  assert.deepEqual(s('tcp.payload[1:] == ""'), [2]);
  assert.deepEqual(s("tcp.payload[10]"), [1, 3]);
  assert.deepEqual(s("tcp.payload[0:3,6:3] == \"GETHTT\""), [1]);
  assert.deepEqual(s('tcp.payload matches "^get"'), [1]);
  assert.deepEqual(s("tcp.payload[0] & 0x01"), [1]);
  assert.deepEqual(s("len(tcp.payload) < 10"), [2]);
});

test("arithmetic takes every pair of values; division by zero drops the pair", () => {
  const s = (f: string) => select(f, { "tcp.port": PORTS });
  assert.deepEqual(s("tcp.port + 1 == 1884"), [1, 2]);
  assert.deepEqual(s("tcp.port - 80"), [1, 2, 3]);
  assert.deepEqual(s("{tcp.port + 1} * 2 == 3768"), [1, 2]);
  assert.deepEqual(s("tcp.port / 0 == 0"), []);
  assert.deepEqual(s("tcp.port % 1000 == 883"), [1, 2]);
  assert.deepEqual(s("-tcp.port == -443"), [3]);
  assert.deepEqual(s("tcp.port & 0x03 == 3"), [1, 2, 3]);
  assert.deepEqual(s("tcp.port + tcp.port == 3766"), [1, 2]);
});

test("functions over repeated fields: count, max, min, abs, string", () => {
  const s = (f: string) => select(f, { "tcp.port": PORTS });
  assert.deepEqual(s("count(tcp.port) == 2"), [1, 2, 3]);
  assert.deepEqual(s("count(tcp.port) == 0"), []);
  assert.deepEqual(s("max(tcp.port) == 1883"), [1, 2]);
  assert.deepEqual(s("min(tcp.port) == 80"), [1]);
  assert.deepEqual(s("max(tcp.port, 60000) == 60000"), [1, 2, 3, 4]);
  assert.deepEqual(s("abs(tcp.port - 1000) == 883"), [1, 2]);
  assert.deepEqual(s('string(tcp.port) == "443"'), [3]);
  assert.deepEqual(s('string(tcp.port) matches "^1"'), [1, 2]);
});

test("an unsigned field never equals or orders against a negative constant (as tshark)", () => {
  const s = (f: string) => select(f, { "tcp.port": PORTS });
  assert.deepEqual(s("tcp.port > -1"), []);
  assert.deepEqual(s("tcp.port == -80"), []);
  assert.deepEqual(s("tcp.port - 81 == -1"), [1]);
});

test("field references have no value in a filter without a selected packet", () => {
  assert.deepEqual(select("tcp.port == ${tcp.port}", { "tcp.port": PORTS }), []);
});

test("the empty filter selects every frame; out may be given", () => {
  const c = compileFilter("");
  const out = new Uint8Array(5).fill(7);
  assert.deepEqual([...c.run(() => { throw new Error("no column needed"); }, 5, out)], [1, 1, 1, 1, 1]);
  assert.deepEqual(c.fields, []);
});

test("user text never reaches the generated source (it is in the constants array)", () => {
  const evil = 'frame.protocols == "\\"; throw new Error(1); //" or frame.protocols contains "`${process.exit(3)}`"';
  const c = compileFilter(evil);
  assert.doesNotMatch(c.source, /process|throw new/);
  assert.deepEqual(select(evil, { "frame.protocols": [["x"]] }), []);
});

test("a repeated field's shape is handled when it shows up at run time (ip.src in a tunnel)", () => {
  const data = { "ip.src": [[0x0a000001, 0x7f000001], [0x0a000002]] };
  assert.deepEqual(select("ip.src == 127.0.0.1", data), [1]);
  assert.deepEqual(select("ip.src == 10.0.0.2", { "ip.src": [[0x0a000001], [0x0a000002]] }), [2]);
});
