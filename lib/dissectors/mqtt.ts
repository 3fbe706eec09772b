// MQTT, the MQ Telemetry Transport (TCP port 1883; 8883 is MQTT over TLS, left to TLS).
// MQTT 3.1: http://public.dhe.ibm.com/software/dw/webservices/ws-mqtt/mqtt-v3r1.html
// MQTT 3.1.1: https://docs.oasis-open.org/mqtt/mqtt/v3.1.1/os/mqtt-v3.1.1-os.html
// MQTT 5.0: https://docs.oasis-open.org/mqtt/mqtt/v5.0/os/mqtt-v5.0-os.html
// Wireshark 4.0 epan/dissectors/packet-mqtt.c is the model for field names, types and behaviour.
//
// A StreamDissector: TCP reassembles the byte stream (tcp-reassembly.ts) and hands over one control packet at a
// time, so one segment may give several mqtt layers and one packet may span segments. What the bytes of a packet
// do not say is the connection's protocol level: like Wireshark, it is learnt from the connection's CONNECT (kept
// per tcp.stream) and is 0, "unknown", for a capture that starts after it; the level in force is kept in the
// layer's aux (mqtt-layout.ts). So are MQTT 5 topic aliases (per connection, as Wireshark keeps them).
// Files: mqtt-values.ts (value names), mqtt-layout.ts (where each element is), mqtt-properties.ts (MQTT 5
// properties), mqtt-fields.ts (the FIELDS table).

import { ascii, u16 } from "./bytes.js";
import { handOff, type DissectContext } from "./dissector.js";
import { FIELDS, str } from "./mqtt-fields.js";
import {
  AUX_ALIAS_RESOLVED, AUX_ALIAS_UNKNOWN, AUX_CONTINUED, AUX_TRAILER_SHIFT, E_LIST, E_MSGID, E_TOPIC, E_TOPIC_LEN, E_VER, at, entry,
  entryNext, entryStart, layout, msg, packetLength, size,
} from "./mqtt-layout.js";
import {
  AUTH, CONNACK, CONNECT, DISCONNECT, MSG_TYPES, PINGREQ, PINGRESP, PUBACK, PUBCOMP, PUBLISH, PUBREC, PUBREL, SUBACK,
  SUBSCRIBE, UNSUBACK, UNSUBSCRIBE, V50,
} from "./mqtt-values.js";
import { current, resetReassembly, type StreamDissector } from "./tcp-reassembly.js";

export { FIELDS };

/** The CONNECT's protocol name sits at a fixed place: after the 2-byte name length (§3.1.2.1). */
const PROTO_NAME_LEN = 2;
/** A CONNECT's variable header is at least name length + "MQTT" + level + flags + keep-alive (§3.1.2). */
const MIN_CONNECT = PROTO_NAME_LEN + 4 + 1 + 1 + 2;

/** Per-connection state (Wireshark's mqtt_conv_t): protocol level of its CONNECT, and its topic aliases. */
class Conv {
  ver = 0;
  aliases: Map<number, Uint8Array> | null = null;
}

let convs: (Conv | undefined)[] = [];
/** For packets not delivered by the reassembler (no stream known): one shared connection. */
let loose = new Conv();
/** aux of the layer to record when the dissector calls itself on a copy carrying a resolved alias topic; -1 if not. */
let nestedAux = -1;

let owner: DissectContext | null = null;
/** Where the last packet ended: a packet starting there, in the same bytes and frame, continues its TCP payload. */
const last = { frame: -1, buf: null as Uint8Array | null, end: -1 };

function convOf(ctx: DissectContext): Conv {
  if (ctx !== owner) {
    // A new pass (walk.ts makes one context per pass): forget the previous capture's connections.
    owner = ctx;
    convs = [];
    loose = new Conv();
  }
  const s = current.frame === ctx.frame ? current.stream : -1;
  if (s < 0) return loose;
  let c = convs[s];
  if (c === undefined) c = convs[s] = new Conv();
  return c;
}

/** The MQTT dissector: one control packet per call (the first one in b[o..end), the rest handed back to itself). */
export const mqtt: StreamDissector = {
  proto: "mqtt",
  name: "MQ Telemetry Transport Protocol",
  fields: FIELDS,
  pduLength: packetLength,
  heuristic: looksLikeMqtt,
  /** Wireshark lists "mqtt" in frame.protocols once per TCP payload it is handed, not once per packet. */
  listed(aux: number) {
    return (aux & AUX_CONTINUED) === 0;
  },
  reset() {
    owner = null;
    last.frame = last.end = -1;
    last.buf = null;
    convs = [];
    loose = new Conv();
    nestedAux = -1;
    resetReassembly();
  },
  dissect(ctx: DissectContext, b: Uint8Array, o: number, end: number, rep: number) {
    if (nestedAux >= 0) {
      const aux = nestedAux;
      nestedAux = -1;
      ctx.layer(this, o, end, rep, aux);
      return null;
    }
    const c = convOf(ctx);
    const continued = last.frame === ctx.frame && last.buf === b && last.end === o ? AUX_CONTINUED : 0;
    const len = packetLength(b, o, end);
    last.frame = ctx.frame;
    last.buf = b;
    last.end = len > 0 ? o + len : end;
    if (len <= 0) {
      ctx.layer(this, o, end, rep, c.ver | continued);
      ctx.malformed("mqtt", len === 0 ? "Remaining Length longer than 4 bytes" : "fixed header cut off");
      return null;
    }
    const type = b[o] >> 4;
    const cend = Math.min(end, o + len), prep = Math.min(rep, len);
    if (type === CONNECT) {
      // Wireshark takes the connection's level from the CONNECT as soon as it has read it.
      layout(b, o, cend, prep, 0);
      if (at[E_VER] >= 0) c.ver = b[at[E_VER]];
    }
    let aux = c.ver;
    layout(b, o, cend, prep, aux);
    aux |= continued;
    if (msg.stoppedAt >= 0) {
      ctx.malformed("mqtt", cend < o + len || prep < len
        ? `${MSG_TYPES[type]} truncated: ${cend - o} of ${len} bytes`
        : `${MSG_TYPES[type]}: field at byte ${msg.stoppedAt - o} runs past the end (${len} bytes)`);
    }
    if (type === PUBLISH && c.ver === V50 && msg.topicChecked && msg.alias !== 0) {
      const n = u16(b, at[E_TOPIC_LEN]);
      if (n > 0) (c.aliases ??= new Map()).set(msg.alias, b.slice(at[E_TOPIC], at[E_TOPIC] + n));
      else {
        const topic = c.aliases?.get(msg.alias);
        if (topic === undefined) aux |= AUX_ALIAS_UNKNOWN;
        else {
          // The topic goes after a copy of the packet, where the layer's getters can read it.
          const withTopic = new Uint8Array(cend - o + topic.length);
          withTopic.set(b.subarray(o, cend));
          withTopic.set(topic, cend - o);
          nestedAux = aux | AUX_ALIAS_RESOLVED | (topic.length << AUX_TRAILER_SHIFT);
          ctx.call(this, withTopic, 0, withTopic.length, prep);
          nestedAux = -1;
          return o + len < end ? handOff(ctx, this, o + len, end, rep - len) : null;
        }
      }
    }
    ctx.layer(this, o, cend, prep, aux);
    return o + len < end ? handOff(ctx, this, o + len, end, rep - len) : null;
  },
};

/**
 * Strict test that b[o..end) starts an MQTT control packet (resynchronising a stream after lost bytes, deciding a
 * header split across segments, or a heuristic a user turns on): a known type with the flags the spec requires, a
 * minimally encoded Remaining Length the type allows, a plausible start of its variable header, and then either a
 * plausible next packet or, for a packet running past `end`, a beginning that says a lot (a printable topic, a
 * protocol name). Returns 1 (looks like MQTT), 0 (does not), -1 (cannot tell yet: more bytes would decide).
 * Contract: reads only b[o..end), never throws.
 */
export function looksLikeMqtt(b: Uint8Array, o: number, end: number): number {
  const n = plausible(b, o, end);
  if (n <= 0) return n < 0 ? -1 : 0;
  const next = o + n;
  if (next <= end) return next >= end - 1 || plausible(b, next, end) !== 0 ? 1 : 0;
  return strongStart(b, o, end);
}

/** 1 for a PUBLISH, SUBSCRIBE or UNSUBSCRIBE whose first topic bytes are printable or a CONNECT with its name. */
function strongStart(b: Uint8Array, o: number, end: number): number {
  let p = o + 2;
  while (b[p - 1] & 0x80) p++;
  switch (b[o] >> 4) {
    case CONNECT: return end - p >= PROTO_NAME_LEN + 5 ? 1 : -1; // plausible() checked the name and level
    case PUBLISH: return topicAt(b, p, end);
    case SUBSCRIBE: case UNSUBSCRIBE: {
      // After the packet identifier: an MQTT 3 topic filter, or MQTT 5 properties (short) then the filter.
      const v3 = topicAt(b, p + 2, end);
      if (v3 !== 0 || p + 2 >= end || b[p + 2] >= 0x80) return v3;
      return topicAt(b, p + 3 + b[p + 2], end);
    }
    default: return 0;
  }
}

/** A 2-byte length (1..1024) then printable topic bytes (no controls, no bytes UTF-8 never uses): 1, 0 or -1. */
function topicAt(b: Uint8Array, p: number, end: number): number {
  if (p + 3 > end) return -1;
  const n = u16(b, p);
  if (n === 0 || n > 1024) return 0;
  for (let i = p + 2, e = Math.min(end, p + 2 + n); i < e; i++) {
    const c = b[i];
    if (c < 0x20 || c === 0x7f || c === 0xc0 || c === 0xc1 || c >= 0xf5) return 0;
  }
  return 1;
}

/** The packet's length when the fixed header (and what of the body is there) looks right, 0 if not, -1 if cut. */
function plausible(b: Uint8Array, o: number, end: number): number {
  const len = packetLength(b, o, end);
  if (len <= 0) return len;
  const h = b[o], type = h >> 4, flags = h & 15;
  let hl = 2;
  while (b[o + hl - 1] & 0x80) hl++;
  // §1.5.5: the Remaining Length uses the fewest bytes, so a last byte of 0 after a continuation is not MQTT.
  if (hl > 2 && b[o + hl - 1] === 0) return 0;
  const rem = len - hl, p = o + hl, have = end - p;
  switch (type) {
    case CONNECT: {
      if (flags !== 0 || rem < MIN_CONNECT) return 0;
      if (have < PROTO_NAME_LEN) return len;
      const nl = u16(b, p);
      if (nl !== 4 && nl !== 6) return 0;
      if (have < PROTO_NAME_LEN + nl + 1) return len;
      const name = ascii(b, p + PROTO_NAME_LEN, nl), level = b[p + PROTO_NAME_LEN + nl];
      return (name === "MQTT" || name === "MQIsdp") && level >= 3 && level <= 5 ? len : 0;
    }
    case CONNACK: return flags === 0 && rem >= 2 && (have < 1 || b[p] <= 1) ? len : 0;
    case PUBLISH: return (flags & 0x06) !== 0x06 && rem >= 2 && (have < 2 || u16(b, p) + 2 <= rem) ? len : 0;
    case PUBACK: case PUBREC: case PUBCOMP: case UNSUBACK: return flags === 0 && rem >= 2 ? len : 0;
    case PUBREL: return flags === 2 && rem >= 2 ? len : 0;
    case SUBSCRIBE: return flags === 2 && rem >= 5 ? len : 0;
    case UNSUBSCRIBE: return flags === 2 && rem >= 4 ? len : 0;
    case SUBACK: return flags === 0 && rem >= 3 ? len : 0;
    case PINGREQ: case PINGRESP: return flags === 0 && rem === 0 ? len : 0;
    case DISCONNECT: case AUTH: return flags === 0 ? len : 0;
    default: return 0; // type 0 is reserved
  }
}

/** Info-column summary, as Wireshark writes it: "Publish Message (id=1) [plant/line1/temp]". */
export function summary(b: Uint8Array, o: number, end: number, rep: number, aux: number): string {
  if (!layout(b, o, end, rep, aux)) return "MQTT";
  let s = MSG_TYPES[msg.type];
  if (at[E_MSGID] >= 0) s += ` (id=${u16(b, at[E_MSGID])})`;
  if (msg.type === PUBLISH && msg.topicChecked) {
    const topic = at[E_TOPIC] >= 0 ? str(b, at[E_TOPIC], size[E_TOPIC])
      : aux & AUX_ALIAS_RESOLVED ? str(b, end - msg.trailer, msg.trailer) : "";
    s += ` [${topic}]`;
  } else if (msg.type === SUBSCRIBE && at[E_LIST] >= 0) {
    let topic = "";
    entryStart(SUBSCRIBE, msg.ver);
    while (entryNext()) {
      if (entry.topicOff >= 0) topic = str(b, entry.topicOff, entry.topicLen);
      if (entry.fit >= 2) s += ` [${topic}]`;
    }
  }
  return s;
}
