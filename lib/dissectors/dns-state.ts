// DNS request/response pairing, computed after the pass as packet-dns.c's first (and, for tshark -T fields, only)
// pass sees it: per conversation (the address/port pair, UDP or TCP), a query opens a transaction keyed by its
// id (a later query with the same id replaces it, as wmem_tree_lookup32_array_le finds the latest); a response
// answers the latest query with its id; a second response to it is a retransmission; a response with no query is
// unsolicited. Messages quoted in ICMP errors are not tracked. dns.response_in is what Wireshark shows with two
// passes (the GUI, tshark -2): a single-pass tshark never knows it, since queries come first.

import { Column, ColumnBuilder } from "../decode/column.js";
import type { LayerTable } from "../decode/layer-table.js";
import { u16 } from "./bytes.js";
import { AUX_TCP, msgStart } from "./dns-rr.js";
import type { DeriveSource, FieldDef, FieldType } from "./field.js";
import { EndpointTable } from "./transport-endpoints.js";
import { scanLayers, secondsBetween } from "./transport-scan.js";

/** The per-pass conversation ids a dns layer's aux keeps: aux = conversation id + 1 (0: untracked) << 1 | AUX_TCP. */
export const dnsAux = {
  convs: new EndpointTable(),
  reset(): void { this.convs.clear(); },
  /** aux for a message; family 0 means no addresses (untracked). */
  of(tcp: boolean, family: number, src: Uint8Array, sport: number, dst: Uint8Array, dport: number): number {
    const conv = family === 0 ? 0 : this.convs.lookup(family, src, sport, dst, dport) + 1;
    return ((conv << 1) | (tcp ? AUX_TCP : 0)) >>> 0;
  },
};

const DERIVED = new Map<string, FieldDef>();

function derived(abbrev: string, name: string, type: FieldType, description: string): FieldDef {
  const def: FieldDef = { abbrev, name, type, description, derive: (src) => pairColumns(src).get(abbrev)! };
  DERIVED.set(abbrev, def);
  return def;
}

/** dns.response_in, dns.response_to, dns.time, dns.retransmission, dns.retransmit_response_in, dns.unsolicited. */
export const PAIR_FIELDS: readonly FieldDef[] = [
  derived("dns.response_in", "Response In", "framenum", "The response to this query is in this frame (two-pass: tshark -T fields never shows it)"),
  derived("dns.response_to", "Request In", "framenum", "This is a response to the query in this frame (same conversation and id)"),
  derived("dns.time", "Time", "rel_time", "Seconds between the query and this response"),
  derived("dns.retransmission", "Retransmission", "bool", "A response to a query that was already answered"),
  derived("dns.retransmit_response_in", "Retransmitted response. Original response in", "framenum", "Frame of the first response to this query"),
  derived("dns.unsolicited", "Unsolicited", "bool", "A response with no query before it in its conversation"),
];

interface Transaction { req: number; rep: number }
const cache = new WeakMap<LayerTable, Map<string, Column>>();

function pairColumns(src: DeriveSource): Map<string, Column> {
  const layers = src.layers();
  const hit = cache.get(layers);
  if (hit) return hit;
  const out = new Map<string, ColumnBuilder>();
  for (const [k, f] of DERIVED) out.set(k, new ColumnBuilder(f, 64));
  const put = (k: string, f: number, v: number) => out.get(k)!.push(f, v);
  const open = new Map<number, Transaction>();
  // One entry per tracked message: frame, transaction, and for responses the outcome.
  const seen: { f: number; t: Transaction | undefined; response: boolean; retrans: boolean }[] = [];
  scanLayers(src, "dns", (b, o, end, _rep, aux, f) => {
    const m = msgStart(o, aux), conv = aux >>> 1;
    if (end - m < 4 || conv === 0) return;
    const id = u16(b, m), response = (b[m + 2] & 0x80) !== 0, key = conv * 65536 + id;
    if (!response) {
      const t = { req: f + 1, rep: 0 };
      open.set(key, t);
      seen.push({ f, t, response, retrans: false });
      return;
    }
    const t = open.get(key);
    let retrans = false;
    if (t) {
      if (t.rep === 0) t.rep = f + 1;
      else retrans = true;
    }
    seen.push({ f, t, response, retrans });
  });
  for (const { f, t, response, retrans } of seen) {
    if (!response) {
      if (t!.rep) put("dns.response_in", f, t!.rep);
    } else if (t) {
      if (retrans) { put("dns.retransmit_response_in", f, t.rep); put("dns.retransmission", f, 1); }
      put("dns.response_to", f, t.req);
      put("dns.time", f, secondsBetween(src, f, t.req - 1));
    } else put("dns.unsolicited", f, 1);
  }
  const n = src.file.index.count;
  const cols = new Map<string, Column>();
  for (const [k, bld] of out) cols.set(k, bld.finish(n));
  cache.set(layers, cols);
  return cols;
}
