// Where each element of one MQTT control packet lies, found the way Wireshark 4.0's dissect_mqtt() walks it: in
// order, each element taken only if it fits in the packet; the first one that does not fit ends the walk (where
// Wireshark throws, leaving the fields before it in the tree and marking the packet malformed).
// OASIS MQTT 3.1.1 §2-3, MQTT 5.0 §2-3; Wireshark epan/dissectors/packet-mqtt.c (dissect_mqtt,
// dissect_mqtt_properties). Used by the getters and by the dissector; allocates nothing.
//
// The layer's aux number carries what the bytes alone do not tell: the protocol level of the connection (from its
// CONNECT) and, for a PUBLISH naming its topic by a Topic Alias only, whether the alias was known; a known alias's
// topic is appended after the packet's bytes in a copy (the trailer), since getters read nothing but the layer.

import { u16 } from "./bytes.js";
import { PROPS, propsValid } from "./mqtt-properties.js";
import {
  AUTH, CONNACK, CONNECT, DISCONNECT, PUBACK, PUBCOMP, PUBLISH, PUBREC, PUBREL, SUBACK, SUBSCRIBE, UNSUBACK,
  UNSUBSCRIBE, V31, V311, V50,
} from "./mqtt-values.js";

// The aux number of an mqtt layer.
/** Protocol level in force (0 when the connection's CONNECT was not seen). */
export const AUX_VERSION = 0xff;
/** PUBLISH with a topic alias and no topic: the alias's topic is the layer's last `trailer` bytes. */
export const AUX_ALIAS_RESOLVED = 1 << 8;
/** PUBLISH with a topic alias and no topic, and the alias was never defined in this connection. */
export const AUX_ALIAS_UNKNOWN = 1 << 9;
/** Trailer length (the resolved topic's bytes), bits 10-25. */
export const AUX_TRAILER_SHIFT = 10;
/** The packet follows another in the same bytes of the same frame (one TCP payload): not listed in frame.protocols. */
export const AUX_CONTINUED = 1 << 26;

// Element slots of at[] / size[].
export const E_PROTO_LEN = 0;
export const E_PROTO_NAME = 1;
export const E_VER = 2;
export const E_CONFLAGS = 3;
export const E_KALIVE = 4;
export const E_PROPS = 5;
export const E_CLIENTID_LEN = 6;
export const E_CLIENTID = 7;
export const E_WILL_PROPS = 8;
export const E_WILLTOPIC_LEN = 9;
export const E_WILLTOPIC = 10;
export const E_WILLMSG_LEN = 11;
export const E_WILLMSG = 12;
export const E_USER_LEN = 13;
export const E_USER = 14;
export const E_PASS_LEN = 15;
export const E_PASS = 16;
export const E_ACKFLAGS = 17;
export const E_RCODE = 18;
export const E_TOPIC_LEN = 19;
export const E_TOPIC = 20;
export const E_MSGID = 21;
export const E_PAYLOAD = 22;
/** Start of the entry list of SUBSCRIBE, UNSUBSCRIBE, SUBACK, UNSUBACK (it runs to the end of the packet). */
export const E_LIST = 23;
const N_ELEMENTS = 24;

/** Offset of each element of the packet last laid out, -1 where absent. */
export const at = new Int32Array(N_ELEMENTS);
/** Byte length of each element. */
export const size = new Int32Array(N_ELEMENTS);

/** The packet last laid out. */
export const msg = {
  type: 0,
  hdr: 0,
  ver: 0,
  remLen: 0,
  /** Bytes of the Remaining Length field; 0 when it is invalid (more than 4 bytes) or cut off. */
  lenBytes: 0,
  /** First byte after the fixed header. */
  body: 0,
  /** End of the packet's bytes that are there. */
  cap: 0,
  /** End of the packet as reported (the tvb's reported length in Wireshark). */
  rend: 0,
  /** End of the packet by its Remaining Length. */
  pduEnd: 0,
  /** Length of the trailer (resolved alias topic) after cap. */
  trailer: 0,
  /** The PUBLISH's Topic Alias property (0: none). */
  alias: 0,
  /** The PUBLISH walk reached the topic checks after the properties (Wireshark's alias and illegal-length tests). */
  topicChecked: false,
  /** Offset where the walk stopped because an element did not fit; -1 when it completed. */
  stoppedAt: -1,
};

let B: Uint8Array = new Uint8Array(0);
let P = 0;

/**
 * Lays out the packet at b[o..end) (rep bytes reported, aux as the dissector recorded it) into at[], size[] and msg.
 * Returns false when not even the first byte is there. Contract: reads only b[o..end), never throws.
 */
export function layout(b: Uint8Array, o: number, end: number, rep: number, aux: number): boolean {
  if (!fixedHeader(b, o, end, rep, aux)) return false;
  at.fill(-1);
  if (msg.lenBytes === 0) return true;
  B = b;
  P = msg.body;
  body(msg.type, msg.ver);
  return true;
}

/**
 * Only the fixed header (type, flags, Remaining Length) of the packet at b[o..end) into msg: what the header fields
 * need, without walking the rest. Returns false when not even the first byte is there.
 */
export function fixedHeader(b: Uint8Array, o: number, end: number, rep: number, aux: number): boolean {
  const trailer = aux & AUX_ALIAS_RESOLVED ? (aux >>> AUX_TRAILER_SHIFT) & 0xffff : 0;
  const cend = end - trailer;
  msg.ver = aux & AUX_VERSION;
  msg.trailer = trailer;
  msg.alias = 0;
  msg.topicChecked = false;
  msg.stoppedAt = -1;
  msg.lenBytes = 0;
  if (cend <= o) {
    msg.cap = msg.rend = msg.pduEnd = msg.body = o;
    msg.stoppedAt = o;
    return false;
  }
  const hdr = b[o];
  msg.hdr = hdr;
  msg.type = hdr >> 4;
  // Remaining Length: 1 to 4 bytes, 7 bits each, least significant first (§2.2.3).
  let v = 0, mul = 1, n = 0;
  for (;;) {
    const p = o + 1 + n;
    if (n === 4 || p >= cend) {
      n = 0;
      break;
    }
    const c = b[p];
    v += (c & 127) * mul;
    mul *= 128;
    n++;
    if (c < 128) break;
  }
  if (n === 0) {
    msg.cap = cend;
    msg.rend = msg.pduEnd = msg.body = o + rep;
    msg.stoppedAt = o + 1;
    return true;
  }
  msg.lenBytes = n;
  msg.remLen = v;
  msg.body = o + 1 + n;
  msg.pduEnd = msg.body + v;
  msg.rend = Math.min(o + rep, msg.pduEnd);
  msg.cap = Math.min(cend, msg.rend);
  return true;
}

/** Claims n bytes at P for element e (-1: none); false, and the walk stops, when they do not fit. */
function take(e: number, n: number): boolean {
  if (P + n > msg.cap) {
    msg.stoppedAt = P;
    return false;
  }
  if (e >= 0) {
    at[e] = P;
    size[e] = n;
  }
  P += n;
  return true;
}

/** A 2-byte length then that many bytes (§1.5.4 UTF-8 string, §1.5.6 binary data). */
function prefixed(eLen: number, e: number): boolean {
  return take(eLen, 2) && take(e, u16(B, at[eLen]));
}

/** A property block (§2.2.2) at P; element e gets its offset (also when a property inside it does not fit). */
function props(e: number): boolean {
  const blk = e === E_PROPS ? PROPS.main : PROPS.will;
  const q = propsValid(B, P, msg.cap, blk);
  if (blk.at >= 0) {
    at[e] = P;
    size[e] = blk.vlen + blk.len;
  }
  if (q < 0) {
    msg.stoppedAt = -q - 1;
    return false;
  }
  P = q;
  return true;
}

function body(type: number, ver: number): void {
  switch (type) {
    case CONNECT: return connect(ver);
    case CONNACK:
      if (take(E_ACKFLAGS, 1) && take(E_RCODE, 1) && ver === V50) props(E_PROPS);
      return;
    case PUBLISH: return publish(ver);
    case SUBSCRIBE: case UNSUBSCRIBE: case SUBACK:
      if (take(E_MSGID, 2) && (ver !== V50 || props(E_PROPS))) list(type, ver);
      return;
    case UNSUBACK:
      if (take(E_MSGID, 2) && ver === V50 && props(E_PROPS)) list(type, ver);
      return;
    case PUBACK: case PUBREC: case PUBREL: case PUBCOMP:
      // MQTT 5 §3.4.2.1: reason code and properties may be left out (Remaining Length 2, resp. < 4).
      if (take(E_MSGID, 2) && ver === V50 && msg.remLen > 2 && take(E_RCODE, 1) && msg.remLen > 3) props(E_PROPS);
      return;
    case DISCONNECT: case AUTH:
      // MQTT 5 §3.14.2.1, §3.15.2.1: Remaining Length 0 means reason 0x00; < 2 means no properties.
      if (ver === V50 && msg.remLen > 0 && take(E_RCODE, 1) && msg.remLen >= 2) props(E_PROPS);
      return;
    default: // PINGREQ, PINGRESP and the reserved type 0 have no variable header
  }
}

function connect(ver: number): void {
  if (!prefixed(E_PROTO_LEN, E_PROTO_NAME) || !take(E_VER, 1) || !take(E_CONFLAGS, 1) || !take(E_KALIVE, 2)) return;
  const flags = B[at[E_CONFLAGS]];
  if (ver === V50 && !props(E_PROPS)) return;
  if (!prefixed(E_CLIENTID_LEN, E_CLIENTID)) return;
  if (flags & 0x04) {
    if (ver === V50 && !props(E_WILL_PROPS)) return;
    if (!take(E_WILLTOPIC_LEN, 2)) return;
    const n = u16(B, at[E_WILLTOPIC_LEN]);
    if (n > 0 && !take(E_WILLTOPIC, n)) return;
    if (!prefixed(E_WILLMSG_LEN, E_WILLMSG)) return;
  }
  // Wireshark reads user name and password only when bytes remain (MQTT 3.1 clients set the flags without them).
  if ((flags & 0x80) && msg.rend > P && !prefixed(E_USER_LEN, E_USER)) return;
  if ((flags & 0x40) && msg.rend > P) prefixed(E_PASS_LEN, E_PASS);
}

function publish(ver: number): void {
  if (!take(E_TOPIC_LEN, 2)) return;
  const n = u16(B, at[E_TOPIC_LEN]);
  if (n > 0 && !take(E_TOPIC, n)) return;
  if ((msg.hdr & 0x06) !== 0 && !take(E_MSGID, 2)) return; // a packet identifier only at QoS > 0
  if (ver === V50) {
    if (!props(E_PROPS)) return;
    msg.alias = PROPS.main.alias;
  }
  msg.topicChecked = true;
  take(E_PAYLOAD, msg.rend - P);
}

function list(type: number, ver: number): void {
  at[E_LIST] = P;
  size[E_LIST] = msg.rend - P;
  entryStart(type, ver);
  while (entryNext());
  if (entry.fit < entry.full) msg.stoppedAt = entry.stop;
}

/** True when the SUBACK's entries are 3.x granted QoS values (else MQTT 5 reason codes, Wireshark's choice). */
export const subackQos = (ver: number): boolean => ver === V31 || ver === V311;

/**
 * One entry of the list of a SUBSCRIBE (topic length, topic when the length is not 0, options or requested QoS),
 * UNSUBSCRIBE (topic length, topic), SUBACK or UNSUBACK (one code). `fit` counts the parts that fit; when it is below
 * `full` the walk stopped inside this entry (at `stop`).
 */
export const entry = { type: 0, p: 0, lenOff: -1, topicOff: -1, topicLen: 0, codeOff: -1, fit: 0, full: 0, stop: 0 };

/** Starts walking the entry list of the packet last laid out (after layout(), at[E_LIST] >= 0). */
export function entryStart(type: number, _ver: number): void {
  entry.type = type;
  entry.p = at[E_LIST];
  entry.fit = entry.full = 0;
}

/** Steps to the next entry; false at the end of the list or after an entry that did not fit. */
export function entryNext(): boolean {
  const e = entry, cap = msg.cap;
  if (e.fit < e.full || e.p < 0 || e.p >= msg.rend) return false;
  let p = e.p;
  e.lenOff = e.topicOff = e.codeOff = -1;
  e.topicLen = 0;
  e.fit = 0;
  if (e.type === SUBACK || e.type === UNSUBACK) {
    e.full = 1;
    if (p + 1 > cap) return stop(p);
    e.codeOff = p;
    e.fit = 1;
    e.p = p + 1;
    return true;
  }
  e.full = e.type === SUBSCRIBE ? 3 : 2;
  if (p + 2 > cap) return stop(p);
  e.lenOff = p;
  e.fit = 1;
  const n = u16(B, p);
  p += 2;
  if (n > 0) {
    if (p + n > cap) return stop(p);
    e.topicOff = p;
    e.topicLen = n;
    p += n;
  }
  e.fit = 2;
  if (e.type === SUBSCRIBE) {
    if (p + 1 > cap) return stop(p);
    e.codeOff = p;
    e.fit = 3;
    p += 1;
  }
  e.p = p;
  return true;
}

function stop(p: number): boolean {
  entry.stop = p;
  return true; // the parts that fit still count; the next call ends the walk
}

/** Remaining Length of b[o..end): the whole packet's length, -1 when more bytes are needed, 0 when invalid. */
export function packetLength(b: Uint8Array, o: number, end: number): number {
  let v = 0, mul = 1;
  for (let i = 0; i < 4; i++) {
    const p = o + 1 + i;
    if (p >= end) return -1;
    const c = b[p];
    v += (c & 127) * mul;
    mul *= 128;
    if (c < 128) return 2 + i + v;
  }
  return 0;
}
