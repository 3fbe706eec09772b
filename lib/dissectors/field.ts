// A field declaration: this project's hf_register_info (Wireshark epan/proto.h).
// Every dissector declares its fields once in a FIELDS table of these; the DSL checker, completion, table schema,
// the `fields` command and the docs all read that one table through the registry.

import type { CaptureFile } from "../capture/types.js";
import type { Column } from "../decode/column.js";
import type { LayerTable } from "../decode/layer-table.js";

/** Wireshark's field types (ftypes.h), narrowed to those our dissectors use. */
export type FieldType =
  | "protocol" // the protocol itself: present when the layer is (`tcp`, `mqtt`)
  | "none" // a label or a flag without a value of its own (`tcp.analysis.flags`)
  | "bool"
  | "uint8" | "uint16" | "uint24" | "uint32" | "uint64"
  | "int8" | "int16" | "int32" | "int64"
  | "double"
  | "ether" // 6-byte MAC, stored as a number (48 bits fit a double exactly)
  | "ipv4" // stored as an unsigned 32-bit number
  | "ipv6" // stored as 16 bytes in a fixed-width column
  | "bytes" // Uint8Array
  | "string" // text decoded from the packet
  | "abs_time" // seconds since the epoch (double); exact form kept by the frame index
  | "rel_time" // seconds (double)
  | "framenum"; // a frame number (1-based)

/** How a column of this type is stored: numbers in typed arrays, IPv6 in 16-byte slots, the rest as JS values. */
export type Storage = "u8" | "u16" | "u32" | "i32" | "f64" | "fixed16" | "any";

export function storageOf(type: FieldType): Storage {
  switch (type) {
    case "protocol": case "none": case "bool": case "uint8": return "u8";
    case "uint16": return "u16";
    case "uint24": case "uint32": case "ipv4": case "framenum": return "u32";
    case "int8": case "int16": case "int32": return "i32";
    case "uint64": case "int64": case "double": case "ether": case "abs_time": case "rel_time": return "f64";
    case "ipv6": return "fixed16";
    case "bytes": case "string": return "any";
  }
}

/** True for types whose values are numbers that order and do arithmetic (what `>`, `&`, `+` accept). */
export function isNumeric(type: FieldType): boolean {
  switch (type) {
    case "bool": case "uint8": case "uint16": case "uint24": case "uint32": case "uint64":
    case "int8": case "int16": case "int32": case "int64": case "double": case "abs_time": case "rel_time":
    case "framenum":
      return true;
    default:
      return false;
  }
}

/** Value-name table (Wireshark's value_string): number -> display name. */
export type ValueNames = Readonly<Record<number, string>>;

/** The value a getter produced for one occurrence; `undefined` means "absent in this layer". */
export type FieldValue = number | string | Uint8Array | undefined;

/**
 * Extracts one field from one layer. `b` is the buffer holding the frame, `o` the layer's first byte in it, `end`
 * one past the last captured byte of the layer's PDU, `rep` the PDU's reported (on-the-wire) length, `aux` the
 * number the dissector kept with the layer (DissectContext.layer).
 * Contract: reads only b[o..end), never throws, returns undefined when the field is absent or cut off.
 */
export type Getter = (b: Uint8Array, o: number, end: number, rep: number, aux: number) => FieldValue;

/** Like Getter for fields that occur several times in one layer (TCP SACK blocks, MQTT properties): emits each. */
export type MultiGetter = (b: Uint8Array, o: number, end: number, rep: number, aux: number, emit: Emit) => void;

/** Receives each occurrence a MultiGetter finds. */
export interface Emit { (v: number | string | Uint8Array): void }

export interface FieldDef {
  /** Wireshark's filter name, e.g. "tcp.flags.reset". */
  readonly abbrev: string;
  /** Human name, e.g. "Reset". */
  readonly name: string;
  readonly type: FieldType;
  /** One line saying what the field holds. */
  readonly description: string;
  /** Byte separator when bytes print (Wireshark's SEP_COLON …): "00:11:25:82:95:b5" rather than "001125…". */
  readonly sep?: ":" | "-" | "." | " ";
  /**
   * What tshark -T fields prints for an empty bytes value: "<none>" for a field declared with BASE_ALLOW_ZERO,
   * "<MISSING>" for one without (Wireshark proto.c format_bytes_hfinfo). Unset prints "<none>".
   */
  readonly emptyText?: "<none>" | "<MISSING>";
  /** Display base for integers (tshark prints hex fields as 0x… with -T fields). */
  readonly base?: "dec" | "hex" | "oct";
  /** Bit mask within its container, for documentation and for bitfield getters. */
  readonly mask?: number;
  readonly values?: ValueNames;
  /** Layer-local extraction. Exactly one of get / each / derive is set (protocol fields have none). */
  readonly get?: Getter;
  readonly each?: MultiGetter;
  /**
   * For a bytes field whose value, when present, is always the layer's bytes from some offset to its end (tcp.payload):
   * that offset, or undefined when absent. Extraction then keeps a large value as its place in the file without
   * copying it out first (a payload copied per segment is most of the garbage of a full decode). Must agree with get:
   * get(b, o, e, rep, aux) equals b.slice(tail(b, o, e, rep, aux), e).
   */
  readonly tail?: (b: Uint8Array, o: number, e: number, rep: number, aux: number) => number | undefined;
  /** Whole-capture computation from the frame index, the layer table or other columns (frame.time_delta, tcp.seq). */
  readonly derive?: (src: DeriveSource) => Column;
  /**
   * For derived fields: the shallowest dissection pass whose layer table `derive` may be given (lib/decode/depth.ts).
   * "index": it reads no layers at all; "headers": layers up to TCP/UDP; "streams": those with conversations
   * numbered. Unset: the full pass (frame.protocols lists every layer, so it needs every layer).
   */
  readonly deriveDepth?: "index" | "headers" | "streams";
}

/** Declares a protocol's presence field: `{abbrev: "tcp", type: "protocol"}`. */
export function protocolField(abbrev: string, name: string, description: string): FieldDef {
  return { abbrev, name, type: "protocol", description };
}

/** The protocol a field belongs to: the part before the first dot ("tcp.flags.syn" -> "tcp"). */
export function protoOf(abbrev: string): string {
  const dot = abbrev.indexOf(".");
  return dot < 0 ? abbrev : abbrev.slice(0, dot);
}

/** What a derived field may read. Contract: column() decodes on demand and caches; no cycles between derived fields. */
export interface DeriveSource {
  readonly file: CaptureFile;
  layers(): LayerTable;
  column(abbrev: string): Column;
  /** Layer-table proto id of a protocol filter name, -1 if unknown. */
  protoId(proto: string): number;
  /** Protocol filter name of a layer-table proto id. */
  protoName(id: number): string;
  /** Whether a layer of this proto with this aux shows in frame.protocols (Dissector.listed). */
  protoListed(id: number, aux: number): boolean;
  /** Whether protoListed depends on the layer's aux for this proto (it has a Dissector.listed); if not, it is true. */
  protoListedVaries(id: number): boolean;
}
