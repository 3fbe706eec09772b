// What each field type can do in a filter: Wireshark 4.0's ftype capability table (epan/ftypes/ftype-*.c) and
// semcheck.c's compatible_ftypes, as measured with tshark 4.0.17 (e.g. a bool compares only with a bool, every
// integer type with every other, an Ethernet address with bytes; relative times add and subtract but do not multiply).

import type { FieldType } from "../dissectors/field.js";

/** How a value is held at run time: a JS number, a JS string, or bytes. */
export type Rep = "num" | "str" | "bytes";

export const INTEGER_TYPES: ReadonlySet<FieldType> = new Set<FieldType>([
  "uint8", "uint16", "uint24", "uint32", "uint64", "int8", "int16", "int32", "int64", "framenum",
]);
export const UNSIGNED_TYPES: ReadonlySet<FieldType> = new Set<FieldType>(["uint8", "uint16", "uint24", "uint32", "uint64", "framenum"]);

export function repOf(t: FieldType): Rep {
  switch (t) {
    case "string": return "str";
    case "bytes": case "protocol": case "ipv6": return "bytes";
    default: return "num";
  }
}

/** Wireshark's compatible_ftypes: may values of these two types be compared with each other? */
export function compatible(a: FieldType, b: FieldType): boolean {
  if (INTEGER_TYPES.has(a)) return INTEGER_TYPES.has(b);
  switch (a) {
    case "ether": case "bytes": return b === "ether" || b === "bytes";
    default: return a === b;
  }
}

export const canEq = (t: FieldType) => t !== "none";
export const canOrder = (t: FieldType) => t !== "none";
export const canContains = (t: FieldType) => t === "string" || t === "bytes" || t === "protocol" || t === "ether";
export const canMatches = (t: FieldType) => t === "string" || t === "bytes" || t === "protocol" || t === "ether";
/** Types whose values are a sequence of bytes that `[i:j]` can cut. */
export const canSlice = (t: FieldType) =>
  t === "bytes" || t === "protocol" || t === "string" || t === "ether" || t === "ipv4" || t === "ipv6";
export const canNegate = (t: FieldType) => INTEGER_TYPES.has(t) || t === "double" || t === "rel_time";

/** May a value of type t take part in the arithmetic or bitwise operator op? */
export function canArith(t: FieldType, op: string): boolean {
  if (op === "&") return INTEGER_TYPES.has(t) || t === "bytes" || t === "ether" || t === "ipv4" || t === "ipv6";
  if (INTEGER_TYPES.has(t) || t === "double") return true;
  return t === "rel_time" && (op === "+" || op === "-");
}

/** Byte width of a fixed-size type (what len() returns for it); null for variable-length types. */
export function wireSize(t: FieldType): number | null {
  switch (t) {
    case "uint8": case "int8": return 1;
    case "uint16": case "int16": return 2;
    case "uint24": return 3;
    case "uint32": case "int32": case "framenum": case "ipv4": return 4;
    case "uint64": case "int64": case "double": return 8;
    case "ether": return 6;
    case "ipv6": return 16;
    case "bool": case "none": case "abs_time": case "rel_time": return 0;
    default: return null;
  }
}

const INT_RANGE: Partial<Record<FieldType, readonly [bigint, bigint]>> = {
  uint8: [0n, 0xffn], uint16: [0n, 0xffffn], uint24: [0n, 0xffffffn], uint32: [0n, 0xffffffffn], framenum: [0n, 0xffffffffn],
  uint64: [0n, 0xffffffffffffffffn],
  int8: [-0x80n, 0x7fn], int16: [-0x8000n, 0x7fffn], int32: [-0x80000000n, 0x7fffffffn],
  int64: [-0x8000000000000000n, 0x7fffffffffffffffn],
};

/** [min, max] of an integer type. */
export function intRange(t: FieldType): readonly [bigint, bigint] {
  return INT_RANGE[t] ?? [0n, 0n];
}

/** The type's name in messages: "unsigned integer (2 bytes)", "IPv4 address", … */
export function typeName(t: FieldType): string {
  const size = wireSize(t);
  if (t.startsWith("uint")) return `unsigned integer (${size} byte${size === 1 ? "" : "s"})`;
  if (t.startsWith("int")) return `signed integer (${size} byte${size === 1 ? "" : "s"})`;
  const names: Partial<Record<FieldType, string>> = {
    protocol: "protocol", none: "label", bool: "boolean", double: "floating point number", ether: "Ethernet address",
    ipv4: "IPv4 address", ipv6: "IPv6 address", bytes: "byte sequence", string: "character string",
    abs_time: "date and time", rel_time: "time offset", framenum: "frame number",
  };
  return names[t] ?? t;
}
