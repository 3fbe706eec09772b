// Names of pseudo-columns: what a filter reads that is not a registered field's plain column. They are canonical
// texts, so the capture can cache them like field columns:
//   ip.src#[2:1]            ip.src of the second IP layer only (the layer operator ip.src#2)
//   tcp[0:]                 each TCP layer's header bytes (a protocol's value)
//   frame[-4:]  eth[0:6]    slices of those bytes (frame: every captured byte)
//   tcp[*]                  each TCP layer's bytes to the end of its PDU (what contains/matches search)
//   tcp[*] contains 474554  1 where one TCP layer's PDU contains these bytes (computed while reading the file)
//   tcp[*] matches "g.t"    1 where one TCP layer's PDU matches this pattern

import type { CRange } from "./ir.js";

/** "0:3,-4:" — the canonical text of a range list. */
export function rangeText(rs: readonly CRange[]): string {
  return rs.map((r) => `${r.from}:${r.length ?? ""}`).join(",");
}

/** The column name for a field, restricted to `layers` and cut to `slice` (null: neither). */
export function rawName(abbrev: string, layers: readonly CRange[] | null, slice: readonly CRange[] | null): string {
  return abbrev + (layers ? `#[${rangeText(layers)}]` : "") + (slice ? `[${rangeText(slice)}]` : "");
}

/** A parsed pseudo-column name. */
export interface RawSpec {
  readonly field: string;
  readonly layers: readonly CRange[] | null;
  /** null: the field's own values; "pdu": the protocol's bytes to the end of its PDU; ranges: a slice of its header. */
  readonly bytes: readonly CRange[] | "pdu" | null;
  readonly test: { readonly contains: Uint8Array } | { readonly matches: string } | null;
}

const RANGE = /^([+-]?[0-9]+):([0-9]*)$/;

function parseRanges(text: string): CRange[] | null {
  const out: CRange[] = [];
  for (const part of text.split(",")) {
    const m = RANGE.exec(part);
    if (!m) return null;
    out.push({ from: Number(m[1]), length: m[2] === "" ? null : Number(m[2]) });
  }
  return out;
}

const NAME = /^([A-Za-z0-9_][A-Za-z0-9_.-]*)(?:#\[([^\]]*)\])?(?:\[(\*|[^\]]*)\])?(?: (contains|matches) (.*))?$/s;

/** The spec of a pseudo-column name, or null when `name` is no pseudo-column (a plain field name or garbage). */
export function parseRawName(name: string): RawSpec | null {
  const m = NAME.exec(name);
  if (!m || (m[2] === undefined && m[3] === undefined)) return null;
  const layers = m[2] === undefined ? null : parseRanges(m[2]);
  if (m[2] !== undefined && layers === null) return null;
  let bytes: RawSpec["bytes"] = null;
  if (m[3] === "*") bytes = "pdu";
  else if (m[3] !== undefined) {
    bytes = parseRanges(m[3]);
    if (bytes === null) return null;
  }
  let test: RawSpec["test"] = null;
  if (m[4] !== undefined) {
    if (bytes !== "pdu") return null;
    if (m[4] === "contains") {
      if (!/^([0-9a-f]{2})*$/.test(m[5])) return null;
      test = { contains: Uint8Array.from(m[5].match(/../g) ?? [], (h) => parseInt(h, 16)) };
    } else {
      try { test = { matches: JSON.parse(m[5]) as string }; } catch { return null; }
      if (typeof test.matches !== "string") return null;
    }
  }
  return { field: m[1], layers, bytes, test };
}

/** True when `name` is a pseudo-column name (not a registered field's plain name). */
export const isRawName = (name: string): boolean => parseRawName(name) !== null;
