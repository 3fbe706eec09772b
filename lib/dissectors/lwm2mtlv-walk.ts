// The OMA LwM2M TLV walk (OMA-TS-LightweightM2M-V1_0 section 6.4.3): type byte, 1- or 2-byte identifier, 0-3 byte
// length, value; object instances and multiple resources nest. One shared cursor; stops where Wireshark 4.0's
// packet-lwm2mtlv.c would throw (a header or a value running past its container).

/** Type of Identifier (bits 7-6 of the type byte). */
export const OBJECT_INSTANCE = 0, RESOURCE_INSTANCE = 1, RESOURCE_ARRAY = 2, RESOURCE = 3;
export const IDENTIFIER_TYPES = { 0: "Object Instance", 1: "Resource Instance", 2: "Multiple Resources", 3: "Resource with value" };
export const LOI_NAMES = { 0: "1 byte identifier", 1: "2 bytes identifier" };
export const LOL_NAMES = { 0: "No length field", 1: "1 byte length field", 2: "2 bytes length field", 3: "3 bytes length field" };

// Type byte layout, then the identifier (1 or 2 bytes) and the length (0-3 bytes) follow it.
const TYPE_BYTE = 0;
const IDENT = TYPE_BYTE + 1;
/** Nesting bound: deeper TLVs are reported malformed rather than recursed into. */
const MAX_DEPTH = 64;

/** The element a walk is visiting (one shared cursor: walks run one at a time and allocate nothing). */
export const el = {
  type: 0, loi: 0, lol: 0, bits: 0, id: 0, len: 0,
  /** Offset of the type byte, of the value, and whether the value lies within its container. */
  start: 0, val: 0, fits: false,
  /** Resource id in scope (packet-lwm2mtlv.c's resource_id: a Resource or Multiple Resources element sets it). */
  res: -1,
};

/** Why the last walk stopped early ("" when it did not), as Wireshark's exception would. */
export let walkError = "";

export type Visit = (b: Uint8Array) => void;

/**
 * Walks the TLV elements of b[o..end) depth first, calling visit once per element whose header was read (el
 * describes it; el.fits says whether its value or contents are within bounds; a cut container's children are
 * still visited). Stops at the first element that
 * is cut short, as tshark's exception does, leaving the reason in walkError. `res` is the resource id in scope.
 * Never throws, never reads outside b[o..end).
 */
export function walkTlv(b: Uint8Array, o: number, end: number, res: number, visit: Visit): boolean {
  walkError = "";
  return elements(b, o, end, res, visit, 0);
}

function elements(b: Uint8Array, p: number, end: number, res: number, visit: Visit, depth: number): boolean {
  if (depth > MAX_DEPTH) { walkError = `TLV nesting deeper than ${MAX_DEPTH}`; return false; }
  while (p < end) {
    const t = b[p + TYPE_BYTE], type = t >> 6, loi = ((t >> 5) & 1) + 1, lol = (t >> 3) & 3, bits = t & 7;
    const q = p + IDENT;
    if (q + loi + lol > end) { walkError = "TLV header cut short"; return false; }
    const id = loi === 1 ? b[q] : (b[q] << 8) | b[q + 1];
    let len = bits;
    if (lol > 0) { len = 0; for (let k = 0; k < lol; k++) len = len * 256 + b[q + loi + k]; }
    const val = q + loi + lol;
    if (type === RESOURCE || type === RESOURCE_ARRAY) res = id;
    el.type = type; el.loi = loi - 1; el.lol = lol; el.bits = bits; el.id = id; el.len = len;
    el.start = p; el.val = val; el.fits = len <= end - val; el.res = res;
    const fits = el.fits;
    visit(b);
    // A container's contents are walked as far as they go (Wireshark clamps the subset), then it fails as a whole.
    if ((type === OBJECT_INSTANCE || type === RESOURCE_ARRAY) && !elements(b, val, fits ? val + len : end, res, visit, depth + 1)) return false;
    if (!fits) { walkError = `TLV length ${len} runs past the ${end - val} bytes left`; return false; }
    p = val + len;
  }
  return true;
}

