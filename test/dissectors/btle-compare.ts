// Frame-by-frame comparison of every field the BLE dissectors declare (btle_rf, btle, btcommon, btl2cap, btatt,
// btsmp) with tshark 4.0's, for the BLE conformance test: one tshark run per file, then the deliberate differences,
// each counted under its reason.

import { btatt } from "../../lib/dissectors/btatt.js";
import { btcommonAd } from "../../lib/dissectors/btcommon-ad.js";
import { btl2cap } from "../../lib/dissectors/btl2cap.js";
import { btleRf } from "../../lib/dissectors/btle-rf.js";
import { btle } from "../../lib/dissectors/btle.js";
import { btsmp } from "../../lib/dissectors/btsmp.js";
import type { FieldDef } from "../../lib/dissectors/field.js";
import { open } from "../../lib/table/capture.js";
import { formatFrame } from "../../lib/table/tshark-format.js";
import { tsharkFields } from "../oracle/tshark.js";

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

export interface Mismatch { frame: number; field: string; tshark: string; ours: string }
export interface Result { file: string; frames: number; fields: number; compared: number; mismatches: Mismatch[]; excluded: Map<Reason, number> }

const TSHARK_UNKNOWN = new Set(["bluetooth.apple.ibeacon.measured_power"]);
const ATT_STATEFUL = new Set(["btatt.uuid16", "btatt.uuid128", "btatt.value", "btatt.handle", "btatt.characteristic_properties"]);

/** Compares one capture, every declared field on every frame. */
export async function compareBle(file: string): Promise<Result> {
  const fields = BLE_FIELDS.filter((f) => !TSHARK_UNKNOWN.has(f.abbrev));
  const asked = fields.map((f) => f.abbrev);
  const rows = await tsharkFields(file, asked);
  const cap = await open(file);
  const res: Result = { file, frames: cap.count, fields: fields.length, compared: 0, mismatches: [], excluded: new Map() };
  const skip = (r: Reason) => res.excluded.set(r, (res.excluded.get(r) ?? 0) + 1);
  try {
    const cols = cap.columns(fields.map((f) => f.abbrev));
    for (let i = 0; i < cap.count; i++) {
      const theirs = rows[i] ?? [];
      fields.forEach((f, k) => {
        res.compared++;
        const o = formatFrame(cols[k], i), t = theirs[k] ?? "";
        if (o === t) return;
        if (f.abbrev.startsWith("bluetooth.apple.ibeacon.") && t === "") return skip("ibeacon");
        if (f.type === "uint64" && o !== "" && t !== "" && BigInt(o.startsWith("0x") ? o : o) !== BigInt(t) && Math.abs(Number(o) - Number(t)) / Number(t) < 1e-15) return skip("u64");
        if (ATT_STATEFUL.has(f.abbrev) && isSubsequence(o, t)) return skip("att_state");
        if (f.abbrev === "btatt.value" && t === "") return skip("att_state");
        res.mismatches.push({ frame: i + 1, field: f.abbrev, tshark: t, ours: o });
      });
    }
  } finally {
    cap.close();
  }
  return res;
}

/** Whether every occurrence we print appears in tshark's list, in order (tshark adds generated ones from state). */
function isSubsequence(ours: string, theirs: string): boolean {
  if (ours === "") return true;
  const t = theirs.split(",");
  let j = 0;
  for (const v of ours.split(",")) { while (j < t.length && t[j] !== v) j++; if (j++ >= t.length) return false; }
  return true;
}
