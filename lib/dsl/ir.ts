// The checked filter: what check.ts hands to codegen.ts. Names are resolved to columns (the capture's decoded
// fields, or pseudo-columns such as `frame[-4:]`, see raw.ts), literals are typed values, and every comparison
// carries its any/all quantifier and how its values compare.

import type { FieldType } from "../dissectors/field.js";
import type { Span } from "./messages.js";
import type { ArithOp } from "./parse.js";

/** A slice or layer range: `from` (negative counts from the end), `length` null for "to the end". */
export interface CRange {
  readonly from: number;
  readonly length: number | null;
}

/** Something with zero or more values in each frame. */
export type Value =
  /** The values of a column (a field, or a pseudo-column named by raw.ts). */
  | { readonly kind: "column"; readonly column: string; readonly field: string; readonly type: FieldType; readonly span: Span }
  | { readonly kind: "const"; readonly type: FieldType; readonly value: number | string | Uint8Array; readonly prefix: number | null; readonly text: string; readonly span: Span }
  /** Bytes cut out of each value's byte form (values too short for a range are dropped). */
  | { readonly kind: "slice"; readonly of: Value; readonly ranges: readonly CRange[]; readonly type: "bytes"; readonly span: Span }
  /** Each value in its byte form (network order), so it compares with bytes. */
  | { readonly kind: "bytes"; readonly of: Value; readonly type: "bytes"; readonly span: Span }
  | { readonly kind: "call"; readonly fn: string; readonly args: readonly Value[]; readonly type: FieldType; readonly span: Span }
  /** Every pair of values (a cross product, as Wireshark's dfvm). Division by zero drops the pair. */
  | { readonly kind: "arith"; readonly op: ArithOp; readonly a: Value; readonly b: Value; readonly type: FieldType; readonly span: Span }
  | { readonly kind: "neg"; readonly of: Value; readonly type: FieldType; readonly span: Span }
  /** A field reference ${…}: a filter here has no selected packet, so it never has a value. */
  | { readonly kind: "none"; readonly type: FieldType; readonly span: Span };

export type CmpOp = "eq" | "ne" | "gt" | "ge" | "lt" | "le";

/** How two values compare: numbers, strings (bytewise), bytes (shorter first, then memcmp), masked addresses. */
export type Compare = "num" | "str" | "bytes" | "ipv4" | "ipv6";

/** A set element: a value, or an inclusive range lo..hi. */
export interface SetElem {
  readonly lo: Value;
  readonly hi: Value | null;
}

/**
 * A test. Comparisons take every pair of values of their two sides: with `all` false one pair must pass, with `all`
 * true every pair (and there must be at least one). A side without values makes the comparison false.
 */
export type Check =
  | { readonly kind: "true" }
  | { readonly kind: "false" }
  | { readonly kind: "and" | "or"; readonly a: Check; readonly b: Check }
  | { readonly kind: "not"; readonly a: Check }
  /** The column has at least one value in the frame. */
  | { readonly kind: "exists"; readonly column: string }
  /** The value has at least one value (a slice used as a test). */
  | { readonly kind: "nonempty"; readonly value: Value }
  /** Some value is not zero (arithmetic used as a test, `tcp.flags & 0x02`). */
  | { readonly kind: "truthy"; readonly value: Value }
  | { readonly kind: "cmp"; readonly op: CmpOp; readonly all: boolean; readonly a: Value; readonly b: Value; readonly how: Compare }
  | { readonly kind: "contains"; readonly all: boolean; readonly a: Value; readonly b: Value }
  /** `ascii`: the pattern gives the same answer on a JS string as on its UTF-8 bytes (regex.ts asciiSafe). */
  | { readonly kind: "matches"; readonly all: boolean; readonly a: Value; readonly re: RegExp; readonly ascii: boolean }
  | { readonly kind: "in"; readonly all: boolean; readonly a: Value; readonly elems: readonly SetElem[]; readonly how: Compare }
  /** A precomputed boolean pseudo-column (a protocol's bytes searched while reading the file). */
  | { readonly kind: "flag"; readonly column: string };
