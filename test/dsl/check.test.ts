// The checker's messages: each names the problem, quotes the text and puts a caret under it; unknown names get the
// nearest registered field. Which filters are rejected at all is tshark's call (conformance.test.ts); this file
// pins the wording and the place.

import assert from "node:assert/strict";
import { test } from "node:test";
import { compileFilter } from "../../lib/dsl/compile.js";
import { DisplayFilterError } from "../../lib/dsl/messages.js";

function error(filter: string): DisplayFilterError {
  try {
    compileFilter(filter);
  } catch (e) {
    assert.ok(e instanceof DisplayFilterError, `expected a DisplayFilterError, got ${(e as Error).stack}`);
    return e;
  }
  assert.fail(`${JSON.stringify(filter)} compiled`);
}

test("an unknown field names the nearest registered one, with a caret under it", () => {
  const e = error("mqtt.msgtyp == 3");
  assert.equal(e.message, "unknown field `mqtt.msgtyp` — did you mean `mqtt.msgtype`?\n  mqtt.msgtyp == 3\n  ^~~~~~~~~~~");
  assert.deepEqual(e.suggestions, ["mqtt.msgtype"]);
  assert.equal(e.unknownField, "mqtt.msgtyp");
  const alone = error("tcp.prot");
  assert.match(alone.problem, /unknown field `tcp.prot` — did you mean `tcp.port`\?/);
  const inside = error("tcp and ip.scr == 1.2.3.4");
  assert.deepEqual(inside.span, { start: 8, end: 14 });
  assert.match(inside.problem, /did you mean `ip.src`/);
});

test("a misspelt field on the right side is reported as a field, not as a bad literal", () => {
  const e = error("ip.src == ip.dts");
  assert.match(e.problem, /unknown field `ip.dts` — did you mean `ip.dst`/);
  assert.deepEqual(e.span, { start: 10, end: 16 });
});

test("a value that is no field in a field's place", () => {
  assert.match(error("80").problem, /^80 is neither a field nor a protocol name/);
  assert.match(error('"tcp"').problem, /"tcp" is neither a field nor a protocol name/);
  const lhs = error("80 == tcp.srcport");
  assert.match(lhs.problem, /left side of `==` must be a field, a slice or a function, not 80/);
  assert.deepEqual(lhs.span, { start: 0, end: 2 });
  assert.match(error("1 + tcp.srcport == 81").problem, /must start with a field or a function/);
  assert.match(error("len(tcp.port)").problem, /cannot be tested for presence/);
});

test("type mismatches quote the value and its type", () => {
  const s = error('ip.src == "abc"');
  assert.match(s.problem, /IPv4 address cannot be compared with the string "abc"/);
  assert.deepEqual(s.span, { start: 10, end: 15 });
  assert.match(error("ip.src == 10.0.0.256").problem, /`10.0.0.256` is not a valid IPv4 address/);
  assert.match(error("ip.src == 10.0.0.0/33").problem, /should be <= 32, not 33/);
  assert.match(error("ipv6.src == fe80::/129").problem, /<= 128, not 129/);
  assert.match(error("ip.ttl == 256").problem, /`256` is too big for this field \(maximum 255\)/);
  assert.match(error("frame.len == 99999999999999999999").problem, /does not fit in 64 bits/);
  assert.match(error("frame.len == 60.0").problem, /`60.0` is not a valid number/);
  assert.match(error("eth.src == 00:11:22:33:44").problem, /contains too few bytes to be a valid Ethernet address/);
  assert.match(error("frame.time_delta == 0x10").problem, /not a valid time/);
  assert.match(error("ip.proto == nosuchproto").problem, /not one of the value names of `ip.proto`/);
});

test("operators a type does not support", () => {
  assert.match(error("ip.src contains 7f").problem, /`ip.src` \(IPv4 address\) cannot be used with `contains`/);
  assert.match(error("frame.len matches \"6\"").problem, /cannot be used with `matches`/);
  assert.match(error("tcp.analysis.flags == 1").problem, /label\) cannot be used with `==`/);
  assert.match(error("frame.time + 1 > 0").problem, /date and time value cannot take part in `\+`/);
  assert.match(error("tcp.flags.syn & 1").problem, /boolean value cannot take part in `&`/);
  assert.match(error("-ip.src == 10.0.0.1").problem, /cannot take part in `-`/);
  assert.match(error("frame.len == frame.time_delta").problem, /`frame.len` and `frame.time_delta` are not of compatible types/);
  assert.match(error("frame.len[0] == 00").problem, /cannot be sliced into bytes/);
  assert.match(error("frame matches GET").problem, /needs a double-quoted string/);
  assert.match(error('frame matches "["').problem, /^regular expression error/);
  assert.match(error('tcp.payload[0:3] in {"GET"}').problem, /only a field may be tested for membership/);
});

test("functions: unknown names, arity, argument kinds", () => {
  assert.match(error("foo(tcp.port) == 1").problem, /unknown function `foo`/);
  assert.match(error("lenn(tcp.port) == 1").problem, /did you mean `len`/);
  assert.match(error("len() == 1").problem, /`len\(\)` needs at least 1 argument/);
  assert.match(error("abs(tcp.srcport, tcp.dstport) == 80").problem, /accepts at most 1 argument/);
  assert.match(error("len(tcp.payload[0:3]) == 3").problem, /only fields can be given to `len\(\)`/);
  assert.match(error("lower(frame.len) == \"6\"").problem, /only string fields/);
  assert.match(error("string(tcp.payload) == \"x\"").problem, /cannot be converted with string\(\)/);
  assert.match(error("max(tcp.srcport, ip.src) == 1").problem, /must have the same type \(expected uint16, got ipv4\)/);
  assert.match(error("max(80, tcp.srcport) == 80").problem, /`80` is not a valid argument to `max\(\)`/);
});

test("accepted forms compile: value names, booleans, char constants, CIDR, sets", () => {
  for (const f of [
    "ip.proto == TCP", 'ip.proto == "udp"', "tcp.flags.syn == True", "tcp.flags.syn == FALSE", "frame.len > 'a'",
    "ip.addr == 10.0.0.0/8", "ipv6.addr == fe80::/10", "tcp.port in {80, 443, 8000..8999}", "eth.dst == ffff.ffff.ffff",
    "tcp.srcport == -80", "frame.len == 0b111100", "frame.len == 074", "tcp contains 47:45:54", "frame[-4:] == 0.1.2.3",
    "ip.src#2 == 10.0.0.1", "${tcp.srcport} == 80", "all tcp.port > 1024", "max(tcp.port, 1000) == 1000",
  ]) assert.doesNotThrow(() => compileFilter(f), f);
});
