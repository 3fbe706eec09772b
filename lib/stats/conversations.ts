// Conversations with Zeek conn.log semantics (https://docs.zeek.org/en/master/logs/conn.html), as far as the
// dissected TCP/UDP fields allow: one row per tcp.stream / udp.stream with uid, ts, the 4-tuple, proto, service
// (by well-known port: Zeek finds it by content), duration, orig/resp bytes (transport payload) and packets,
// conn_state and history. The originator is the sender of the first SYN without ACK, else of the first packet.

import * as aq from "arquero";
import { createHash } from "node:crypto";
import type { Capture } from "../table/capture.js";
import type { ColumnTable } from "../table/to-arquero.js";
import { columnArray, groupRows, numberArray } from "./groups.js";
import { connState, historyOf, type Seg } from "./conn-state.js";

/** The fields conversations() reads. */
export const CONVERSATION_FIELDS = ["frame.time_epoch", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "tcp.stream",
  "udp.stream", "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport", "tcp.flags", "tcp.len", "udp.length"];

/** Services Zeek would name for these ports (Zeek decides by content; this is the port's usual protocol). */
const SERVICES: Record<number, string> = { 53: "dns", 80: "http", 443: "ssl", 502: "modbus", 1883: "mqtt",
  5683: "coap", 8883: "ssl", 123: "ntp", 67: "dhcp", 68: "dhcp", 22: "ssh", 20000: "dnp3", 102: "s7comm" };

/** conn.log rows for a capture, or for a table that has CONVERSATION_FIELDS' columns. Sorted by ts. */
export function conversations(source: Capture | ColumnTable): ColumnTable {
  const t = "select" in source && "sha256" in source ? (source as Capture).select(...CONVERSATION_FIELDS) : source as ColumnTable;
  const col = (n: string) => (t.columnNames().includes(n) ? columnArray(t, n) : new Array(t.numRows()).fill(null));
  const num = (n: string) => (t.columnNames().includes(n) ? numberArray(t, n) : new Array<number>(t.numRows()).fill(NaN));
  const ts = num("frame.time_epoch"), flags = num("tcp.flags"), tlen = num("tcp.len"), ulen = num("udp.length");
  const tstream = num("tcp.stream"), ustream = num("udp.stream");
  const src6 = col("ipv6.src"), dst6 = col("ipv6.dst"), usport = num("udp.srcport"), udport = num("udp.dstport");
  const src = col("ip.src").map((v, i) => v ?? src6[i]), dst = col("ip.dst").map((v, i) => v ?? dst6[i]);
  const sport = num("tcp.srcport").map((v, i) => (Number.isNaN(v) ? usport[i] : v));
  const dport = num("tcp.dstport").map((v, i) => (Number.isNaN(v) ? udport[i] : v));
  const key = ts.map((_, i) => (!Number.isNaN(tstream[i]) ? `tcp ${tstream[i]}` : !Number.isNaN(ustream[i]) ? `udp ${ustream[i]}`
    : !Number.isNaN(tlen[i]) || !Number.isNaN(ulen[i]) ? endpointsKey(tlen[i], src[i], sport[i], dst[i], dport[i]) : null));
  const keyed = aq.table({ key });
  const rows: Record<string, unknown>[] = [];
  for (const g of groupRows(keyed, ["key"])) {
    if (g.values[0] === null) continue;
    const tcp = !Number.isNaN(tlen[g.rows[0]]);
    const segs: Seg[] = g.rows.map((r) => ({ ts: ts[r], flags: tcp ? flags[r] : 0, len: tcp ? tlen[r] : Math.max(0, ulen[r] - 8),
      from: `${src[r]}|${sport[r]}` }));
    segs.sort((a, b) => a.ts - b.ts);
    const first = g.rows.reduce((a, r) => (ts[r] < ts[a] ? r : a), g.rows[0]);
    const synRow = tcp ? g.rows.find((r) => (flags[r] & 0x12) === 0x02) : undefined;
    const o = synRow ?? first;
    const orig = `${src[o]}|${sport[o]}`;
    rows.push(connRow(segs, orig, tcp, { h: src[o], p: sport[o] }, { h: dst[o], p: dport[o] }));
  }
  rows.sort((a, b) => (a.ts as number) - (b.ts as number));
  return aq.from(rows.length ? rows : [], COLUMNS);
}

const COLUMNS = ["uid", "ts", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "service", "duration",
  "orig_bytes", "resp_bytes", "conn_state", "history", "orig_pkts", "resp_pkts"];

function connRow(segs: Seg[], orig: string, tcp: boolean, o: { h: unknown; p: number }, r: { h: unknown; p: number }) {
  let ob = 0, rb = 0, op = 0, rp = 0;
  for (const s of segs) {
    if (s.from === orig) { ob += s.len; op++; } else { rb += s.len; rp++; }
  }
  const ts = segs[0].ts;
  const proto = tcp ? "tcp" : "udp";
  return {
    uid: uid(`${proto} ${o.h} ${o.p} ${r.h} ${r.p} ${ts}`), ts, "id.orig_h": o.h, "id.orig_p": o.p,
    "id.resp_h": r.h, "id.resp_p": r.p, proto, service: SERVICES[r.p] ?? SERVICES[o.p] ?? null,
    duration: segs[segs.length - 1].ts - ts, orig_bytes: ob, resp_bytes: rb,
    conn_state: tcp ? connState(segs, orig) : rp > 0 ? "SF" : "S0", history: tcp ? historyOf(segs, orig) : (op ? "D" : "") + (rp ? "d" : ""),
    orig_pkts: op, resp_pkts: rp,
  };
}

/** A Zeek-looking uid ("C" + 17 base62 characters), stable for the same connection. */
function uid(s: string): string {
  const h = createHash("sha256").update(s).digest();
  const abc = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  let out = "C";
  for (let i = 0; i < 17; i++) out += abc[h[i] % 62];
  return out;
}

function endpointsKey(tlen: number, a: unknown, ap: number, b: unknown, bp: number): string {
  const x = `${a}|${ap}`, y = `${b}|${bp}`;
  return `${Number.isNaN(tlen) ? "udp" : "tcp"} ${x < y ? x + " " + y : y + " " + x}`;
}
