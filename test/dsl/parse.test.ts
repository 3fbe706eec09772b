// The parser: grammar.lemon's precedence and shapes, and where syntax errors point.

import assert from "node:assert/strict";
import { test } from "node:test";
import { DisplayFilterError } from "../../lib/dsl/messages.js";
import { parse, type Arith, type Test } from "../../lib/dsl/parse.js";

/** A compact rendering of a syntax tree. */
function show(t: Test | Arith | null): string {
  if (t === null) return "∅";
  switch (t.kind) {
    case "and": case "or": return `(${show(t.a)} ${t.kind} ${show(t.b)})`;
    case "not": return `!${show(t.a)}`;
    case "truth": return show(t.value);
    case "cmp": return `${t.quant ? t.quant + " " : ""}(${show(t.a)} ${t.op} ${show(t.b)})`;
    case "contains": case "matches": return `(${show(t.a)} ${t.kind} ${show(t.b)})`;
    case "in": return `(${show(t.a)} in {${t.set.map((e) => show(e.lo) + (e.hi ? ".." + show(e.hi) : "")).join(",")}})`;
    case "name": return t.name + (t.layers ? `#${t.layers.map((r) => `${r.from}:${r.length}`).join(",")}` : "");
    case "literal": return t.text;
    case "string": case "charconst": return t.text;
    case "slice": return `${show(t.of)}[${t.ranges.map((r) => `${r.from}:${r.length ?? ""}`).join(",")}]`;
    case "call": return `${t.name}(${t.args.map(show).join(",")})`;
    case "ref": return `\${${show(t.field)}}`;
    case "neg": return `-${show(t.of)}`;
    case "arith": return `{${show(t.a)} ${t.op} ${show(t.b)}}`;
  }
}

const p = (s: string) => show(parse(s));

function error(s: string): DisplayFilterError {
  try {
    parse(s);
  } catch (e) {
    assert.ok(e instanceof DisplayFilterError);
    return e;
  }
  assert.fail(`parse(${JSON.stringify(s)}) did not fail`);
}

test("the empty filter selects everything", () => {
  assert.equal(parse(""), null);
  assert.equal(parse("   "), null);
});

test("not binds tighter than and, and tighter than or", () => {
  assert.equal(p("a or b and c"), "(a or (b and c))");
  assert.equal(p("a and b or not c or d and not e or f"), "((((a and b) or !c) or (d and !e)) or f)");
  assert.equal(p("not a and b"), "(!a and b)");
  assert.equal(p("!(a || b) && c"), "(!(a or b) and c)");
});

test("comparisons, quantifiers and chains", () => {
  assert.equal(p("tcp.port == 80"), "(tcp.port any_eq 80)");
  assert.equal(p("all tcp.port > 1024"), "all (tcp.port gt 1024)");
  assert.equal(p("a == b == c"), "((a any_eq b) and (b any_eq c))");
  assert.equal(p("a contains \"x\""), "(a contains \"x\")");
  assert.equal(p("a ~ \"x\""), "(a matches \"x\")");
});

test("sets: commas, ranges, signs, not in", () => {
  assert.equal(p("tcp.port in {80, 443, 8000..8999}"), "(tcp.port in {80,443,8000..8999})");
  assert.equal(p("x in {-1 .. 2}"), "(x in {-1..2})");
  assert.equal(p("tcp.port not in {80}"), "!(tcp.port in {80})");
  assert.match(error("tcp.port in {80 443}").problem, /`443` was unexpected/);
  assert.match(error("tcp.port in {}").problem, /`}` was unexpected/);
});

test("arithmetic: & lowest, then + -, then * / %; braces group; unary sign on entities", () => {
  assert.equal(p("a + b * c == d"), "({a + {b * c}} any_eq d)");
  assert.equal(p("{a + b} * c == d"), "({{a + b} * c} any_eq d)");
  assert.equal(p("a & b + c"), "{a & {b + c}}");
  assert.equal(p("-a == -1"), "(-a any_eq -1)");
  assert.equal(p("tcp.flags & 0x02"), "{tcp.flags & 0x02}");
});

test("slices, layers, functions, references", () => {
  assert.equal(p("frame[-4:] == 00:00:00:00"), "(frame[-4:] any_eq 00:00:00:00)");
  assert.equal(p("x[1-2]"), "x[1:2]");
  assert.equal(p("x[0:3][1]"), "x[0:3][1:1]");
  assert.equal(p("ip.src#2 == 1.2.3.4"), "(ip.src#2:1 any_eq 1.2.3.4)");
  assert.equal(p("max(a, b, 1) > 2"), "(max(a,b,1) gt 2)");
  assert.equal(p("len(x)"), "len(x)");
  assert.equal(p("x == ${y}"), "(x any_eq ${y})");
});

test("parentheses group tests, never values (as in tshark)", () => {
  assert.match(error("(tcp.port) == 80").problem, /`==` was unexpected/);
  assert.match(error("tcp.port == (80)").problem, /`\(` was unexpected/);
});

test("syntax errors point at the unexpected token, or at the end", () => {
  const e = error("tcp.port == 80 and");
  assert.match(e.problem, /ends too early/);
  assert.deepEqual(e.span, { start: 18, end: 18 });
  const u = error("and tcp");
  assert.match(u.message, /`and` was unexpected here\n {2}and tcp\n {2}\^~~/);
  assert.match(error("tcp)").problem, /`\)` was unexpected/);
  assert.match(error("tcp.porteq 80").problem, /`80` was unexpected/);
});

test("range nodes are checked as tshark checks them", () => {
  assert.match(error("x[0:0]").problem, /length 0 is not positive/);
  assert.match(error("x[0:-1]").problem, /length -1 is not positive/);
  assert.match(error("x[5-2]").problem, /5 is not less than 2/);
  assert.match(error("x[2-2]").problem, /2 is not less than 2/);
  assert.match(error("x[-3-2]").problem, /different signs/);
  assert.match(error("x[1:2:3]").problem, /not a valid range/);
  assert.match(error("x[a]").problem, /not a valid number/);
  assert.equal(p("x[-3--1]"), "x[-3:3]");
  assert.equal(p("x[:3]"), "x[0:3]");
  assert.equal(p("x[ 1:2 ]"), "x[1:2]");
  assert.equal(p("x[0x1]"), "x[1:1]");
});
