// Phase 1: filter text -> tokens with spans. Mirrors tshark 4.0's epan/dfilter/scanner.l: flex rules tried at each
// position, the longest match winning and, on a tie, the earlier rule. Field names stay raw "unparsed" tokens (a
// word may be a field, a protocol or a literal such as a value name; check.ts decides). Inside `[...]` the text is
// range nodes; after `#` a layer number. Strings become bytes (escapes decoded, UTF-8 otherwise).

import { DisplayFilterError, msg, type Span } from "./messages.js";

/** The comparison operators, named by their any/all default (Wireshark's TEST_ANY_EQ, TEST_ALL_NE, …). */
export type CmpOp = "any_eq" | "all_ne" | "all_eq" | "any_ne" | "gt" | "ge" | "lt" | "le";

export type TokenKind =
  | "lparen" | "rparen" | "comma" | "lbrace" | "rbrace" | "dotdot" | "dollar" | "hash" | "lbracket" | "rbracket"
  | "range" | "index" | "cmp" | "contains" | "matches" | "not" | "and" | "or" | "in" | "any" | "all"
  | "plus" | "minus" | "star" | "slash" | "percent" | "bitand"
  | "string" | "charconst" | "literal" | "unparsed" | "field" | "eof";

export interface Token extends Span {
  readonly kind: TokenKind;
  /** The source text of the token. */
  readonly text: string;
  /** cmp: which comparison. */
  readonly op?: CmpOp;
  /** literal / unparsed / field / range / index: the value text (":47" -> "47", ".tcp" -> "tcp"). */
  readonly value?: string;
  /** string: the decoded bytes. */
  readonly bytes?: Uint8Array;
  /** string: r"..." (backslashes kept). */
  readonly raw?: boolean;
  /** charconst: the character's value. */
  readonly num?: number;
}

// Fixed tokens in scanner.l's rule order (a tie in length goes to the earlier rule, so "eq" is an operator, not a name).
const FIXED: readonly [string, TokenKind, CmpOp?][] = [
  ["(", "lparen"], [")", "rparen"], [",", "comma"], ["{", "lbrace"], ["..", "dotdot"], ["}", "rbrace"], ["$", "dollar"],
  ["any", "any"], ["all", "all"],
  ["==", "cmp", "any_eq"], ["eq", "cmp", "any_eq"], ["any_eq", "cmp", "any_eq"],
  ["!=", "cmp", "all_ne"], ["ne", "cmp", "all_ne"], ["all_ne", "cmp", "all_ne"],
  ["===", "cmp", "all_eq"], ["all_eq", "cmp", "all_eq"],
  ["!==", "cmp", "any_ne"], ["any_ne", "cmp", "any_ne"], ["~=", "cmp", "any_ne"],
  [">", "cmp", "gt"], ["gt", "cmp", "gt"], [">=", "cmp", "ge"], ["ge", "cmp", "ge"],
  ["<", "cmp", "lt"], ["lt", "cmp", "lt"], ["<=", "cmp", "le"], ["le", "cmp", "le"],
  ["bitwise_and", "bitand"], ["&", "bitand"],
  ["contains", "contains"], ["~", "matches"], ["matches", "matches"],
  ["!", "not"], ["not", "not"], ["&&", "and"], ["and", "and"], ["||", "or"], ["or", "or"], ["in", "in"],
  ["+", "plus"], ["-", "minus"], ["*", "star"], ["/", "slash"], ["%", "percent"],
  ["#", "hash"], ["[", "lbracket"],
];

const HEX2 = "[0-9A-Fa-f]{2}";
const MAC = new RegExp(`^(?:${HEX2}:${HEX2}:${HEX2}:${HEX2}:${HEX2}:${HEX2}|${HEX2}-${HEX2}-${HEX2}-${HEX2}-${HEX2}-${HEX2})`);
const OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])";
const IPV4 = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}(?:/[0-9]{1,2})?`);
const COLON_HEX = /^:[0-9A-Fa-f]+/;
const COLON_BYTES = new RegExp(`^:?(?:${HEX2}(?::${HEX2})+|${HEX2}:)`);
const HYPHEN_BYTES = new RegExp(`^:${HEX2}(?:-${HEX2})+`);
const DOT_BYTES = new RegExp(`^:${HEX2}(?:\\.${HEX2})+`);
const IDENT = /^[A-Za-z0-9_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_][A-Za-z0-9_-]*)*/;
const DOT_IDENT = /^\.[A-Za-z0-9_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_][A-Za-z0-9_-]*)*/;
const IPV6_CHARS = /^[0-9A-Fa-f:.]+/;

/** RFC 4291 §2.2 text form, as scanner.l's IPv6Address pattern (h16 groups, one "::", an optional trailing IPv4). */
export function isIpv6Text(s: string): boolean {
  const dbl = s.indexOf("::");
  if (dbl >= 0 && s.indexOf("::", dbl + 1) >= 0) return false;
  const parts = (p: string) => (p === "" ? [] : p.split(":"));
  const head = dbl >= 0 ? parts(s.slice(0, dbl)) : parts(s);
  const tail = dbl >= 0 ? parts(s.slice(dbl + 2)) : [];
  const all = [...head, ...tail];
  let groups = 0;
  for (let k = 0; k < all.length; k++) {
    const g = all[k];
    if (/^[0-9A-Fa-f]{1,4}$/.test(g)) groups += 1;
    else if (k === all.length - 1 && new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`).test(g)) groups += 2;
    else return false;
  }
  return dbl >= 0 ? groups <= 7 : groups === 8;
}

/** Longest IPv6 literal (with an optional /prefix) at the start of s, or 0. */
function ipv6Length(s: string): number {
  const run = IPV6_CHARS.exec(s);
  if (!run) return 0;
  for (let len = run[0].length; len >= 2; len--) {
    if (!isIpv6Text(s.slice(0, len))) continue;
    const prefix = /^\/[0-9]{1,3}/.exec(s.slice(len));
    return len + (prefix ? prefix[0].length : 0);
  }
  return 0;
}

interface Candidate { kind: TokenKind | "dquote" | "squote"; len: number; op?: CmpOp; value?: string }

/** Every INITIAL-state rule that matches at the start of `s`; the caller keeps the longest (earliest on a tie). */
function bestMatch(s: string): Candidate | null {
  let best: Candidate | null = null;
  const offer = (c: Candidate) => { if (best === null || c.len > best.len) best = c; };
  for (const [lit, kind, op] of FIXED) if (s.startsWith(lit)) offer({ kind, len: lit.length, op });
  const str = /^[rR]?"/.exec(s);
  if (str) offer({ kind: "dquote", len: str[0].length });
  if (s[0] === "'") offer({ kind: "squote", len: 1 });
  const lit = (re: RegExp, strip: boolean) => {
    const m = re.exec(s);
    if (m) offer({ kind: "literal", len: m[0].length, value: strip && m[0][0] === ":" ? m[0].slice(1) : m[0] });
  };
  lit(MAC, false);
  lit(IPV4, false);
  const v6 = ipv6Length(s);
  if (v6) offer({ kind: "literal", len: v6, value: s.slice(0, v6) });
  lit(COLON_HEX, true);
  lit(COLON_BYTES, true);
  lit(HYPHEN_BYTES, true);
  lit(DOT_BYTES, true);
  const id = IDENT.exec(s);
  if (id) offer({ kind: "unparsed", len: id[0].length, value: id[0] });
  const dot = DOT_IDENT.exec(s);
  if (dot) offer({ kind: "field", len: dot[0].length, value: dot[0].slice(1) });
  return best;
}

const utf8 = new TextEncoder();

/** The token list of `text`, ending with an "eof" token. Throws DisplayFilterError; never anything else. */
export function scan(text: string): Token[] {
  const out: Token[] = [];
  let p = 0;
  const fail = (problem: string, start: number, end: number): never => {
    throw new DisplayFilterError(problem, text, { start, end });
  };
  const push = (kind: TokenKind, start: number, end: number, extra: Partial<Token> = {}) =>
    out.push({ kind, start, end, text: text.slice(start, end), ...extra });

  while (p < text.length) {
    const c = text[p];
    if (c === " " || c === "\t" || c === "\n" || c === "\r") { p++; continue; }
    const m = bestMatch(text.slice(p, p + 512));
    if (m === null) fail(msg.unexpectedChar(String.fromCodePoint(text.codePointAt(p)!)), p, p + 1);
    const { kind, len } = m!;
    if (kind === "dquote") { p = scanString(text, p, len === 2, out, fail); continue; }
    if (kind === "squote") { p = scanChar(text, p, out, fail); continue; }
    push(kind, p, p + len, { op: m!.op, value: m!.value });
    p += len;
    if (kind === "lbracket") p = scanRange(text, p, push, fail);
    else if (kind === "hash") p = scanLayer(text, p, push, fail);
  }
  push("eof", text.length, text.length);
  return out;
}

type Push = (kind: TokenKind, start: number, end: number, extra?: Partial<Token>) => void;
type Fail = (problem: string, start: number, end: number) => never;

/** RANGE state: `[^],]+` nodes and commas up to `]`. Returns the position after `]`. */
function scanRange(text: string, p: number, push: Push, fail: Fail): number {
  const open = p - 1;
  for (;;) {
    if (p >= text.length) fail(msg.missingBracket(), open, text.length);
    const c = text[p];
    if (c === "]") { push("rbracket", p, p + 1); return p + 1; }
    if (c === ",") { push("comma", p, p + 1); p++; continue; }
    let e = p;
    while (e < text.length && text[e] !== "]" && text[e] !== ",") e++;
    push("range", p, e, { value: text.slice(p, e) });
    p = e;
  }
}

/** LAYER state: digits (an index) or `[` (a range list); anything else is an error. */
function scanLayer(text: string, p: number, push: Push, fail: Fail): number {
  if (p >= text.length) return p;
  const d = /^[0-9]+/.exec(text.slice(p));
  if (d) { push("index", p, p + d[0].length, { value: d[0] }); return p + d[0].length; }
  if (text[p] === "[") { push("lbracket", p, p + 1); return scanRange(text, p + 1, push, fail); }
  return fail(msg.layerExpected(text[p]), p, p + 1);
}

/** DQUOTE state. Returns the position after the closing quote. */
function scanString(text: string, start: number, raw: boolean, out: Token[], fail: Fail): number {
  const bytes: number[] = [];
  let p = start + (raw ? 2 : 1);
  const addText = (s: string) => { for (const b of utf8.encode(s)) bytes.push(b); };
  for (;;) {
    if (p >= text.length) fail(msg.unterminatedString(), start, text.length);
    const c = text[p];
    if (c === '"') {
      out.push({ kind: "string", start, end: p + 1, text: text.slice(start, p + 1), bytes: Uint8Array.from(bytes), raw });
      return p + 1;
    }
    if (c !== "\\") {
      let e = p;
      while (e < text.length && text[e] !== "\\" && text[e] !== '"') e++;
      addText(text.slice(p, e));
      p = e;
      continue;
    }
    const rest = text.slice(p, p + 12);
    const esc =
      /^\\[0-7]{1,3}/.exec(rest) ?? /^\\x[0-9A-Fa-f]{1,2}/.exec(rest) ?? /^\\u[0-9A-Fa-f]{0,4}/.exec(rest) ??
      /^\\U[0-9A-Fa-f]{0,8}/.exec(rest) ?? /^\\[^\n]/.exec(rest);
    if (!esc) fail(msg.badEscape(rest.slice(0, 2)), p, p + 2);
    const seq = esc![0];
    if (raw) addText(seq);
    else bytes.push(...escapeBytes(seq, () => fail(escapeProblem(seq), p, p + seq.length)));
    p += seq.length;
  }
}

function escapeProblem(seq: string): string {
  if (/^\\[0-7]/.test(seq)) return msg.octalTooLarge(seq);
  if (/^\\[uU]/.test(seq)) return msg.badUnicode(seq);
  return msg.badEscape(seq);
}

const NAMED: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, "\\": 92, "'": 39, '"': 34 };

/** The bytes one escape sequence stands for; calls bad() (which throws) for an invalid one. */
function escapeBytes(seq: string, bad: () => never): number[] {
  const k = seq[1];
  if (k >= "0" && k <= "7") {
    const v = parseInt(seq.slice(1), 8);
    return v > 0xff ? bad() : [v];
  }
  if (k === "x") return [parseInt(seq.slice(2), 16)];
  if (k === "u" || k === "U") {
    const digits = seq.slice(2);
    if (digits.length !== (k === "u" ? 4 : 8)) return bad();
    const cp = parseInt(digits, 16);
    if ((cp < 0xa0 && cp !== 0x24 && cp !== 0x40 && cp !== 0x60) || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return bad();
    return [...utf8.encode(String.fromCodePoint(cp))];
  }
  const v = NAMED[k];
  return v === undefined ? bad() : [v];
}

/** SQUOTE state: collects '...' and parses it as a C character constant (scanner.l parse_charconst). */
function scanChar(text: string, start: number, out: Token[], fail: Fail): number {
  let p = start + 1;
  for (;;) {
    if (p >= text.length) fail(msg.unterminatedChar(), start, text.length);
    if (text[p] === "'") break;
    p += text[p] === "\\" && p + 1 < text.length ? 2 : 1;
  }
  const src = text.slice(start, p + 1);
  const num = parseCharConst(src, (problem) => fail(problem, start, p + 1));
  out.push({ kind: "charconst", start, end: p + 1, text: src, num });
  return p + 1;
}

function parseCharConst(s: string, fail: (problem: string) => never): number {
  const body = s.slice(1, -1);
  if (body === "") return fail(msg.emptyChar());
  let value: number, used: number;
  if (body[0] !== "\\") {
    value = body.codePointAt(0)!;
    used = value > 0xffff ? 2 : 1;
    if (value < 0x20 || value > 0x7e) return fail(msg.charNonPrintable(value));
  } else {
    const k = body[1];
    if (k === undefined) return fail(msg.badChar(s));
    if (k === "x") {
      const m = /^\\x([0-9A-Fa-f]{1,2})/.exec(body);
      if (!m) return fail(msg.badChar(s));
      value = parseInt(m[1], 16);
      used = m[0].length;
    } else if (k === "u" || k === "U") {
      const m = (k === "u" ? /^\\u[0-9A-Fa-f]{4}/ : /^\\U[0-9A-Fa-f]{8}/).exec(body);
      if (!m) return fail(msg.badUnicode(s));
      value = parseInt(m[0].slice(2), 16);
      used = m[0].length;
    } else if (k >= "0" && k <= "7") {
      const m = /^\\([0-7]{1,3})/.exec(body)!;
      value = parseInt(m[1], 8);
      used = m[0].length;
      if (value > 0xff) return fail(msg.charTooLarge(s));
    } else if (k === "n") {
      // tshark 4.0's parse_charconst forgets to step over the n of '\n', so '\n' is "too long" there.
      return fail(msg.charTooLong(s));
    } else if (k in NAMED) {
      value = NAMED[k];
      used = 2;
    } else return fail(msg.badChar(s));
  }
  if (used !== body.length) return fail(msg.charTooLong(s));
  return value;
}
