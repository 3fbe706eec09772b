// OMA LwM2M TLV (CoAP Content-Format 11542, and the pre-registration 1542), reached from coap.ts by name.
// OMA-TS-LightweightM2M-V1_0 section 6.4.3 (TLV); Wireshark epan/dissectors/packet-lwm2mtlv.c (4.0) is the model.
// Layer-local here: each element's header, identifier, length and raw value, in tree (pre-)order. What depends on
// the object the CoAP URI names (object and resource names, typed resource values, and the generic "As Integer" …
// views Wireshark shows only for resources it does not know) is computed after the pass in lwm2mtlv-typed.ts.

import type { DissectContext, Dissector } from "./dissector.js";
import { protocolField, type Emit, type FieldDef, type FieldType } from "./field.js";
import { copy } from "./bytes.js";
import { TYPED_FIELDS } from "./lwm2mtlv-typed.js";
import { IDENTIFIER_TYPES, LOI_NAMES, LOL_NAMES, OBJECT_INSTANCE, RESOURCE, RESOURCE_ARRAY, RESOURCE_INSTANCE, el, walkError, walkTlv, type Visit } from "./lwm2mtlv-walk.js";

/** A field emitted once per element by `pick` (undefined: not this element). */
let emitTo: Emit = () => {};
function perElement(abbrev: string, name: string, type: FieldType, description: string,
  pick: (b: Uint8Array) => number | Uint8Array | undefined, extra: Partial<FieldDef> = {}): FieldDef {
  const visit: Visit = (b) => { const v = pick(b); if (v !== undefined) emitTo(v); };
  return {
    abbrev, name, type, description, ...extra,
    each: (b, o, e, _r, _a, emit) => { emitTo = emit; walkTlv(b, o, e, -1, visit); },
  };
}

const isLeaf = () => el.type === RESOURCE || el.type === RESOURCE_INSTANCE;

export const FIELDS: readonly FieldDef[] = [
  protocolField("lwm2mtlv", "Lightweight M2M TLV", "OMA LwM2M TLV payload (CoAP Content-Format 11542)"),
  perElement("lwm2mtlv.header", "TLV header", "none", "An element's header (type byte, identifier, length)", () => 1),
  perElement("lwm2mtlv.type.type", "Type of Identifier", "uint8", "0 object instance, 1 resource instance, 2 multiple resources, 3 resource with value", () => el.type, { mask: 0xc0, values: IDENTIFIER_TYPES }),
  perElement("lwm2mtlv.type.loi", "Length of Identifier", "uint8", "0: 1-byte identifier, 1: 2-byte identifier", () => el.loi, { mask: 0x20, values: LOI_NAMES }),
  perElement("lwm2mtlv.type.lol", "Length of Length", "uint8", "Size of the length field (0: the length is in the type byte)", () => el.lol, { mask: 0x18, values: LOL_NAMES }),
  perElement("lwm2mtlv.type.length", "Length", "uint8", "Value length held in the type byte (when there is no length field)", () => (el.lol === 0 ? el.bits : undefined), { mask: 0x07 }),
  perElement("lwm2mtlv.type.ignored", "Ignored", "uint8", "Low three bits of the type byte, ignored when a length field follows", () => (el.lol > 0 ? el.bits : undefined), { mask: 0x07 }),
  perElement("lwm2mtlv.identifier", "Identifier", "uint16", "Object instance, resource or resource instance id", () => el.id),
  perElement("lwm2mtlv.length", "Length", "uint32", "Value length from the length field", () => (el.lol > 0 ? el.len : undefined)),
  perElement("lwm2mtlv.value", "Value", "bytes", "Raw value of a resource or resource instance",
    (b) => (isLeaf() && el.fits ? copy(b, el.val, el.len) : undefined), { emptyText: "<MISSING>" }),
  perElement("lwm2mtlv.object_instance", "Object Instance", "none", "An object instance element", () => (el.type === OBJECT_INSTANCE ? 1 : undefined)),
  perElement("lwm2mtlv.resource_instance", "Resource Instance", "none", "A resource instance element", () => (el.type === RESOURCE_INSTANCE ? 1 : undefined)),
  perElement("lwm2mtlv.resource_array", "Resource Array", "none", "A multiple-resources element", () => (el.type === RESOURCE_ARRAY ? 1 : undefined)),
  perElement("lwm2mtlv.resource", "Resource", "none", "A resource-with-value element", () => (el.type === RESOURCE ? 1 : undefined)),
  ...TYPED_FIELDS,
];

const noVisit: Visit = () => {};

/** Records the payload as one layer; an element cut short marks the frame malformed (the walk stops there). */
export const lwm2mtlv: Dissector = {
  proto: "lwm2mtlv",
  name: "Lightweight M2M TLV",
  fields: FIELDS,
  dissect(ctx: DissectContext, b: Uint8Array, o: number, end: number, rep: number) {
    ctx.layer(this, o, end, rep);
    if (!walkTlv(b, o, end, -1, noVisit)) ctx.malformed("lwm2mtlv", walkError);
    return null;
  },
};

/** Info column: "LwM2M TLV, 7 elements" (top-level elements). */
export function summary(b: Uint8Array, o: number, end: number): string {
  let n = 0;
  for (let p = o; p < end && n < 10000; n++) {
    const t = b[p], loi = ((t >> 5) & 1) + 1, lol = (t >> 3) & 3;
    if (p + 1 + loi + lol > end) break;
    let len = t & 7;
    if (lol > 0) { len = 0; for (let k = 0; k < lol; k++) len = len * 256 + b[p + 1 + loi + k]; }
    p += 1 + loi + lol + len;
  }
  return `LwM2M TLV, ${n} element${n === 1 ? "" : "s"}`;
}
