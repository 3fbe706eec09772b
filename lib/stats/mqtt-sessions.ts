// MQTT sessions: one row per MQTT connection (tcp.stream) from CONNECT to its end, with how it ended and the silence
// before it. MQTT 3.1.1 §3.1.2.10 (https://docs.oasis-open.org/mqtt/mqtt/v3.1.1/os/mqtt-v3.1.1-os.html#_Toc398718030)
// and MQTT 5 §3.1.2.10: a server that hears nothing from the client for 1.5 × keep-alive must close the connection.
//
// How a session ends, the first of these after the CONNECT:
//   "DISCONNECT"        a DISCONNECT packet (end_by says who sent it; v5 carries a reason code)
//   "RST"               a TCP reset (end_by: "client" or "broker")
//   "keep-alive expiry" a FIN from the broker after the client was silent (no MQTT packet) for at least
//                       factor × keep-alive and at most factor × keep-alive + lateness seconds
//   "broker close"      any other FIN from the broker (e.g. after a refused CONNACK)
//   "client FIN"        a FIN from the client without DISCONNECT (the client vanished uncleanly)
//   "open"              nothing of the above before the capture ends
// The lateness allows for brokers that check keep-alives periodically rather than per connection: Mosquitto 2.0
// looks at them only every few seconds, so with keep-alive 5 s the drop comes 7.5–14 s after the client's last packet,
// not at 7.5 s. `overdue` is how long after factor × keep-alive the broker closed.

import * as aq from "arquero";
import type { Capture } from "../table/capture.js";
import type { ColumnTable } from "../table/to-arquero.js";
import { lookupField } from "../dissectors/registry.js";
import { columnArray, numberArray } from "./groups.js";

export interface MqttSessionOptions {
  /** Silence longer than factor × keep-alive before a broker close means keep-alive expiry (default 1.5). */
  keepaliveFactor?: number;
  /** Seconds the broker may take beyond factor × keep-alive to notice (its check period; default 10). */
  lateness?: number;
  /** Broker ports, to tell the sides apart when no CONNECT was captured (default 1883, 8883). */
  brokerPorts?: number[];
}

/** MQTT control packet types (MQTT 3.1.1 §2.2.1). */
const CONNECT = 1, CONNACK = 2, DISCONNECT = 14;
const FIN = 0x01, SYN = 0x02, RST = 0x04, ACK = 0x10;

/** CONNACK return codes of MQTT 3.1.x (v5 reason codes ≥ 0x80 are failures too). */
export const CONNACK_NAMES: Record<number, string> = { 0: "Connection Accepted", 1: "Refused: unacceptable protocol version",
  2: "Refused: identifier rejected", 3: "Refused: server unavailable", 4: "Refused: bad user name or password",
  5: "Refused: not authorized", 0x86: "Bad User Name or Password", 0x87: "Not authorized" };

export const MQTT_SESSION_COLUMNS = ["tcp.stream", "client", "broker", "client_id", "protocol_level", "keepalive",
  "connect_time", "connack", "accepted", "last_client_time", "end_time", "end", "end_by", "disconnect_reason", "gap",
  "keepalive_limit", "overdue", "client_messages", "duration"];

interface Msg { t: number; type: number; fromClient: boolean; row: number }
interface Seg { t: number; flags: number; side: string; len: number }

/** One row per MQTT connection, in order of connect time; see the header for the columns' meaning. */
export function mqttSessions(cap: Capture, options: MqttSessionOptions = {}): ColumnTable {
  const factor = options.keepaliveFactor ?? 1.5, lateness = options.lateness ?? 10;
  const ports = new Set(options.brokerPorts ?? [1883, 8883]);
  const optional = ["mqtt.conack.val", "mqtt.connack.reason_code", "mqtt.disconnect.reason_code"].filter((f) => lookupField(f));
  const m = cap.messages("mqtt", { fields: ["mqtt.msgtype", "mqtt.clientid", "mqtt.ver", "mqtt.kalive", ...optional] });
  const mcol = (n: string) => (m.columnNames().includes(n) ? columnArray(m, n) : new Array(m.numRows()).fill(null));
  const mnum = (n: string) => (m.columnNames().includes(n) ? numberArray(m, n) : new Array<number>(m.numRows()).fill(NaN));
  const mt = mnum("frame.time_epoch"), mstream = mnum("tcp.stream"), mtype = mnum("mqtt.msgtype");
  const msrc = endpoint(mcol("ip.src"), mcol("ipv6.src"), mnum("tcp.srcport"));
  const mdst = endpoint(mcol("ip.dst"), mcol("ipv6.dst"), mnum("tcp.dstport"));

  const f = cap.filter("tcp").select("frame.time_epoch", "tcp.stream", "tcp.flags", "tcp.len", "ip.src", "ipv6.src",
    "tcp.srcport", "ip.dst", "ipv6.dst", "tcp.dstport");
  const ft = numberArray(f, "frame.time_epoch"), fstream = numberArray(f, "tcp.stream"), flags = numberArray(f, "tcp.flags");
  const flen = numberArray(f, "tcp.len"), fsport = numberArray(f, "tcp.srcport"), fdport = numberArray(f, "tcp.dstport");
  const fsrc = endpoint(columnArray(f, "ip.src"), columnArray(f, "ipv6.src"), fsport);
  const fdst = endpoint(columnArray(f, "ip.dst"), columnArray(f, "ipv6.dst"), fdport);
  const captureEnd = ft.reduce((a, b) => (b > a ? b : a), -Infinity);

  // Which side is the client: the CONNECT's sender, else the side not on a broker port, else the SYN's sender.
  const clientOf = new Map<number, { client: string; broker: string }>();
  for (let i = 0; i < m.numRows(); i++) {
    if (mtype[i] === CONNECT && !clientOf.has(mstream[i])) clientOf.set(mstream[i], { client: msrc[i], broker: mdst[i] });
  }
  const mqttStreams = new Set(mstream.filter((s) => !Number.isNaN(s)));
  const segs = new Map<number, Seg[]>();
  for (let i = 0; i < f.numRows(); i++) {
    const s = fstream[i];
    if (Number.isNaN(s) || !(mqttStreams.has(s) || ports.has(fsport[i]) || ports.has(fdport[i]))) continue;
    if (!clientOf.has(s)) {
      const toBroker = ports.has(fdport[i]) || (!ports.has(fsport[i]) && (flags[i] & (SYN | ACK)) === SYN);
      clientOf.set(s, toBroker ? { client: fsrc[i], broker: fdst[i] } : { client: fdst[i], broker: fsrc[i] });
    }
    let list = segs.get(s);
    if (!list) segs.set(s, (list = []));
    list.push({ t: ft[i], flags: flags[i], side: fsrc[i], len: flen[i] });
  }
  const msgs = new Map<number, Msg[]>();
  for (let i = 0; i < m.numRows(); i++) {
    const s = mstream[i];
    if (Number.isNaN(s)) continue;
    let list = msgs.get(s);
    if (!list) msgs.set(s, (list = []));
    list.push({ t: mt[i], type: mtype[i], fromClient: msrc[i] === clientOf.get(s)!.client, row: i });
  }

  const cols = { clientid: mcol("mqtt.clientid"), ver: mnum("mqtt.ver"), ka: mnum("mqtt.kalive"),
    conack: mnum("mqtt.conack.val"), rc5: mnum("mqtt.connack.reason_code"), disc: mnum("mqtt.disconnect.reason_code") };
  const rows: Record<string, unknown>[] = [];
  for (const [stream, side] of clientOf) {
    const ms = (msgs.get(stream) ?? []).sort((a, b) => a.t - b.t), ss = (segs.get(stream) ?? []).sort((a, b) => a.t - b.t);
    rows.push(sessionRow(stream, side, ms, ss, cols, { factor, lateness, captureEnd }));
  }
  rows.sort((a, b) => (a.connect_time as number) - (b.connect_time as number) || (a["tcp.stream"] as number) - (b["tcp.stream"] as number));
  return aq.from(rows, MQTT_SESSION_COLUMNS);
}

interface Cols { clientid: unknown[]; ver: number[]; ka: number[]; conack: number[]; rc5: number[]; disc: number[] }
interface Ctx { factor: number; lateness: number; captureEnd: number }

function sessionRow(stream: number, side: { client: string; broker: string }, ms: Msg[], ss: Seg[], c: Cols, x: Ctx) {
  const connect = ms.find((q) => q.type === CONNECT && q.fromClient);
  const connack = ms.find((q) => q.type === CONNACK && !q.fromClient);
  const start = connect?.t ?? ss[0]?.t ?? ms[0]?.t ?? NaN;
  const ka = connect ? c.ka[connect.row] : NaN;
  const code = connack ? first(c.conack[connack.row], c.rc5[connack.row]) : NaN;
  // The end: the first DISCONNECT, RST or FIN at or after the CONNECT.
  const disc = ms.find((q) => q.type === DISCONNECT && q.t >= start);
  const close = ss.find((q) => q.t >= start && (q.flags & (FIN | RST)) !== 0);
  let end = "open", by: string | null = null, endTime = x.captureEnd;
  if (disc && (!close || disc.t <= close.t)) {
    end = "DISCONNECT"; by = disc.fromClient ? "client" : "broker"; endTime = disc.t;
  } else if (close) {
    by = close.side === side.client ? "client" : "broker"; endTime = close.t;
    end = close.flags & RST ? "RST" : by === "client" ? "client FIN" : "broker close";
  }
  const clientMsgs = ms.filter((q) => q.fromClient && q.t <= endTime && (q !== disc));
  const lastClient = clientMsgs.length ? clientMsgs[clientMsgs.length - 1].t : start;
  const gap = endTime - lastClient;
  const limit = ka > 0 ? x.factor * ka : NaN;
  if (end === "broker close" && gap >= limit && gap <= limit + x.lateness) end = "keep-alive expiry";
  const level = connect ? c.ver[connect.row] : NaN;
  return {
    "tcp.stream": stream, client: side.client, broker: side.broker,
    client_id: connect ? (c.clientid[connect.row] ?? "") : null, protocol_level: nullIfNaN(level), keepalive: nullIfNaN(ka),
    connect_time: start, connack: nullIfNaN(code), accepted: Number.isNaN(code) ? null : code === 0,
    last_client_time: lastClient, end_time: endTime, end, end_by: by,
    disconnect_reason: disc ? nullIfNaN(c.disc[disc.row]) : null, gap,
    keepalive_limit: nullIfNaN(limit), overdue: gap > limit ? gap - limit : null,
    client_messages: clientMsgs.length + (disc?.fromClient && disc.t <= endTime ? 1 : 0), duration: endTime - start,
  };
}

/** "addr:port" per row (IPv6 in brackets). */
function endpoint(v4: unknown[], v6: unknown[], port: number[]): string[] {
  return port.map((p, i) => (v4[i] != null ? `${v4[i]}:${p}` : v6[i] != null ? `[${v6[i]}]:${p}` : `?:${p}`));
}

const first = (...xs: number[]) => xs.find((v) => !Number.isNaN(v)) ?? NaN;
const nullIfNaN = (v: number) => (Number.isNaN(v) ? null : v);
