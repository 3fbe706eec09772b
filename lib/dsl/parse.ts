// Phase 2: tokens -> syntax tree with source spans. A recursive-descent rendering of tshark 4.0's
// epan/dfilter/grammar.lemon: `or` < `and` < `not` < relations; relations compare arithmetic expressions
// (`&` < `+ -` < `* / %` < unary sign, grouped with `{ }`), chain (`a == b == c` is `a == b and b == c`), and take an
// optional `any`/`all`; `contains`, `matches` and `in` take plain entities. Names stay unresolved (check.ts).

import { DisplayFilterError, msg, type Span } from "./messages.js";
import { scan, type CmpOp, type Token, type TokenKind } from "./scan.js";

/** One node of a slice or layer range: `start` (negative counts from the end) and a length, null for "to the end". */
export interface RangeNode extends Span {
  readonly text: string;
  readonly from: number;
  readonly length: number | null;
}

export type ArithOp = "+" | "-" | "*" | "/" | "%" | "&";
export type Quantifier = "any" | "all";

/** Value-producing nodes. */
export type Entity =
  | { readonly kind: "name"; readonly name: string; readonly dotted: boolean; readonly layers: readonly RangeNode[] | null; readonly span: Span }
  | { readonly kind: "literal"; readonly text: string; readonly span: Span }
  | { readonly kind: "string"; readonly bytes: Uint8Array; readonly raw: boolean; readonly text: string; readonly span: Span }
  | { readonly kind: "charconst"; readonly value: number; readonly text: string; readonly span: Span }
  | { readonly kind: "slice"; readonly of: Entity; readonly ranges: readonly RangeNode[]; readonly span: Span }
  | { readonly kind: "call"; readonly name: string; readonly nameSpan: Span; readonly args: readonly Arith[]; readonly span: Span }
  | { readonly kind: "ref"; readonly field: Entity; readonly span: Span };

export type Arith =
  | Entity
  | { readonly kind: "neg"; readonly of: Entity; readonly span: Span; readonly opSpan: Span }
  | { readonly kind: "arith"; readonly op: ArithOp; readonly a: Arith; readonly b: Arith; readonly span: Span; readonly opSpan: Span };

export interface SetElem { readonly lo: Arith; readonly hi: Arith | null; readonly span: Span }

/** Test-producing nodes. A bare value used as a test ("tcp", "tcp.flags & 0x02") is `truth`. */
export type Test =
  | { readonly kind: "and" | "or"; readonly a: Test; readonly b: Test; readonly span: Span }
  | { readonly kind: "not"; readonly a: Test; readonly span: Span }
  | { readonly kind: "cmp"; readonly op: CmpOp; readonly quant: Quantifier | null; readonly a: Arith; readonly b: Arith; readonly span: Span; readonly opSpan: Span; readonly opText: string }
  | { readonly kind: "contains" | "matches"; readonly quant: Quantifier | null; readonly a: Entity; readonly b: Entity; readonly span: Span; readonly opSpan: Span; readonly opText: string }
  | { readonly kind: "in"; readonly quant: Quantifier | null; readonly a: Entity; readonly set: readonly SetElem[]; readonly span: Span; readonly opSpan: Span }
  | { readonly kind: "truth"; readonly value: Arith; readonly span: Span };

/** The syntax tree of `text`; null for an empty filter (which selects every frame). Throws DisplayFilterError. */
export function parse(text: string, tokens: readonly Token[] = scan(text)): Test | null {
  return new Parser(text, tokens).sentence();
}

const span = (a: Span, b: Span): Span => ({ start: a.start, end: b.end });

class Parser {
  private k = 0;
  constructor(private readonly text: string, private readonly toks: readonly Token[]) {}

  sentence(): Test | null {
    if (this.peek().kind === "eof") return null;
    const t = this.or();
    this.expect("eof");
    return t;
  }

  private peek(ahead = 0): Token { return this.toks[Math.min(this.k + ahead, this.toks.length - 1)]; }
  private next(): Token { return this.toks[Math.min(this.k++, this.toks.length - 1)]; }
  private at(kind: TokenKind): boolean { return this.peek().kind === kind; }

  private fail(tok: Token): never {
    if (tok.kind === "eof") throw new DisplayFilterError(msg.unexpectedEnd(), this.text, { start: tok.start, end: tok.end });
    throw new DisplayFilterError(msg.unexpected(tok.text), this.text, tok);
  }

  private expect(kind: TokenKind): Token {
    const t = this.next();
    if (t.kind !== kind) this.fail(t);
    return t;
  }

  private or(): Test {
    let a = this.and();
    while (this.at("or")) { this.next(); const b = this.and(); a = { kind: "or", a, b, span: span(a.span, b.span) }; }
    return a;
  }

  private and(): Test {
    let a = this.not();
    while (this.at("and")) { this.next(); const b = this.not(); a = { kind: "and", a, b, span: span(a.span, b.span) }; }
    return a;
  }

  private not(): Test {
    if (this.at("not")) {
      const t = this.next();
      const a = this.not();
      return { kind: "not", a, span: span(t, a.span) };
    }
    if (this.at("lparen")) {
      this.next();
      const e = this.or();
      this.expect("rparen");
      return e;
    }
    if (this.at("any") || this.at("all")) {
      const q = this.next();
      const r = this.relation(q.kind as Quantifier);
      return r;
    }
    return this.relation(null);
  }

  /** A relation test, or a `truth` test when the arithmetic expression stands alone. */
  private relation(quant: Quantifier | null): Test {
    const first = this.peek();
    const a = this.arith();
    const entity = isEntityOnly(a, first);
    const t = this.peek();
    if (t.kind === "cmp") return this.chain(a, quant);
    if ((t.kind === "contains" || t.kind === "matches") && entity) {
      this.next();
      const b = this.entity();
      return { kind: t.kind, quant, a: a as Entity, b, span: span(a.span, b.span), opSpan: t, opText: t.text };
    }
    if (t.kind === "in" && entity) {
      this.next();
      return this.setTest(a as Entity, quant, t);
    }
    if (t.kind === "not" && this.peek(1).kind === "in" && entity) {
      this.next();
      const inTok = this.next();
      const test = this.setTest(a as Entity, quant, inTok);
      return { kind: "not", a: test, span: span(t, test.span) };
    }
    if (quant !== null) this.fail(t);
    return { kind: "truth", value: a, span: a.span };
  }

  private chain(first: Arith, quant: Quantifier | null): Test {
    let a = first;
    let out: Test | null = null;
    while (this.at("cmp")) {
      const t = this.next();
      const b = this.arith();
      const c: Test = { kind: "cmp", op: t.op!, quant, a, b, span: span(a.span, b.span), opSpan: t, opText: t.text };
      out = out === null ? c : { kind: "and", a: out, b: c, span: span(out.span, c.span) };
      a = b;
    }
    return out!;
  }

  private setTest(a: Entity, quant: Quantifier | null, inTok: Token): Test {
    const open = this.expect("lbrace");
    const set: SetElem[] = [];
    for (;;) {
      const lo = this.setEntity();
      let hi: Arith | null = null;
      if (this.at("dotdot")) { this.next(); hi = this.setEntity(); }
      set.push({ lo, hi, span: span(lo.span, (hi ?? lo).span) });
      if (this.at("comma")) { this.next(); continue; }
      const close = this.expect("rbrace");
      return { kind: "in", quant, a, set, span: span(a.span, close), opSpan: { start: inTok.start, end: open.end } };
    }
  }

  private setEntity(): Arith {
    if (this.at("minus")) {
      const t = this.next();
      const of = this.entity();
      return { kind: "neg", of, span: span(t, of.span), opSpan: t };
    }
    if (this.at("plus")) this.next();
    return this.entity();
  }

  // ---- arithmetic: & < + - < * / % < unary sign < { }

  private arith(): Arith { return this.binary(0); }

  private static readonly LEVELS: readonly (readonly [TokenKind, ArithOp][])[] = [
    [["bitand", "&"]],
    [["plus", "+"], ["minus", "-"]],
    [["star", "*"], ["slash", "/"], ["percent", "%"]],
  ];

  private binary(level: number): Arith {
    if (level === Parser.LEVELS.length) return this.unary();
    let a = this.binary(level + 1);
    for (;;) {
      const t = this.peek();
      const hit = Parser.LEVELS[level].find(([k]) => k === t.kind);
      if (!hit) return a;
      this.next();
      const b = this.binary(level + 1);
      a = { kind: "arith", op: hit[1], a, b, span: span(a.span, b.span), opSpan: t };
    }
  }

  private unary(): Arith {
    const t = this.peek();
    if (t.kind === "plus") { this.next(); return this.entity(); }
    if (t.kind === "minus") {
      this.next();
      const of = this.entity();
      return { kind: "neg", of, span: span(t, of.span), opSpan: t };
    }
    if (t.kind === "lbrace") {
      this.next();
      const e = this.arith();
      this.expect("rbrace");
      return e;
    }
    return this.entity();
  }

  // ---- entities

  private entity(): Entity {
    const t = this.next();
    let e: Entity;
    switch (t.kind) {
      case "string": e = { kind: "string", bytes: t.bytes!, raw: t.raw!, text: t.text, span: t }; break;
      case "charconst": e = { kind: "charconst", value: t.num!, text: t.text, span: t }; break;
      case "literal": e = { kind: "literal", text: t.value!, span: t }; break;
      case "field": e = this.name(t, true); break;
      case "unparsed": e = this.at("lparen") ? this.call(t) : this.name(t, false); break;
      case "dollar": e = this.reference(t); break;
      default: return this.fail(t);
    }
    while (this.at("lbracket")) {
      this.next();
      const ranges = this.ranges();
      const close = this.expect("rbracket");
      e = { kind: "slice", of: e, ranges, span: span(e.span, close) };
    }
    return e;
  }

  private name(t: Token, dotted: boolean): Entity {
    let layers: RangeNode[] | null = null;
    let end: Span = t;
    if (this.at("hash")) {
      this.next();
      const n = this.next();
      if (n.kind === "index") { layers = [rangeNode(this.text, n)]; end = n; }
      else if (n.kind === "lbracket") { layers = this.ranges(); end = this.expect("rbracket"); }
      else this.fail(n);
    }
    return { kind: "name", name: t.value!, dotted, layers, span: span(t, end) };
  }

  private call(t: Token): Entity {
    this.next(); // (
    const args: Arith[] = [];
    if (!this.at("rparen")) {
      for (;;) {
        args.push(this.arith());
        if (this.at("comma")) { this.next(); continue; }
        break;
      }
    }
    const close = this.expect("rparen");
    return { kind: "call", name: t.value!, nameSpan: t, args, span: span(t, close) };
  }

  private reference(dollar: Token): Entity {
    this.expect("lbrace");
    const t = this.next();
    if (t.kind !== "field" && t.kind !== "unparsed") this.fail(t);
    const field = this.name(t, t.kind === "field");
    const close = this.expect("rbrace");
    return { kind: "ref", field, span: span(dollar, close) };
  }

  private ranges(): RangeNode[] {
    const out: RangeNode[] = [];
    for (;;) {
      const t = this.next();
      if (t.kind !== "range") this.fail(t);
      out.push(rangeNode(this.text, t));
      if (this.at("comma")) { this.next(); continue; }
      return out;
    }
  }
}

/** True when the tokens from `first` form a single entity (not arithmetic, a sign or braces). */
function isEntityOnly(a: Arith, first: Token): boolean {
  return a.kind !== "arith" && a.kind !== "neg" && first.kind !== "lbrace" && first.kind !== "plus";
}

const NUM = "[+-]?(?:0[xX][0-9A-Fa-f]+|[0-9]+)";
const COLON_FORM = new RegExp(`^(${NUM})?:(${NUM})?$`);
const HYPHEN_FORM = new RegExp(`^(${NUM})-(${NUM})$`);
const SINGLE_FORM = new RegExp(`^(${NUM})$`);

/** Parses one range node as drange_node_from_str: "i:j", "i-j" (inclusive), "i", ":j", "i:". */
export function rangeNode(text: string, t: Token): RangeNode {
  const raw = t.value!.trim();
  const fail = (problem: string): never => { throw new DisplayFilterError(problem, text, t); };
  const num = (s: string): number => {
    const neg = s[0] === "-", body = s.replace(/^[+-]/, "");
    let v: number;
    if (/^0[xX]/.test(body)) v = parseInt(body.slice(2), 16);
    else if (/^0[0-7]*$/.test(body)) v = parseInt(body, 8);
    else if (/^0/.test(body)) return fail(msg.badRange(raw));
    else v = parseInt(body, 10);
    if (v > 0x7fffffff) return fail(msg.rangeOverflow(s));
    return neg ? -v : v;
  };
  let m = COLON_FORM.exec(raw);
  if (m) {
    const from = m[1] === undefined ? 0 : num(m[1]);
    if (m[2] === undefined) return { text: raw, from, length: null, start: t.start, end: t.end };
    const length = num(m[2]);
    if (length <= 0) fail(msg.rangeNotPositive(raw, length));
    return { text: raw, from, length, start: t.start, end: t.end };
  }
  m = HYPHEN_FORM.exec(raw);
  if (m) {
    const a = num(m[1]), b = num(m[2]);
    if ((a < 0) !== (b < 0)) fail(msg.rangeSigns(raw, a, b));
    if (a >= b) fail(msg.rangeOrder(raw, a, b));
    return { text: raw, from: a, length: b - a + 1, start: t.start, end: t.end };
  }
  m = SINGLE_FORM.exec(raw);
  if (m) return { text: raw, from: num(m[1]), length: 1, start: t.start, end: t.end };
  return fail(/^[^0-9+:-]/.test(raw) ? msg.notNumber(raw) : msg.badRange(raw));
}
