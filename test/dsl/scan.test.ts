// The scanner: tshark 4.0's scanner.l rules, longest match first. Expected behaviour measured with tshark 4.0.17.

import assert from "node:assert/strict";
import { test } from "node:test";
import { DisplayFilterError } from "../../lib/dsl/messages.js";
import { scan, type Token } from "../../lib/dsl/scan.js";

const kinds = (s: string) => scan(s).filter((t) => t.kind !== "eof").map((t) => `${t.kind}:${t.value ?? t.op ?? t.text}`);

function error(s: string): DisplayFilterError {
  try {
    scan(s);
  } catch (e) {
    assert.ok(e instanceof DisplayFilterError, `expected a DisplayFilterError, got ${e}`);
    return e;
  }
  assert.fail(`scan(${JSON.stringify(s)}) did not fail`);
}

test("fields, operators and numbers without spaces", () => {
  assert.deepEqual(kinds("tcp.port==80"), ["unparsed:tcp.port", "cmp:any_eq", "unparsed:80"]);
  assert.deepEqual(kinds("ip.src!=10.0.0.1&&!udp"), ["unparsed:ip.src", "cmp:all_ne", "literal:10.0.0.1", "and:&&", "not:!", "unparsed:udp"]);
});

test("word operators are operators only as whole tokens (eq80 is one word, as in tshark)", () => {
  assert.deepEqual(kinds("tcp.port eq 80"), ["unparsed:tcp.port", "cmp:any_eq", "unparsed:80"]);
  assert.deepEqual(kinds("tcp.port eq80"), ["unparsed:tcp.port", "unparsed:eq80"]);
  assert.deepEqual(kinds("a === b !== c ~= d"), ["unparsed:a", "cmp:all_eq", "unparsed:b", "cmp:any_ne", "unparsed:c", "cmp:any_ne", "unparsed:d"]);
  assert.deepEqual(kinds("all any in not and or contains matches ~ bitwise_and &"),
    ["all:all", "any:any", "in:in", "not:not", "and:and", "or:or", "contains:contains", "matches:matches", "matches:~", "bitand:bitwise_and", "bitand:&"]);
});

test("a minus sign needs a space before it: tcp.srcport-1 is one word", () => {
  assert.deepEqual(kinds("tcp.srcport-1"), ["unparsed:tcp.srcport-1"]);
  assert.deepEqual(kinds("tcp.srcport -1"), ["unparsed:tcp.srcport", "minus:-", "unparsed:1"]);
});

test("addresses and byte strings are literals", () => {
  assert.deepEqual(kinds("10.0.0.0/8"), ["literal:10.0.0.0/8"]);
  assert.deepEqual(kinds("fe80::1/64"), ["literal:fe80::1/64"]);
  assert.deepEqual(kinds("::ffff:1.2.3.4"), ["literal:::ffff:1.2.3.4"]);
  assert.deepEqual(kinds("00:1b:44:11:3a:b7"), ["literal:00:1b:44:11:3a:b7"]);
  assert.deepEqual(kinds("aa-bb-cc-dd-ee-ff"), ["literal:aa-bb-cc-dd-ee-ff"]);
  assert.deepEqual(kinds("47:45:54"), ["literal:47:45:54"]);
  assert.deepEqual(kinds(":47"), ["literal:47"]);
  assert.deepEqual(kinds("47.45.54"), ["unparsed:47.45.54"]);
  // 10.0.0.256 is no IPv4 address: the longer word wins and check.ts rejects it.
  assert.deepEqual(kinds("10.0.0.256"), ["unparsed:10.0.0.256"]);
  // As in tshark: "eth:ethertype" is a word, then ":e" (a colon-prefixed hex literal).
  assert.deepEqual(kinds("eth:ethertype").slice(0, 2), ["unparsed:eth", "literal:e"]);
});

test("dot-prefixed names are fields; .. is the range operator", () => {
  assert.deepEqual(kinds(".tcp.port"), ["field:tcp.port"]);
  assert.deepEqual(kinds("{80..90}"), ["lbrace:{", "unparsed:80", "dotdot:..", "unparsed:90", "rbrace:}"]);
  assert.deepEqual(kinds("10.0.0.5..10.0.0.9"), ["literal:10.0.0.5", "dotdot:..", "literal:10.0.0.9"]);
});

test("strings: escapes become bytes; raw strings keep backslashes", () => {
  const str = (s: string) => Buffer.from((scan(s)[0] as Token).bytes!).toString("latin1");
  assert.equal(str('"\\x48EAD"'), "HEAD");
  assert.equal(str('"\\110EAD"'), "HEAD");
  assert.equal(str('"a\\"b\\\\c"'), 'a"b\\c');
  assert.equal(str('"\\t\\n\\r\\a\\b\\f\\v"'), "\t\n\r\x07\x08\x0c\x0b");
  assert.equal(str('r"\\d+\\x41"'), "\\d+\\x41");
  assert.equal(str('R"a\\"b"'), 'a\\"b');
  assert.deepEqual([...scan('"\\u00e9"')[0].bytes!], [0xc3, 0xa9]);
  assert.deepEqual([...scan('"é"')[0].bytes!], [0xc3, 0xa9]);
});

test("string errors point at the escape or the opening quote", () => {
  const bad = error('frame contains "\\q"');
  assert.match(bad.message, /`\\q` is not a valid escape sequence/);
  assert.deepEqual(bad.span, { start: 16, end: 18 });
  assert.match(error('frame contains "\\777"').problem, /larger than 255/);
  const open = error('frame contains "abc');
  assert.match(open.problem, /closing double quote/);
  assert.equal(open.span!.start, 15);
});

test("character constants", () => {
  const ch = (s: string) => scan(s)[0].num;
  assert.equal(ch("'a'"), 97);
  assert.equal(ch("'\\x0a'"), 10);
  assert.equal(ch("'\\012'"), 10);
  assert.equal(ch("'\\''"), 39);
  assert.match(error("''").problem, /empty character constant/);
  assert.match(error("'ab'").problem, /too long/);
  // tshark 4.0 rejects '\n' (its parser does not step over the n); so do we.
  assert.match(error("'\\n'").problem, /too long/);
});

test("slices and layers switch the scanner to range nodes", () => {
  assert.deepEqual(kinds("frame[-4:]"), ["unparsed:frame", "lbracket:[", "range:-4:", "rbracket:]"]);
  assert.deepEqual(kinds("eth.src[0:3,5]"), ["unparsed:eth.src", "lbracket:[", "range:0:3", "comma:,", "range:5", "rbracket:]"]);
  assert.deepEqual(kinds("ip.src#2"), ["unparsed:ip.src", "hash:#", "index:2"]);
  assert.deepEqual(kinds("ip.src#[1-2]"), ["unparsed:ip.src", "hash:#", "lbracket:[", "range:1-2", "rbracket:]"]);
  assert.match(error("frame[0:4").problem, /closing `]`/);
  const sp = error("ip.src # 1");
  assert.match(sp.problem, /expected a layer number/);
  assert.deepEqual(sp.span, { start: 8, end: 9 });
});

test("characters that start no token are reported where they are", () => {
  const e = error("tcp.port == 80 | udp");
  assert.match(e.problem, /`\|` is not allowed here/);
  assert.equal(e.span!.start, 15);
  assert.match(error("tcp.port == 80 ^^ udp").problem, /`\^` is not allowed/);
  assert.match(error("ip.src == \u0001").problem, /non-printable/);
});
