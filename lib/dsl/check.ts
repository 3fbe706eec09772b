// Phase 3: syntax tree -> checked tree (ir.ts). Resolves names against the field registry (a word that is no field
// is a literal, as in tshark), type-checks every relation with Wireshark 4.0's rules (semcheck.c), turns literals
// into typed values of the other side's type (value names included), and names the columns each value reads.
// Errors quote the offending text and suggest the nearest field names.

import type { FieldDef, FieldType } from "../dissectors/field.js";
import { lookupField, type FieldEntry } from "../dissectors/registry.js";
import { editDistance, nearestFields } from "../table/errors.js";
import { FUNCTIONS, lookupFunction, type FnContext } from "./functions.js";
import type { Check, CmpOp, Compare, CRange, SetElem, Value } from "./ir.js";
import { fromChar, fromLiteral, fromString, type TypedConst } from "./literals.js";
import { DisplayFilterError, msg, type Span } from "./messages.js";
import type { Arith, Entity, RangeNode, Test } from "./parse.js";
import { asciiSafe, compileRegex } from "./regex.js";
import type { CmpOp as TokenOp } from "./scan.js";
import { canArith, canContains, canEq, canMatches, canNegate, canOrder, canSlice, compatible, repOf, typeName, UNSIGNED_TYPES } from "./types.js";
import { latin1 } from "./runtime.js";
import { rawName } from "./raw-names.js";

/** The checked form of a parsed filter (null, the empty filter, selects every frame). Throws DisplayFilterError. */
export function check(text: string, ast: Test | null): Check {
  return ast === null ? { kind: "true" } : new Checker(text).test(ast);
}

const OPS: Record<TokenOp, [CmpOp, boolean]> = {
  any_eq: ["eq", false], all_ne: ["ne", true], all_eq: ["eq", true], any_ne: ["ne", false],
  gt: ["gt", false], ge: ["ge", false], lt: ["lt", false], le: ["le", false],
};

/** A slice, including a protocol slice read as a pseudo-column (`tcp[13]`). */
const isSlice = (v: Value) => v.kind === "slice" || (v.kind === "column" && v.type === "bytes" && /\[[^*\]]*\]$/.test(v.column) && lookupField(v.field)?.field.type === "protocol");
const ranges = (rs: readonly RangeNode[]): CRange[] => rs.map((r) => ({ from: r.from, length: r.length }));
/** The registered names nearest to `name`: those at the smallest edit distance (at most three). */
function nearest(name: string): string[] {
  const near = nearestFields(name, 3);
  if (near.length === 0) return near;
  const best = editDistance(name, near[0]);
  return near.filter((n) => editDistance(name, n) === best);
}

/** Looks like a field name (so an unknown one deserves "did you mean"). */
const fieldLike = (s: string) => /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/.test(s) && !/^[0-9a-fA-F]+$/.test(s);

class Checker implements FnContext {
  constructor(private readonly text: string) {}

  fail(problem: string, span: Span, near: readonly string[] = [], unknown: string | null = null): never {
    throw new DisplayFilterError(problem, this.text, span, near, unknown);
  }

  test(t: Test): Check {
    switch (t.kind) {
      case "and": case "or": return { kind: t.kind, a: this.test(t.a), b: this.test(t.b) };
      case "not": return { kind: "not", a: this.test(t.a) };
      case "truth": return this.truth(t.value);
      case "cmp": return this.compare(t);
      case "contains": return this.contains(t as Test & { kind: "contains" });
      case "matches": return this.matches(t as Test & { kind: "matches" });
      case "in": return this.member(t);
    }
  }

  // ---------------------------------------------------------------- names

  private entry(node: Entity & { kind: "name" }): FieldEntry | null {
    const e = lookupField(node.name) ?? null;
    if (e === null && (node.dotted || node.layers !== null)) this.unknown(node.name, node.span);
    return e;
  }

  private unknown(name: string, span: Span): never {
    const near = nearest(name);
    return this.fail(fieldLike(name) ? msg.unknownField(name, near) : msg.notFieldOrProtocol(name, near), span, near, name);
  }

  /** The column a field's values come from; a protocol's value is its header bytes (pseudo-column `tcp[0:]`). */
  private column(e: FieldEntry, node: Entity & { kind: "name" }, use: "value" | "presence"): Value & { kind: "column" } {
    const layers = node.layers ? ranges(node.layers) : null;
    const isProto = e.field.type === "protocol";
    const column = rawName(e.field.abbrev, layers, use === "value" && isProto ? [{ from: 0, length: null }] : null);
    return { kind: "column", column, field: e.field.abbrev, type: use === "value" && isProto ? "protocol" : e.field.type, span: node.span };
  }

  field(node: Arith): (Value & { kind: "column" }) | null {
    if (node.kind !== "name") return null;
    const e = this.entry(node);
    return e === null ? null : this.column(e, node, "value");
  }

  isConstant(node: Arith): boolean {
    if (node.kind === "literal" || node.kind === "string" || node.kind === "charconst") return true;
    return node.kind === "name" && !node.dotted && node.layers === null && lookupField(node.name) === undefined;
  }

  // ---------------------------------------------------------------- tests

  private truth(v: Arith): Check {
    switch (v.kind) {
      case "name": {
        const e = this.entry(v);
        if (e === null) return this.unknown(v.name, v.span);
        return { kind: "exists", column: this.column(e, v, "presence").column };
      }
      case "slice": return { kind: "nonempty", value: this.slice(v) };
      case "call": return this.fail(msg.functionPresence(), v.nameSpan);
      case "arith": case "neg": return { kind: "truthy", value: this.value(v, null) };
      default: return this.fail(msg.notFieldOrProtocol(v.kind === "ref" ? "a field reference" : (v as { text: string }).text, []), v.span);
    }
  }

  private compare(t: Test & { kind: "cmp" }): Check {
    const [op, dflt] = OPS[t.op];
    const all = t.quant === null ? dflt : t.quant === "all";
    const a = this.lhs(t.a, t.opText);
    const can = op === "eq" || op === "ne" ? canEq : canOrder;
    if (!can(a.type)) this.fail(msg.cannotOperate(this.describe(a), typeName(a.type), t.opText), t.a.span);
    const b = this.rhs(t.b, a, false);
    if (!can(b.type)) this.fail(msg.cannotOperate(this.describe(b), typeName(b.type), t.opText), t.b.span);
    const [a2, b2, how] = this.unify(a, b);
    if (this.negativeUnsigned(a, b)) return { kind: "false" };
    return { kind: "cmp", op, all, a: a2, b: b2, how };
  }

  /** An unsigned field against a negative constant never compares in Wireshark (the types differ). */
  private negativeUnsigned(a: Value, b: Value): boolean {
    return a.kind === "column" && UNSIGNED_TYPES.has(a.type) && b.kind === "const" && typeof b.value === "number" && b.value < 0;
  }

  private contains(t: Test & { kind: "contains" }): Check {
    const all = t.quant === "all";
    let a = this.lhs(t.a, t.opText);
    if (!canContains(a.type)) this.fail(msg.cannotOperate(this.describe(a), typeName(a.type), t.opText), t.a.span);
    const b = this.rhs(t.b, a, true);
    if (a.kind === "column" && a.type === "protocol") {
      if (!all && b.kind === "const") return { kind: "flag", column: this.pdu(a, { contains: b }) };
      a = { ...a, column: this.pdu(a, null) };
    }
    const [a2, b2] = this.unify(a, b);
    return { kind: "contains", all, a: a2, b: b2 };
  }

  private matches(t: Test & { kind: "matches" }): Check {
    const all = t.quant === "all";
    if (t.b.kind !== "string") return this.fail(msg.matchesNeedsString(), t.b.span);
    const pattern = latin1(t.b.bytes);
    const re = compileRegex(pattern);
    if (typeof re === "string") return this.fail(msg.regexError(re), t.b.span);
    let a = this.lhs(t.a, t.opText);
    if (!canMatches(a.type)) this.fail(msg.cannotOperate(this.describe(a), typeName(a.type), t.opText), t.a.span);
    if (a.kind === "column" && a.type === "protocol") {
      if (!all) return { kind: "flag", column: this.pdu(a, { matches: pattern }) };
      a = { ...a, column: this.pdu(a, null) };
    }
    return { kind: "matches", all, a: a.type === "ether" ? { kind: "bytes", of: a, type: "bytes", span: a.span } : a, re, ascii: asciiSafe(pattern) };
  }

  /** The pseudo-column of a protocol's whole PDU (header and payload), or a test over it computed while reading. */
  private pdu(a: Value & { kind: "column" }, test: { contains: Value } | { matches: string } | null): string {
    const layered = /#\[[^\]]*\]/.exec(a.column)?.[0] ?? "";
    const base = `${a.field}${layered}[*]`;
    if (test === null) return base;
    if ("matches" in test) return `${base} matches ${JSON.stringify(test.matches)}`;
    const v = test.contains as Value & { kind: "const" };
    const bytes = v.value instanceof Uint8Array ? v.value : new TextEncoder().encode(String(v.value));
    return `${base} contains ${Array.from(bytes, (x) => x.toString(16).padStart(2, "0")).join("")}`;
  }

  private member(t: Test & { kind: "in" }): Check {
    const all = t.quant === "all";
    if (t.a.kind !== "name") return this.fail(msg.setNeedsField(), t.a.span);
    const a = this.lhs(t.a, "in");
    if (!canEq(a.type)) this.fail(msg.cannotOperate(this.describe(a), typeName(a.type), "in"), t.a.span);
    let how: Compare | null = null;
    let lhs: Value = a;
    const elems: SetElem[] = [];
    for (const el of t.set) {
      const side = (n: Arith): Value => {
        if (n.kind === "slice") this.fail(msg.sliceInSet(), n.span);
        const v = this.rhs(n, a, false);
        const [a2, b2, h] = this.unify(a, v);
        how ??= h;
        lhs = a2;
        return b2;
      };
      if (el.hi !== null && !canOrder(a.type)) this.fail(msg.cannotOperate(this.describe(a), typeName(a.type), ".."), el.span);
      const lo = side(el.lo), hi = el.hi === null ? null : side(el.hi);
      if (this.negativeUnsigned(a, lo) && (hi === null || this.negativeUnsigned(a, hi))) continue;
      elems.push({ lo, hi });
    }
    if (elems.length === 0) return { kind: "false" };
    return { kind: "in", all, a: lhs, elems, how: how ?? "num" };
  }

  // ---------------------------------------------------------------- relation sides

  /** The left side of a relation: a field, slice, function or arithmetic — never a literal. */
  private lhs(node: Arith, opText: string): Value {
    switch (node.kind) {
      case "name": {
        const e = this.entry(node);
        if (e === null) {
          const near = nearest(node.name);
          if (fieldLike(node.name)) this.fail(msg.unknownField(node.name, near), node.span, near, node.name);
          this.fail(msg.lhsNotField(opText, node.name, []), node.span);
        }
        return this.column(e!, node, "value");
      }
      case "literal": case "string": case "charconst":
        return this.fail(msg.lhsNotField(opText, node.text, []), node.span);
      default:
        return this.value(node, null);
    }
  }

  /** The right side of a relation whose left side is `lhs`: literals become values of the left side's type. */
  private rhs(node: Arith, lhs: Value, partial: boolean): Value {
    const target: FieldType = lhs.type;
    const field: FieldDef | undefined = lhs.kind === "column" ? lookupField(lhs.field)?.field : undefined;
    const opts = { field, partial };
    const konst = (c: TypedConst, text: string, span: Span): Value => ({ kind: "const", type: c.type, value: c.value, prefix: c.prefix, text, span });
    const fail = (span: Span) => (problem: string): never => this.fail(problem, span);
    switch (node.kind) {
      case "name": {
        const e = this.entry(node);
        if (e !== null) {
          const v = this.column(e, node, "value");
          this.checkCompatible(lhs, v, node.span);
          return v;
        }
        return konst(this.literal(target, node.name, node.span, opts), node.name, node.span);
      }
      case "literal": return konst(fromLiteral(target, node.text, fail(node.span), opts), node.text, node.span);
      case "string": return konst(fromString(target, node.bytes, node.text, fail(node.span), opts), node.text, node.span);
      case "charconst": return konst(fromChar(target, node.value, node.text, fail(node.span)), node.text, node.span);
      default: {
        const v = this.value(node, target);
        if (v.kind !== "const") this.checkCompatible(lhs, v, node.span);
        return v;
      }
    }
  }

  /** A word that is no field, as a literal of `type`; if it looks like a misspelt field, say so. */
  private literal(type: FieldType, text: string, span: Span, opts: { field?: FieldDef; partial?: boolean }): TypedConst {
    try {
      return fromLiteral(type, text, (problem) => { throw new DisplayFilterError(problem, this.text, span); }, opts);
    } catch (e) {
      const near = text.includes(".") && fieldLike(text) ? nearest(text) : [];
      if (near.length > 0) this.fail(msg.unknownField(text, near), span, near, text);
      throw e;
    }
  }

  private checkCompatible(a: Value, b: Value, span: Span): void {
    if (isSlice(a) || isSlice(b)) {
      const other = isSlice(a) ? b : a;
      if (repOf(other.type) !== "bytes" && !canSlice(other.type)) this.fail(msg.cannotSlice(this.describe(other), typeName(other.type)), other.span);
      return;
    }
    if (!compatible(a.type, b.type)) this.fail(msg.incompatible(this.describe(a), this.describe(b)), span);
  }

  /** Brings both sides to one representation (a MAC or IPv4 next to bytes becomes bytes) and picks the comparison. */
  private unify(a: Value, b: Value): [Value, Value, Compare] {
    const asBytes = (v: Value): Value => (repOf(v.type) === "bytes" || v.type === "bytes" ? v : { kind: "bytes", of: v, type: "bytes", span: v.span });
    const ra = repOf(a.type), rb = repOf(b.type);
    if (ra !== rb) {
      const a2 = asBytes(a), b2 = asBytes(b);
      if (repOf(a2.type) === "bytes" && repOf(b2.type) === "bytes") return [a2, b2, "bytes"];
      return [a, b, ra === "str" || rb === "str" ? "str" : "num"];
    }
    if (ra === "str") return [a, b, "str"];
    if (ra === "bytes") return [a, b, a.type === "ipv6" && b.type === "ipv6" ? "ipv6" : "bytes"];
    return [a, b, a.type === "ipv4" && b.type === "ipv4" ? "ipv4" : "num"];
  }

  // ---------------------------------------------------------------- values

  /** An arithmetic expression (or a single entity); literals in it take `lhsType`, else the first operand's type. */
  value(node: Arith, lhsType: FieldType | null): Value {
    if (node.kind === "arith") {
      if (lhsType === null && this.isConstant(node.a)) this.fail(msg.constantLhs(), node.a.span);
      const a = this.value(node.a, lhsType);
      if (!canArith(a.type, node.op)) this.fail(msg.cannotArith(typeName(a.type), node.op), node.a.span);
      const b = this.value(node.b, lhsType ?? a.type);
      if (b.kind !== "const" && !compatible(a.type, b.type) && !(node.op === "&" && repOf(a.type) === "bytes")) {
        this.fail(msg.incompatible(this.describe(a), this.describe(b)), node.b.span);
      }
      return { kind: "arith", op: node.op, a, b, type: a.type, span: node.span };
    }
    if (node.kind === "neg") {
      if (lhsType === null && this.isConstant(node.of)) this.fail(msg.constantLhs(), node.of.span);
      const v = this.entityValue(node.of, lhsType);
      if (!canNegate(v.type)) this.fail(msg.cannotArith(typeName(v.type), "-"), node.of.span);
      if (v.kind === "const" && typeof v.value === "number") return { ...v, value: -v.value, text: `-${v.text}`, span: node.span };
      return { kind: "neg", of: v, type: v.type, span: node.span };
    }
    return this.entityValue(node, lhsType);
  }

  private entityValue(node: Entity, lhsType: FieldType | null): Value {
    const konst = (c: TypedConst, text: string): Value => ({ kind: "const", type: c.type, value: c.value, prefix: c.prefix, text, span: node.span });
    switch (node.kind) {
      case "name": {
        const e = this.entry(node);
        if (e !== null) return this.column(e, node, "value");
        if (lhsType === null) return this.fail(msg.notArithOperand(`\`${node.name}\``), node.span);
        return konst(this.literal(lhsType, node.name, node.span, {}), node.name);
      }
      case "literal":
        if (lhsType === null) return this.fail(msg.notArithOperand(`\`${node.text}\``), node.span);
        return konst(fromLiteral(lhsType, node.text, (p) => this.fail(p, node.span)), node.text);
      case "charconst":
        if (lhsType === null) return this.fail(msg.notArithOperand(node.text), node.span);
        return konst(fromChar(lhsType, node.value, node.text, (p) => this.fail(p, node.span)), node.text);
      case "string": return this.fail(msg.notArithOperand(node.text), node.span);
      case "slice": return this.slice(node);
      case "call": return this.call(node);
      case "ref": {
        const f = node.field as Entity & { kind: "name" };
        const e = this.entry(f) ?? this.unknown(f.name, f.span);
        return { kind: "none", type: e.field.type === "protocol" ? "protocol" : e.field.type, span: node.span };
      }
    }
  }

  private slice(node: Entity & { kind: "slice" }): Value {
    const rs = ranges(node.ranges);
    const of = node.of;
    if (of.kind === "name") {
      const e = this.entry(of) ?? this.unknown(of.name, of.span);
      if (!canSlice(e.field.type)) this.fail(msg.cannotSlice(`\`${e.field.abbrev}\``, typeName(e.field.type)), of.span);
      if (e.field.type === "protocol") {
        const layers = of.layers ? ranges(of.layers) : null;
        return { kind: "column", column: rawName(e.field.abbrev, layers, rs), field: e.field.abbrev, type: "bytes", span: node.span };
      }
      return { kind: "slice", of: this.column(e, of, "value"), ranges: rs, type: "bytes", span: node.span };
    }
    if (of.kind === "call" || of.kind === "slice") {
      const v = of.kind === "call" ? this.call(of) : this.slice(of);
      if (!canSlice(v.type)) this.fail(msg.cannotSlice(`the result of \`${(of as { name?: string }).name ?? "this slice"}()\``, typeName(v.type)), of.span);
      return { kind: "slice", of: v, ranges: rs, type: "bytes", span: node.span };
    }
    return this.fail(msg.cannotSlice(this.entityText(of), "constant"), of.span);
  }

  private call(node: Entity & { kind: "call" }): Value {
    const def = lookupFunction(node.name);
    if (def === undefined) {
      const near = FUNCTIONS.map((f) => f.name).filter((n) => n.startsWith(node.name.slice(0, 2)) || node.name.startsWith(n));
      return this.fail(msg.unknownFunction(node.name, near), node.nameSpan);
    }
    if (node.args.length < def.minArgs) this.fail(msg.fnTooFew(def.name, def.minArgs), node.nameSpan);
    if (node.args.length > def.maxArgs) this.fail(msg.fnTooMany(def.name, def.maxArgs), node.nameSpan);
    const { args, type } = def.check(node.args, this);
    return { kind: "call", fn: def.name, args, type, span: node.span };
  }

  private entityText(e: Entity): string {
    return "text" in e ? e.text : e.kind === "name" ? `\`${e.name}\`` : "this value";
  }

  /** How a value is named in messages. */
  private describe(v: Value): string {
    switch (v.kind) {
      case "column": return `\`${v.field}\``;
      case "call": return `the result of \`${v.fn}()\``;
      case "const": return `\`${v.text}\``;
      case "slice": return "the slice";
      default: return "the expression";
    }
  }
}
