// LwM2M over CoAP, as Wirebook extension fields (tshark 4.0 has no lwm2m protocol: it shows these payloads only
// through its json / cbor dissectors). OMA-TS-LightweightM2M-Core V1_1 sections 6.2 (registration interface /rd:
// ep, lt, lwm2m, b), 7 (object / instance / resource paths) and 7.4 (SenML JSON 110, SenML CBOR 112; LwM2M JSON
// 11543 from V1_0 section 6.4.4). Everything is derived after the pass from coap's columns: the Uri-Path and
// Uri-Query options, the Content-Format and the payload; a response takes the path of its request
// (coap.opt.uri_path_recon). This pseudo-protocol records no layers.

import { Column, ColumnBuilder } from "../decode/column.js";
import type { LayerTable } from "../decode/layer-table.js";
import type { DissectContext, Dissector } from "./dissector.js";
import type { DeriveSource, FieldDef, FieldType } from "./field.js";
import { senmlRecords } from "./lwm2m-senml.js";

const EXT = "Wirebook: extension — ";
const DERIVED = new Map<string, FieldDef>();

function derived(abbrev: string, name: string, type: FieldType, description: string): FieldDef {
  const def: FieldDef = { abbrev, name, type, description: EXT + description, derive: (src) => lwm2mColumns(src).get(abbrev)! };
  DERIVED.set(abbrev, def);
  return def;
}

/** Content-Format names as coap.opt.ctype prints them, and the payload format each means. */
const FORMATS: Readonly<Record<string, "senml+json" | "senml+cbor" | "lwm2m+json">> = {
  "application/senml+json": "senml+json",
  "application/senml+cbor": "senml+cbor",
  "application/vnd.oma.lwm2m+json": "lwm2m+json",
};

/** Registration-interface query parameters (Core V1_1 table 6.2.1-1) and the field each fills. */
const RD_PARAMS: Readonly<Record<string, string>> = { ep: "lwm2m.rd.endpoint", lt: "lwm2m.rd.lifetime", b: "lwm2m.rd.binding", lwm2m: "lwm2m.rd.version" };

export const FIELDS: readonly FieldDef[] = [
  derived("lwm2m", "LwM2M", "protocol", "present when a CoAP message carries an LwM2M path, registration or SenML/LwM2M JSON payload"),
  derived("lwm2m.object_id", "Object ID", "uint16", "first Uri-Path segment of a numeric LwM2M path (/3/0/1 → 3); a response shows its request's"),
  derived("lwm2m.instance_id", "Object Instance ID", "uint16", "second segment of a numeric LwM2M path (/3/0/1 → 0)"),
  derived("lwm2m.resource_id", "Resource ID", "uint16", "third segment of a numeric LwM2M path (/3/0/1 → 1)"),
  derived("lwm2m.rd.endpoint", "Endpoint Client Name", "string", "registration (/rd) query ep="),
  derived("lwm2m.rd.lifetime", "Lifetime", "uint32", "registration (/rd) query lt= in seconds"),
  derived("lwm2m.rd.binding", "Binding Mode", "string", "registration (/rd) query b= (U, UQ, S, T, N …)"),
  derived("lwm2m.rd.version", "LwM2M Version", "string", "registration (/rd) query lwm2m= (1.0, 1.1 …)"),
  derived("lwm2m.senml.name", "SenML Name", "string", "one per record of a SenML JSON/CBOR or LwM2M JSON payload: bn + n"),
  derived("lwm2m.senml.value", "SenML Value", "string", "one per record: v / vs / vb / vd (LwM2M JSON: v / sv / bv / ov) as text, \"\" when none"),
];

/** Never dissects (nothing hands off to it): its fields are derived from coap's. */
export const lwm2m: Dissector = {
  proto: "lwm2m",
  name: "OMA Lightweight M2M (Wirebook)",
  fields: FIELDS,
  dissect(_ctx: DissectContext) { return null; },
};

const ID = /^\d{1,5}$/;
const cache = new WeakMap<LayerTable, Map<string, Column>>();

/** Path segments of frame f: its own Uri-Path options, else (a response) its request's URI path. */
function segments(path: Column, recon: Column, f: number): string[] {
  if (path.has(f)) return path.all(f).map(String);
  if (!recon.has(f)) return [];
  const u = String(recon.get(f)).replace(/^coap:\/\/[^/]*/, "");
  return u.split("/").slice(1);
}

/** Every lwm2m.* column, built in one pass over the frames holding CoAP. */
function lwm2mColumns(src: DeriveSource): Map<string, Column> {
  const layers = src.layers();
  const hit = cache.get(layers);
  if (hit) return hit;
  const out = new Map<string, ColumnBuilder>();
  for (const [k, f] of DERIVED) out.set(k, new ColumnBuilder(f, 16));
  const col = (a: string) => src.column(a);
  const path = col("coap.opt.uri_path"), recon = col("coap.opt.uri_path_recon"), query = col("coap.opt.uri_query");
  const ctype = col("coap.opt.ctype"), payload = col("coap.x.payload"), code = col("coap.code");
  const n = src.file.index.count;
  for (let f = 0; f < n; f++) {
    if (!code.has(f)) continue;
    let any = false;
    const put = (a: string, v: number | string) => { out.get(a)!.push(f, v); any = true; };
    const seg = segments(path, recon, f);
    if (seg.length >= 1 && seg.length <= 4 && seg.every((s) => ID.test(s) && Number(s) <= 65535)) {
      put("lwm2m.object_id", Number(seg[0]));
      if (seg.length >= 2) put("lwm2m.instance_id", Number(seg[1]));
      if (seg.length >= 3) put("lwm2m.resource_id", Number(seg[2]));
    }
    if (path.has(f) && seg[0] === "rd") {
      for (const q of query.all(f).map(String)) {
        const eq = q.indexOf("="), key = eq < 0 ? q : q.slice(0, eq), field = RD_PARAMS[key];
        if (!field || eq < 0) continue;
        const v = q.slice(eq + 1);
        if (key === "lt") { if (/^\d{1,10}$/.test(v) && Number(v) <= 0xffffffff) put(field, Number(v)); }
        else put(field, v);
      }
    }
    const fmt = ctype.has(f) ? FORMATS[String(ctype.get(f, ctype.count(f) - 1))] : undefined;
    const body = payload.get(f);
    if (fmt && body instanceof Uint8Array) {
      for (const r of senmlRecords(fmt, body)) { put("lwm2m.senml.name", r.name); put("lwm2m.senml.value", r.value); }
    }
    if (any) out.get("lwm2m")!.push(f, 1);
  }
  const cols = new Map<string, Column>();
  for (const [k, b] of out) cols.set(k, b.finish(n));
  cache.set(layers, cols);
  return cols;
}
