// Every user-facing message of the display-filter compiler (vega-lite's src/log/message.ts). Each message names the
// problem in the analyst's words, quotes the offending text, and DisplayFilterError renders the filter with a caret
// under the place, the way tshark prints its own errors:
//
//   unknown field `mqtt.msgtyp` — did you mean `mqtt.msgtype`?
//     mqtt.msgtyp == 3
//     ^~~~~~~~~~~

/** A half-open character range [start, end) of the filter text. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** The caret lines under `span` of `text`: the filter indented by two spaces, then `^~~~` under the span. */
export function caret(text: string, span: Span): string {
  const line = text.replace(/[\r\n\t]/g, " ");
  const start = Math.max(0, Math.min(span.start, line.length));
  const width = Math.max(1, Math.min(span.end, line.length + 1) - start);
  return `  ${line}\n  ${" ".repeat(start)}^${"~".repeat(width - 1)}`;
}

/** A filter that cannot be compiled. `problem` is the first line; `message` adds the caret lines. Never thrown for frames. */
export class DisplayFilterError extends Error {
  override name = "DisplayFilterError";
  constructor(
    /** What is wrong, one line, no caret. */
    readonly problem: string,
    /** The whole filter text. */
    readonly filter: string,
    /** Where, or null when the problem is the filter as a whole. */
    public span: Span | null,
    /** Field names offered as "did you mean". */
    readonly suggestions: readonly string[] = [],
    /** The name, when the problem is a field name no dissector registers. */
    readonly unknownField: string | null = null,
  ) {
    super(span ? `${problem}\n${caret(filter, span)}` : problem);
    if (span) this.span = { start: span.start, end: span.end };
  }
}

const q = (s: string) => `\`${s}\``;
const didYouMean = (near: readonly string[]) => (near.length ? ` — did you mean ${near.map(q).join(", ")}?` : "");

/** The message texts. Each returns the problem line; the caller attaches the span. */
export const msg = {
  // ---- scanning
  unexpectedChar: (c: string) =>
    /[\x20-\x7e]/.test(c) ? `${q(c)} is not allowed here` : "non-printable characters may only appear inside double quotes",
  unterminatedString: () => "the closing double quote of this string is missing",
  unterminatedChar: () => "the closing single quote of this character constant is missing",
  badEscape: (seq: string) => `${q(seq)} is not a valid escape sequence (use \\\\ for a backslash)`,
  octalTooLarge: (seq: string) => `${q(seq)} is larger than 255`,
  badUnicode: (seq: string) => `${q(seq)} is not a valid universal character name`,
  emptyChar: () => "empty character constant",
  badChar: (text: string) => `${text} is not a valid character constant`,
  charTooLong: (text: string) => `${text} is too long to be a character constant`,
  charTooLarge: (text: string) => `${text} is too large to be a character constant`,
  charNonPrintable: (code: number) => `non-printable value 0x${code.toString(16).padStart(2, "0")} in a character constant (use an escape)`,
  missingBracket: () => "the closing `]` of this slice is missing",
  layerMissing: () => "the layer number or range after `#` is missing",
  layerExpected: (c: string) => `expected a layer number or \`[\` after \`#\`, not ${q(c)}`,
  dotField: (name: string, near: readonly string[]) => `${q(name)} is not a field or protocol${didYouMean(near)}`,

  // ---- parsing
  unexpected: (tok: string) => `${q(tok)} was unexpected here`,
  unexpectedEnd: () => "the filter ends too early: an operand or a closing bracket is missing",
  notInChain: (op: string) => `${q(op)} cannot follow another comparison here`,

  // ---- ranges (slices and layers)
  badRange: (text: string) => `${q(text)} is not a valid range (use i:j, i-j, i, :j or i:)`,
  rangeNotPositive: (text: string, len: number) => `range ${q(text)} is not valid: length ${len} is not positive`,
  rangeOrder: (text: string, a: number, b: number) => `range ${q(text)} is not valid: ${a} is not less than ${b}`,
  rangeSigns: (text: string, a: number, b: number) => `range ${q(text)} is not valid: ${a} and ${b} have different signs`,
  rangeOverflow: (text: string) => `${q(text)} is too large for an offset`,

  // ---- names
  unknownField: (name: string, near: readonly string[]) => `unknown field ${q(name)}${didYouMean(near)}`,
  notFieldOrProtocol: (text: string, near: readonly string[]) => `${text} is neither a field nor a protocol name${didYouMean(near)}`,
  lhsNotField: (op: string, text: string, near: readonly string[]) =>
    `the left side of ${q(op)} must be a field, a slice or a function, not ${text}${didYouMean(near)}`,
  functionPresence: () => "a function cannot be tested for presence: compare its result (e.g. `len(x) > 0`)",
  unknownFunction: (name: string, near: readonly string[]) => `unknown function ${q(name)}${didYouMean(near)}`,

  // ---- types and operators
  cannotOperate: (what: string, typeName: string, op: string) => `${what} (${typeName}) cannot be used with ${q(op)}`,
  incompatible: (a: string, b: string) => `${a} and ${b} are not of compatible types`,
  cannotSlice: (what: string, typeName: string) => `${what} is a ${typeName} and cannot be sliced into bytes`,
  cannotArith: (typeName: string, op: string) => `a ${typeName} value cannot take part in ${q(op)}`,
  constantLhs: () => "an arithmetic expression on the left side must start with a field or a function, not a constant",
  notArithOperand: (text: string) => `${text} is not a valid arithmetic operand`,
  matchesNeedsString: () => "`matches` needs a double-quoted string (a regular expression) on its right side",
  regexError: (why: string) => `regular expression error: ${why}`,
  setNeedsField: () => "only a field may be tested for membership in a set",
  sliceInSet: () => "a slice may not appear inside a set",
  referenceUnsupported: () => "field references ${…} need a selected packet; a filter here has none",

  // ---- literals
  notNumber: (text: string) => `${q(text)} is not a valid number`,
  tooBig: (text: string, max: number | bigint) => `${q(text)} is too big for this field (maximum ${max})`,
  tooSmall: (text: string, min: number | bigint) => `${q(text)} is too small for this field (minimum ${min})`,
  overflow: (text: string) => `${q(text)} does not fit in 64 bits`,
  fromString: (typeName: string, text: string) => `a ${typeName} cannot be compared with the string ${text}; write the value without quotes`,
  notValueName: (text: string, field: string) => `${q(text)} is not one of the value names of ${q(field)}`,
  notBool: (text: string, field: string) => `${q(text)} is not a boolean value for ${q(field)} (use 1/0, True/False)`,
  badBytes: (text: string) => `${q(text)} is not a valid byte string (hex bytes like 0a:1b:2c)`,
  badEther: (text: string, why: string) => `${q(text)} ${why} to be a valid Ethernet address`,
  notEther: (text: string) => `${q(text)} is not a valid Ethernet address (6 hex bytes like 00:1b:44:11:3a:b7)`,
  charToType: (text: string, typeName: string) => `the character constant ${text} cannot be converted to a ${typeName}`,
  trailingBackslash: () => "\\ at end of pattern",
  noColumn: (name: string) => `no column named ${q(name)}: neither a registered field nor a pseudo-column`,
  badIpv4: (text: string, near: readonly string[]) => `${q(text)} is not a valid IPv4 address${didYouMean(near)}`,
  badIpv6: (text: string, near: readonly string[]) => `${q(text)} is not a valid IPv6 address${didYouMean(near)}`,
  cidr4: (bits: number) => `netmask bits in a CIDR IPv4 address should be <= 32, not ${bits}`,
  cidr6: (bits: number) => `the prefix of an IPv6 address should be <= 128, not ${bits}`,
  badTime: (text: string) => `${q(text)} is not a valid time`,
  badAbsTime: (text: string) => `${text} is not a valid date and time (use "2024-01-31 12:00:00" or ISO 8601)`,
  badDouble: (text: string) => `${q(text)} is not a valid floating-point number`,
  cannotNegate: (typeName: string) => `a ${typeName} value cannot be negated`,
  noStringConversion: (what: string) => `${what} cannot be converted with string()`,

  // ---- functions
  fnTooFew: (name: string, min: number) => `${q(name + "()")} needs at least ${min} argument${min === 1 ? "" : "s"}`,
  fnTooMany: (name: string, max: number) => `${q(name + "()")} accepts at most ${max} argument${max === 1 ? "" : "s"}`,
  fnFieldOnly: (name: string) => `only fields can be given to ${q(name + "()")}`,
  fnStringOnly: (name: string) => `only string fields can be given to ${q(name + "()")}`,
  fnBadArg: (name: string, arg: string) => `${arg} is not a valid argument to ${q(name + "()")}`,
  fnSameType: (name: string, expected: string, got: string) => `the arguments to ${q(name + "()")} must have the same type (expected ${expected}, got ${got})`,
  fnUnordered: (name: string, arg: string) => `the argument ${arg} to ${q(name + "()")} cannot be ordered`,
} as const;
