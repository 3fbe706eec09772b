// Frame-by-frame comparison of every coap.* (and lwm2mtlv.*) field we declare with tshark 4.0's, for the CoAP
// conformance tests (the loop itself is protocol-compare.ts).

import { coap } from "../../lib/dissectors/coap.js";
import { lookupProtocol } from "../../lib/dissectors/registry.js";
import { compareFields, report as reportOf, type Result } from "./protocol-compare.js";

export type { Mismatch, Result } from "./protocol-compare.js";

/** Fields tshark knows: everything coap.ts / lwm2mtlv.ts declare, less the protocol fields and Wirebook extensions. */
export function comparedFields(): string[] {
  const lw = lookupProtocol("lwm2mtlv");
  const all = [...coap.fields, ...(lw ? lw.fields : [])].map((f) => f.abbrev);
  return all.filter((a) => a.includes(".") && !a.startsWith("coap.x.") && !a.startsWith("lwm2m."));
}

/** Compares one capture, every frame where either side shows any compared field. */
export function compareCoap(file: string): Promise<Result> {
  return compareFields(file, comparedFields());
}

export const report = (r: Result): string => reportOf(r, { label: "CoAP", clip: 60 });
