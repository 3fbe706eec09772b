// The lwm2mtlv fields that depend on the object the CoAP request URI names (packet-lwm2mtlv.c's object_id /
// resource_id, taken from the URI coap hands over): object and resource names, each known resource's typed value
// (lwm2mtlv.resource.*), and for resources Wireshark 4.0 does not know (or executable ones) the generic views
// "As String / Integer / Unsigned Integer / Float / Double / Boolean / Timestamp". Derived after the pass from the
// coap columns (coap.x.payload: the TLV bytes; coap.opt.uri_path_recon: the URI, a response inheriting its
// request's) for frames holding an lwm2mtlv layer.

import { Column, ColumnBuilder } from "../decode/column.js";
import { FrameCursor, type LayerTable } from "../decode/layer-table.js";
import type { DeriveSource, FieldDef, FieldType } from "./field.js";
import { OBJECT_NAMES, RESOURCES, findResource, type DataType } from "./lwm2m-resources.js";
import { RESOURCE, RESOURCE_ARRAY, RESOURCE_INSTANCE, el, walkTlv } from "./lwm2mtlv-walk.js";

const DERIVED = new Map<string, FieldDef>();

function typed(abbrev: string, name: string, type: FieldType, description: string): FieldDef {
  const def: FieldDef = { abbrev, name, type, description, derive: (src) => typedColumns(src).get(abbrev)! };
  DERIVED.set(abbrev, def);
  return def;
}

const FIELD_TYPE: Record<DataType, FieldType> = { S: "string", I: "int64", U: "uint64", F: "double", B: "bool", O: "bytes", T: "abs_time", N: "bytes" };
const TYPE_TEXT: Record<DataType, string> = { S: "String", I: "Integer", U: "Unsigned Integer", F: "Float (4 bytes) or Double (8 bytes)", B: "Boolean", O: "Opaque or Objlnk bytes", T: "Time", N: "executable: never shown typed" };

const resourceFields = (): FieldDef[] => {
  const seen = new Set<string>(), out: FieldDef[] = [];
  for (const [obj, res, t, key, name] of RESOURCES) {
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(typed(`lwm2mtlv.resource.${key}`, name, FIELD_TYPE[t], `Object ${obj} resource ${res}: ${TYPE_TEXT[t]}`));
  }
  return out;
};

/** The object-dependent lwm2mtlv fields, each derived. */
export const TYPED_FIELDS: readonly FieldDef[] = [
  typed("lwm2mtlv.object_name", "Object Name", "string", "Name of the OMA object the CoAP URI's first segment names (objects 0-7 and 21)"),
  typed("lwm2mtlv.resource_name", "Resource Name", "string", "Name of a known resource (Resource and Multiple Resources elements)"),
  typed("lwm2mtlv.value.string", "As String", "string", "The value as text, when it is printable UTF-8 (unknown resources)"),
  typed("lwm2mtlv.value.integer", "As Integer", "int64", "1, 2, 4 or 8-byte value as a signed integer (unknown resources; beyond 2^53 rounded)"),
  typed("lwm2mtlv.value.unsigned_integer", "As Unsigned Integer", "uint64", "1, 2, 4 or 8-byte value as an unsigned integer (unknown resources; beyond 2^53 rounded)"),
  typed("lwm2mtlv.value.float", "As Float", "double", "4-byte value as an IEEE 754 single (unknown resources; Wireshark's FT_FLOAT)"),
  typed("lwm2mtlv.value.double", "As Double", "double", "8-byte value as an IEEE 754 double (unknown resources)"),
  typed("lwm2mtlv.value.boolean", "As Boolean", "bool", "1-byte value 0 or 1 as a boolean (unknown resources)"),
  typed("lwm2mtlv.value.timestamp", "As Timestamp", "abs_time", "4-byte value (or the last 4 of 8 bytes, as Wireshark 4.0 does) as seconds since the epoch"),
  ...resourceFields(),
];

/** packet-lwm2mtlv.c 4.0: object and resource ids from the URI split on "/" (at most 5 pieces), strtol'd. */
export function idsFromUri(uri: string | undefined): [number, number] {
  if (uri === undefined || uri === "") return [-1, -1];
  const ids = uri.split("/");
  if (ids.length > 5) ids.splice(4, ids.length - 4, uri.split("/").slice(4).join("/"));
  if (ids.length < 2) return [-1, -1];
  const obj = strtol(ids[1]);
  // Wireshark 4.0 takes the resource id from the object segment too (ids[1]); Resource elements override it.
  return [obj, ids.length >= 4 ? obj : -1];
}

/** C strtol(s, NULL, 10) narrowed to int: leading blanks, a sign, digits; 0 when there are none. */
function strtol(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  if (!m) return 0;
  const v = Number(m[1]);
  return Math.abs(v) > 0x7fffffff ? -1 : v;
}

// ---------------------------------------------------------------- value views

const utf8 = new TextDecoder("utf-8");
const NOT_PRINT = /[\p{Cc}\p{Cf}\p{Cn}\p{Co}\p{Cs}]/u;

/** tvb_get_string_enc(ENC_UTF_8) as a C string: invalid bytes become U+FFFD, text ends at the first NUL. */
function cString(v: Uint8Array): string {
  const s = utf8.decode(v), nul = s.indexOf("\0");
  return nul < 0 ? s : s.slice(0, nul);
}

/** isprint_utf8_string over the converted text, as packet-lwm2mtlv.c calls it (with the raw length). */
function printable(v: Uint8Array): boolean {
  const full = utf8.decode(v), enc = Buffer.from(full, "utf8"), n = v.length;
  for (let k = 0; k < n; k++) if (enc[k] === 0) return false;
  if (n < enc.length && (enc[n] & 0xc0) === 0x80) return false;
  const nul = full.indexOf("\0");
  return !NOT_PRINT.test(nul < 0 ? full : full.slice(0, nul));
}

/** A 1-8 byte big-endian integer; longer values are read from their first 8 bytes, as proto_tree_add_item does. */
function intOf(v: Uint8Array, signed: boolean): number {
  let x = 0n;
  const n = Math.min(v.length, 8);
  for (let k = 0; k < n; k++) x = (x << 8n) | BigInt(v[k]);
  if (signed) x = BigInt.asIntN(n * 8, x);
  return Number(x);
}

const u32 = (v: Uint8Array, k: number) => ((v[k] << 24) | (v[k + 1] << 16) | (v[k + 2] << 8) | v[k + 3]) >>> 0;
const view = (v: Uint8Array) => new DataView(v.buffer, v.byteOffset, v.byteLength);
/** FT_FLOAT prints with FLT_DIG (6) significant digits; a double holding that rounding prints the same. */
const float32 = (v: Uint8Array) => Number(view(v).getFloat32(0).toPrecision(6));

export type Put = (abbrev: string, value: number | string | Uint8Array) => void;

/** A known resource's typed value (lwm2mtlv.resource.<key>). */
function putTyped(put: Put, t: DataType, key: string, v: Uint8Array): void {
  const a = `lwm2mtlv.resource.${key}`, n = v.length;
  switch (t) {
    case "S": put(a, cString(v)); break;
    case "I": put(a, intOf(v, true)); break;
    case "U": put(a, intOf(v, false)); break;
    case "B": put(a, intOf(v, false) !== 0 ? 1 : 0); break;
    case "F": if (n === 4) put(a, float32(v)); else if (n === 8) put(a, view(v).getFloat64(0)); break;
    case "T": put(a, n <= 8 ? intOf(v, true) : 0); break;
    default: put(a, v);
  }
}

/** The generic views of an unknown (or executable) resource's value. */
function putGeneric(put: Put, v: Uint8Array): void {
  const n = v.length;
  if (printable(v)) put("lwm2mtlv.value.string", cString(v));
  if (n !== 1 && n !== 2 && n !== 4 && n !== 8) return;
  put("lwm2mtlv.value.integer", intOf(v, true));
  put("lwm2mtlv.value.unsigned_integer", intOf(v, false));
  if (n === 1 && v[0] < 2) put("lwm2mtlv.value.boolean", v[0]);
  if (n === 4) { put("lwm2mtlv.value.float", float32(v)); put("lwm2mtlv.value.timestamp", u32(v, 0)); }
  if (n === 8) { put("lwm2mtlv.value.double", view(v).getFloat64(0)); put("lwm2mtlv.value.timestamp", u32(v, 4)); }
}

// ---------------------------------------------------------------- the derived pass

let obj = -1, putTo: Put = () => {};
function visit(b: Uint8Array): void {
  const r = findResource(obj, el.res);
  if (r && (el.type === RESOURCE || el.type === RESOURCE_ARRAY)) putTo("lwm2mtlv.resource_name", r[4]);
  if ((el.type !== RESOURCE && el.type !== RESOURCE_INSTANCE) || !el.fits || el.len === 0) return;
  const v = b.subarray(el.val, el.val + el.len);
  if (r && r[2] !== "N") putTyped(putTo, r[2], r[3], v);
  else putGeneric(putTo, v);
}

/** The object-dependent values of one TLV payload sent to (or answering) `uri`, in tree order. Never throws. */
export function typedValues(bytes: Uint8Array, uri: string | undefined, put: Put): void {
  const [o, res] = idsFromUri(uri);
  obj = o;
  putTo = put;
  const name = OBJECT_NAMES[obj];
  if (name !== undefined) put("lwm2mtlv.object_name", name);
  walkTlv(bytes, 0, bytes.length, res, visit);
}

const cache = new WeakMap<LayerTable, Map<string, Column>>();

/** Every object-dependent lwm2mtlv column, built in one walk over the frames holding an lwm2mtlv layer. */
function typedColumns(src: DeriveSource): Map<string, Column> {
  const layers = src.layers();
  const hit = cache.get(layers);
  if (hit) return hit;
  const out = new Map<string, ColumnBuilder>();
  for (const [k, f] of DERIVED) out.set(k, new ColumnBuilder(f, 16));
  const id = src.protoId("lwm2mtlv");
  const payload = src.column("coap.x.payload"), uri = src.column("coap.opt.uri_path_recon");
  let frame = -1;
  const put: Put = (a, v) => out.get(a)!.push(frame, v);
  let prev = -1;
  const at = new FrameCursor(layers);
  for (let l = 0; l < layers.count; l++) {
    if (layers.proto[l] !== id || at.at(l) === prev) continue;
    const f = (prev = at.at(l));
    const bytes = payload.get(f);
    if (!(bytes instanceof Uint8Array)) continue;
    frame = f;
    typedValues(bytes, uri.has(f) ? String(uri.get(f)) : undefined, put);
  }
  const n = src.file.index.count, cols = new Map<string, Column>();
  for (const [k, b] of out) cols.set(k, b.finish(n));
  cache.set(layers, cols);
  return cols;
}
