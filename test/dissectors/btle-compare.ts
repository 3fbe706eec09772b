// Frame-by-frame comparison of every field the BLE dissectors declare (btle_rf, btle, btcommon, btl2cap, btatt,
// btsmp) with tshark 4.0's, for the BLE conformance tests (the loop itself is protocol-compare.ts): the deliberate
// differences, each counted under its reason, are BLE's own.

import { btatt } from "../../lib/dissectors/btatt.js";
import { btcommonAd } from "../../lib/dissectors/btcommon-ad.js";
import { btl2cap } from "../../lib/dissectors/btl2cap.js";
import { btleRf } from "../../lib/dissectors/btle-rf.js";
import { btle } from "../../lib/dissectors/btle.js";
import { btsmp } from "../../lib/dissectors/btsmp.js";
import type { FieldDef } from "../../lib/dissectors/field.js";
import { lookupField } from "../../lib/dissectors/registry.js";
import { compareFrames, type Result } from "./protocol-compare.js";

export type { Mismatch } from "./protocol-compare.js";

/** Every field the BLE dissectors declare, protocol fields excluded (tshark prints tree labels for those). */
export const BLE_FIELDS: readonly FieldDef[] = [btleRf, btle, btcommonAd, btl2cap, btatt, btsmp]
  .flatMap((d) => d.fields).filter((f) => f.type !== "protocol");

/** Why a cell is not compared: each is a deliberate, named difference. */
export const REASONS = {
  ibeacon: "Wireshark 4.0 registers its iBeacon dissector for Decode As only; we decode iBeacon frames always",
  measured_power: "bluetooth.apple.ibeacon.measured_power is a Wireshark 4.2 field; 4.0 does not know it",
  u64: "a 64-bit random key/nonce above 2^53: a double cannot hold every digit",
  att_state: "Wireshark remembers handle -> UUID across frames and decodes values (and their generated UUID fields) by characteristic; btatt.ts is stateless",
} as const;
export type Reason = keyof typeof REASONS;

export type BleResult = Result<Reason>;

const TSHARK_UNKNOWN = new Set(["bluetooth.apple.ibeacon.measured_power"]);
const ATT_STATEFUL = new Set(["btatt.uuid16", "btatt.uuid128", "btatt.value", "btatt.handle", "btatt.characteristic_properties"]);

/** The reason a BLE cell differs by design, or null (a mismatch); also for the BLE layers of other link types. */
export function bleExcuse(field: string, t: string, o: string): Reason | null {
  const f = lookupField(field)?.field;
  if (field.startsWith("bluetooth.apple.ibeacon.") && t === "") return "ibeacon";
  if (f?.type === "uint64" && o !== "" && t !== "" && BigInt(o) !== BigInt(t) && Math.abs(Number(o) - Number(t)) / Number(t) < 1e-15) return "u64";
  if (ATT_STATEFUL.has(field) && isSubsequence(o, t)) return "att_state";
  if (field === "btatt.value" && t === "") return "att_state";
  return null;
}

/** Compares one capture, every declared field (less those tshark 4.0 does not know) on every frame. */
export function compareBle(file: string): Promise<BleResult> {
  return compareFrames<Reason>(file, {
    fields: BLE_FIELDS.map((f) => f.abbrev).filter((a) => !TSHARK_UNKNOWN.has(a)),
    everyFrame: true,
    excuse: (_f, field, t, o) => bleExcuse(field, t, o),
  });
}

/** Whether every occurrence we print appears in tshark's list, in order (tshark adds generated ones from state). */
function isSubsequence(ours: string, theirs: string): boolean {
  if (ours === "") return true;
  const t = theirs.split(",");
  let j = 0;
  for (const v of ours.split(",")) { while (j < t.length && t[j] !== v) j++; if (j++ >= t.length) return false; }
  return true;
}
