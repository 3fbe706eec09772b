// CoAP's cross-message state, computed after the pass (packet-coap.c's conversation map and Block reassembly, as
// tshark's single pass sees them): request/response matching per requester endpoint by token, then message id;
// retransmissions; the URI a response inherits from its request; and Block1/Block2 reassembly keyed by the
// address pair (addresses_reassembly_table_functions), which also gives the reassembled payload's description.
// During the pass a coap layer's aux keeps two small ids (requester endpoint, directed address pair); the rest is
// read from coap's own columns.

import { Column, ColumnBuilder } from "../decode/column.js";
import { FrameCursor, type LayerTable } from "../decode/layer-table.js";
import type { DeriveSource, FieldDef, FieldType } from "./field.js";
import { EndpointTable } from "./transport-endpoints.js";
import { secondsBetween } from "./transport-scan.js";

const TRACKED = 0x80000000, REQUEST = 0x40000000;
const CONV_SHIFT = 16, CONV_MASK = 0x3fff, NO_CONV = CONV_MASK, PAIR_MASK = 0xffff;
const ZERO = new Uint8Array(16);

/** Per-pass tables giving a coap layer's aux. */
export const coapAux = {
  ends: new EndpointTable(),
  pairs: new EndpointTable(),
  reset(): void { this.ends.clear(); this.pairs.clear(); },
  /** aux for a message: tracked flag, request flag, requester endpoint id, directed address-pair id. */
  of(tracked: boolean, request: boolean, family: number, src: Uint8Array, sport: number, dst: Uint8Array, dport: number): number {
    let conv = NO_CONV, pair = PAIR_MASK;
    if (family !== 0) {
      conv = request ? this.ends.lookup(family, src, sport, ZERO, 0) : this.ends.lookup(family, dst, dport, ZERO, 0);
      conv &= CONV_MASK;
      pair = ((this.pairs.lookup(family, src, 0, dst, 0) << 1) | this.pairs.dir) & PAIR_MASK;
    }
    return ((tracked ? TRACKED : 0) | (request ? REQUEST : 0) | (conv << CONV_SHIFT) | pair) >>> 0;
  },
};

const DERIVED = new Map<string, FieldDef>();

/** A coap field computed by coapDerived() after the pass. */
export function derivedField(abbrev: string, name: string, type: FieldType, description: string): FieldDef {
  const def: FieldDef = { abbrev, name, type, description, derive: (src) => coapDerived(src).get(abbrev)! };
  DERIVED.set(abbrev, def);
  return def;
}

interface Exchange { req: number; rsp: number }
interface Transaction { uri: string; byMid: Map<number, Exchange> }
interface Reassembly { frames: number[]; lens: number[]; last: number }

const cache = new WeakMap<LayerTable, Map<string, Column>>();

const hex = (v: Uint8Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("hex");

/** Every derived coap column, built in one walk over the coap layers in frame order. */
function coapDerived(src: DeriveSource): Map<string, Column> {
  const layers = src.layers();
  const hit = cache.get(layers);
  if (hit) return hit;
  const out = new Map<string, ColumnBuilder>();
  for (const [k, f] of DERIVED) out.set(k, new ColumnBuilder(f, 64));
  const put = (k: string, f: number, v: number | string) => out.get(k)!.push(f, v);
  const col = (a: string) => src.column(a);
  const token = col("coap.token"), mid = col("coap.mid"), code = col("coap.code"), type = col("coap.type");
  const host = col("coap.opt.uri_host"), port = col("coap.opt.uri_port"), path = col("coap.opt.uri_path");
  const blockNum = col("coap.opt.block_number"), mflag = col("coap.opt.block_mflag"), ctype = col("coap.opt.ctype");
  const payload = col("coap.x.payload");
  const id = src.protoId("coap");
  const convs = new Map<number, Map<string, Transaction>>();
  const open = new Map<number, Map<number, Reassembly>>();
  let prev = -1;
  const at = new FrameCursor(layers);
  for (let l = 0; l < layers.count; l++) {
    if (layers.proto[l] !== id) continue;
    const f = at.at(l), aux = layers.aux[l];
    if (f === prev || !(aux & TRACKED)) continue;
    prev = f;
    const c = code.has(f) ? (code.get(f) as number) : 0, cls = c >> 5, ty = type.has(f) ? (type.get(f) as number) : 0;
    const conversation = (aux >>> CONV_SHIFT) & CONV_MASK;
    // The URI this message's options spell (options come in number order: hosts, ports, then path segments).
    let uri = "";
    for (const h of host.all(f)) uri += String(h).includes(":") ? `coap://[${h}]` : `coap://${h}`;
    for (const p of port.all(f)) uri += `:${p}`;
    for (const p of path.all(f)) uri += `/${p}`;
    let ex: Exchange | undefined;
    if (token.has(f) && c !== 0) {
      let m = convs.get(conversation);
      if (!m) convs.set(conversation, (m = new Map()));
      const key = hex(token.get(f) as Uint8Array);
      let tr = m.get(key);
      if (!tr) {
        if (cls === 0) m.set(key, (tr = { uri, byMid: new Map() }));
      } else if (cls >= 2 && cls <= 5) uri = tr.uri;
      if (tr) {
        const mi = mid.get(f) as number;
        ex = tr.byMid.get(mi);
        if (!ex) tr.byMid.set(mi, (ex = { req: 0, rsp: 0 }));
        if (cls === 0) { if (ex.req === 0) ex.req = f + 1; }
        else if (cls >= 2 && cls <= 5 && ex.rsp === 0) ex.rsp = f + 1;
      }
    }
    const resend = ty === 0 || ty === 1;
    if (ex && cls === 0) {
      if (ex.rsp) put("coap.response_in", f, ex.rsp);
      if (resend && ex.req !== f + 1) { put("coap.request_first_in", f, ex.req); put("coap.retransmitted", f, 1); }
    } else if (ex && cls >= 2 && cls <= 5) {
      if (ex.req) { put("coap.response_to", f, ex.req); put("coap.response_time", f, secondsBetween(src, f, ex.req - 1)); }
      if (resend && ex.rsp !== f + 1) { put("coap.response_first_in", f, ex.rsp); put("coap.retransmitted", f, 1); }
    }
    // The payload: whole, or one block of a reassembly keyed by the directed address pair.
    const desc = ctype.has(f) ? String(ctype.get(f, ctype.count(f) - 1)) : cls >= 4 && cls <= 5 ? "text/plain; charset=utf-8" : "application/octet-stream";
    const noCf = !ctype.has(f);
    const describe = (len: number) => {
      put("coap.payload", f, `Payload Content-Format: ${desc}${noCf ? " (no Content-Format)" : ""}, Length: ${len}`.slice(0, 79));
      put("coap.payload_desc", f, desc);
      put("coap.payload_length", f, len);
    };
    if (!payload.has(f)) {
      if (uri !== "") put("coap.opt.uri_path_recon", f, uri);
      continue;
    }
    const len = (payload.get(f) as Uint8Array).length;
    const bn = blockNum.has(f) ? (blockNum.get(f, blockNum.count(f) - 1) as number) : 0xffffffff;
    if (bn === 0xffffffff) describe(len);
    else {
      const more = mflag.get(f, mflag.count(f) - 1) as number;
      const pair = aux & PAIR_MASK;
      let byPair = open.get(pair);
      if (!byPair) open.set(pair, (byPair = new Map()));
      let r = byPair.get(0);
      if (!r) byPair.set(0, (r = { frames: [], lens: [], last: -1 }));
      if (r.frames[bn] === undefined) { r.frames[bn] = f + 1; r.lens[bn] = len; }
      if (!more) r.last = bn;
      let done = r.last >= 0;
      for (let k = 0; done && k <= r.last; k++) if (r.frames[k] === undefined) done = false;
      if (done) {
        byPair.delete(0);
        let total = 0;
        put("coap.blocks", f, 1);
        for (let k = 0; k <= r.last; k++) { put("coap.block", f, r.frames[k]); total += r.lens[k]; }
        put("coap.block.count", f, r.last + 1);
        put("coap.block.reassembled.length", f, total);
        describe(total);
      }
    }
    if (uri !== "") put("coap.opt.uri_path_recon", f, uri);
  }
  const n = src.file.index.count;
  const cols = new Map<string, Column>();
  for (const [k, b] of out) cols.set(k, b.finish(n));
  cache.set(layers, cols);
  return cols;
}
