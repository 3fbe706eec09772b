// The registry: every dissector, every field, and the default hand-offs, one line a registration
// (Wireshark's proto_register_* / proto_reg_handoff_*, gopacket's layertypes.go + ports.go).
// The DSL checker, completion, the table schema and the docs read fields from here and nowhere else.

import type { Dissector } from "./dissector.js";
import type { FieldDef } from "./field.js";
import { HandoffTables } from "./handoff.js";
import { FRAME_FIELDS } from "./frame.js";
import { ethernet } from "./ethernet.js";
import { ethertype } from "./ethertype.js";
// -- link and network layers (imports) --
// -- transport layers (imports) --
// -- application layers (imports) --

/** Every dissector, in registration order. Their index is their layer-table proto id. */
export const DISSECTORS: readonly Dissector[] = [
  ethernet,
  ethertype,
  // -- link and network layers --
  // -- transport layers --
  // -- application layers --
];

/** The default hand-offs. A capture copies these; "decode as" edits the copy. */
function registerHandoffs(t: HandoffTables): void {
  t.linktype[1] = ethernet; // LINKTYPE_ETHERNET
  // -- link and network hand-offs --
  // -- transport hand-offs --
  // -- application hand-offs --
}

// ---------------------------------------------------------------------------------------------------------------

/** A registered field and where it comes from. */
export interface FieldEntry {
  readonly field: FieldDef;
  /** The dissector whose layers hold it; null for frame fields (derived from the frame index). */
  readonly dissector: Dissector | null;
  /** Layer-table proto id (dissector index), -1 for frame fields. */
  readonly protoId: number;
}

const entries = new Map<string, FieldEntry>();
for (const f of FRAME_FIELDS) entries.set(f.abbrev, { field: f, dissector: null, protoId: -1 });
DISSECTORS.forEach((d, id) => {
  d.id = id;
  for (const f of d.fields) {
    if (entries.has(f.abbrev)) throw new Error(`field ${f.abbrev} registered twice`);
    entries.set(f.abbrev, { field: f, dissector: d, protoId: id });
  }
});

const defaults = new HandoffTables();
for (const d of DISSECTORS) defaults.byName.set(d.proto, d);
registerHandoffs(defaults);

/** A fresh copy of the default hand-off tables. */
export function defaultTables(): HandoffTables {
  return defaults.clone();
}

/** The field named `abbrev`, or undefined. */
export function lookupField(abbrev: string): FieldEntry | undefined {
  return entries.get(abbrev);
}

/** Every registered field, frame fields first, then in dissector order. */
export function allFields(): IterableIterator<FieldEntry> {
  return entries.values();
}

/** The dissector for a protocol filter name ("tcp"), or undefined. */
export function lookupProtocol(proto: string): Dissector | undefined {
  return defaults.byName.get(proto);
}

/** Fields whose name starts with `prefix`, sorted by name (what completion offers). */
export function completeField(prefix: string, limit = 200): FieldDef[] {
  const out: FieldDef[] = [];
  for (const e of entries.values()) if (e.field.abbrev.startsWith(prefix)) out.push(e.field);
  out.sort((a, b) => (a.abbrev < b.abbrev ? -1 : a.abbrev > b.abbrev ? 1 : 0));
  return out.slice(0, limit);
}
