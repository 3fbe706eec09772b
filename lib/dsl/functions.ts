// The filter functions, one table (Wireshark epan/dfilter/dfunctions.c): name, arity, argument rules, result type and
// implementation. An implementation maps each argument's values in one frame to the result's values; a field that
// is absent gives no values, so `len(x) == 0` never holds for a frame without x (the implicit presence test).

import type { FieldType } from "../dissectors/field.js";
import type { Value } from "./ir.js";
import { msg, type Span } from "./messages.js";
import type { Arith } from "./parse.js";
import { cmpBytes, toBytes, type RValue } from "./runtime.js";
import { canOrder, INTEGER_TYPES, repOf, wireSize } from "./types.js";

/** What a function's argument check may ask of the checker. */
export interface FnContext {
  /** The argument as a plain field (no slice, function or arithmetic), or null. */
  field(node: Arith): (Value & { kind: "column" }) | null;
  /** The argument checked as an arithmetic expression; literals in it take the type `lhsType`. */
  value(node: Arith, lhsType: FieldType | null): Value;
  /** True for a literal, a string or a character constant (no field). */
  isConstant(node: Arith): boolean;
  fail(problem: string, span: Span): never;
}

export interface FunctionDef {
  readonly name: string;
  readonly minArgs: number;
  readonly maxArgs: number;
  /** One line for completion. */
  readonly description: string;
  /** Checks the arguments (arity is checked before) and returns them with the result type. */
  check(args: readonly Arith[], ctx: FnContext): { args: Value[]; type: FieldType };
  /** The result values of one frame from each argument's values and types. */
  impl(args: readonly (readonly RValue[])[], types: readonly FieldType[]): RValue[];
}

const span = (a: Arith): Span => a.span;
const enc = new TextEncoder();

function onlyField(name: string, a: Arith, ctx: FnContext): Value & { kind: "column" } {
  return ctx.field(a) ?? ctx.fail(msg.fnFieldOnly(name), span(a));
}

function stringField(name: string) {
  return (args: readonly Arith[], ctx: FnContext) => {
    const f = ctx.field(args[0]);
    if (f === null || f.type !== "string") ctx.fail(msg.fnStringOnly(name), span(args[0]));
    return { args: [f!], type: "string" as FieldType };
  };
}

/** ASCII-only case mapping, as g_ascii_strdown / g_ascii_strup. */
const asciiMap = (up: boolean) => (v: RValue) =>
  String(v).replace(up ? /[a-z]+/g : /[A-Z]+/g, (s) => (up ? s.toUpperCase() : s.toLowerCase()));

/** Byte length of one value: strings as UTF-8, fixed-size types their wire size. */
function byteLength(type: FieldType, v: RValue): number {
  if (typeof v === "string") return enc.encode(v).length;
  if (v instanceof Uint8Array) return v.length;
  return wireSize(type) ?? 0;
}

/** A value as string() prints it: decimal integers, dotted IPv4, RFC 5952 IPv6, colon-separated MAC. */
export function valueString(type: FieldType, v: RValue): string {
  switch (type) {
    case "ipv4": { const n = v as number; return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`; }
    case "ether": return Array.from(toBytes("ether", v), (b) => b.toString(16).padStart(2, "0")).join(":");
    case "ipv6": return ipv6Text(v as Uint8Array);
    case "double": return String(Number((v as number).toPrecision(15)));
    default: return String(v);
  }
}

/** RFC 5952 text of 16 address bytes (longest run of two or more zero groups as "::"; IPv4-mapped as ::ffff:a.b.c.d). */
export function ipv6Text(b: Uint8Array): string {
  const w = Array.from({ length: 8 }, (_, k) => (b[2 * k] << 8) | b[2 * k + 1]);
  if (w.slice(0, 5).every((x) => x === 0) && w[5] === 0xffff) return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  let best = -1, bestLen = 0;
  for (let k = 0; k < 8;) {
    if (w[k] !== 0) { k++; continue; }
    let e = k;
    while (e < 8 && w[e] === 0) e++;
    if (e - k > bestLen && e - k >= 2) { best = k; bestLen = e - k; }
    k = e;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(":");
  if (best < 0) return hex(w);
  return `${hex(w.slice(0, best))}::${hex(w.slice(best + bestLen))}`;
}

const STRINGABLE = (t: FieldType) => INTEGER_TYPES.has(t) || t === "ipv4" || t === "ipv6" || t === "ether" || t === "double";
const ABSABLE = (t: FieldType) => INTEGER_TYPES.has(t) || t === "bool" || t === "double" || t === "rel_time";

function extreme(name: "max" | "min"): FunctionDef {
  return {
    name, minArgs: 1, maxArgs: Infinity,
    description: `the ${name === "max" ? "largest" : "smallest"} of all values of all arguments (of one type)`,
    check(args, ctx) {
      if (ctx.isConstant(args[0])) ctx.fail(msg.fnBadArg(name, `\`${textOf(args[0])}\``), span(args[0]));
      const first = ctx.value(args[0], null);
      const type = first.type;
      if (!canOrder(type)) ctx.fail(msg.fnUnordered(name, `\`${textOf(args[0])}\``), span(args[0]));
      const out: Value[] = [first];
      for (const a of args.slice(1)) {
        if (a.kind === "string" || a.kind === "charconst") ctx.fail(msg.fnBadArg(name, `\`${textOf(a)}\``), span(a));
        const v = ctx.value(a, type);
        if (v.kind !== "const" && v.type !== type) ctx.fail(msg.fnSameType(name, type, v.type), span(a));
        out.push(v);
      }
      return { args: out, type };
    },
    impl(args, types) {
      const rep = repOf(types[0]);
      let best: RValue | undefined;
      for (const vs of args) for (const v of vs) {
        if (best === undefined) { best = v; continue; }
        const c = rep === "num" ? (v as number) - (best as number) : rep === "str" ? (v < best ? -1 : v > best ? 1 : 0)
          : cmpBytes(v as Uint8Array, best as Uint8Array);
        if (name === "max" ? c > 0 : c < 0) best = v;
      }
      return best === undefined ? [] : [best];
    },
  };
}

/** The source text of an argument, for messages. */
function textOf(a: Arith): string {
  switch (a.kind) {
    case "name": return a.name;
    case "literal": return a.text;
    case "string": case "charconst": return a.text;
    default: return "this argument";
  }
}

export const FUNCTIONS: readonly FunctionDef[] = [
  {
    name: "len", minArgs: 1, maxArgs: 1, description: "byte length of each value of a field (string, bytes, protocol, …)",
    check: (args, ctx) => ({ args: [onlyField("len", args[0], ctx)], type: "uint32" }),
    impl: (args, types) => args[0].map((v) => byteLength(types[0], v)),
  },
  {
    name: "count", minArgs: 1, maxArgs: 1, description: "number of occurrences of a field in the frame",
    check: (args, ctx) => ({ args: [onlyField("count", args[0], ctx)], type: "uint32" }),
    impl: (args) => (args[0].length > 0 ? [args[0].length] : []),
  },
  {
    name: "lower", minArgs: 1, maxArgs: 1, description: "a string field in lower case (ASCII letters)",
    check: stringField("lower"),
    impl: (args) => args[0].map(asciiMap(false)),
  },
  {
    name: "upper", minArgs: 1, maxArgs: 1, description: "a string field in upper case (ASCII letters)",
    check: stringField("upper"),
    impl: (args) => args[0].map(asciiMap(true)),
  },
  {
    name: "string", minArgs: 1, maxArgs: 1, description: "a number or address field as text (decimal, dotted, colon-separated)",
    check(args, ctx) {
      const f = onlyField("string", args[0], ctx);
      if (!STRINGABLE(f.type)) ctx.fail(msg.noStringConversion(`\`${f.field}\``), span(args[0]));
      return { args: [f], type: "string" };
    },
    impl: (args, types) => args[0].map((v) => valueString(types[0], v)),
  },
  {
    name: "abs", minArgs: 1, maxArgs: 1, description: "absolute value of a number",
    check(args, ctx) {
      if (ctx.isConstant(args[0])) ctx.fail(msg.fnBadArg("abs", `\`${textOf(args[0])}\``), span(args[0]));
      const v = ctx.value(args[0], null);
      if (!ABSABLE(v.type)) ctx.fail(msg.fnBadArg("abs", `\`${textOf(args[0])}\``), span(args[0]));
      return { args: [v], type: v.type };
    },
    impl: (args) => args[0].map((v) => Math.abs(v as number)),
  },
  extreme("max"),
  extreme("min"),
];

const BY_NAME = new Map(FUNCTIONS.map((f) => [f.name, f]));

/** The function named `name`, or undefined. */
export function lookupFunction(name: string): FunctionDef | undefined {
  return BY_NAME.get(name);
}
