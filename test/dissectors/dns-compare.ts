// Frame-by-frame comparison of every dns.* field we declare with tshark 4.0's, for the DNS conformance test (the
// loop itself is protocol-compare.ts).

import { dns } from "../../lib/dissectors/dns.js";
import { compareFields, report as reportOf, type Result } from "./protocol-compare.js";

export type { Mismatch, Result } from "./protocol-compare.js";

/** Fields compared: all dns.* fields but dns.response_in (two-pass in Wireshark; tshark -T fields never has it). */
export function comparedFields(): string[] {
  return dns.fields.map((f) => f.abbrev).filter((a) => a.includes(".") && a !== "dns.response_in");
}

/** Compares one capture, every frame where either side shows any compared field. */
export function compareDns(file: string): Promise<Result> {
  return compareFields(file, comparedFields());
}

export const report = (r: Result): string => reportOf(r, { label: "DNS fields", clip: 70 });
