// MQTT 5.0 properties (OASIS MQTT 5.0 §2.2.2): a Variable Byte Integer length, then (identifier, value) pairs whose
// value type the identifier implies. Walked the way Wireshark 4.0's dissect_mqtt_properties() walks them: each
// property's parts are taken while they fit in the packet (the block's declared length may overrun it); an unknown
// identifier swallows the rest of the block as "Unknown Property"; the block ends where its length says, whatever
// its last property consumed.

import { u16, u32 } from "./bytes.js";
import {
  PROP_ASSIGNED_CLIENT_IDENTIFIER, PROP_AUTH_DATA, PROP_AUTH_METHOD, PROP_CONTENT_TYPE, PROP_CORRELATION_DATA,
  PROP_MAXIMUM_PACKET_SIZE, PROP_MAXIMUM_QOS, PROP_PAYLOAD_FORMAT_INDICATOR, PROP_PUBLICATION_EXPIRY_INTERVAL,
  PROP_REASON_STRING, PROP_RECEIVE_MAXIMUM, PROP_REQUEST_PROBLEM_INFORMATION, PROP_REQUEST_RESPONSE_INFORMATION,
  PROP_RESPONSE_INFORMATION, PROP_RESPONSE_TOPIC, PROP_RETAIN_AVAILABLE, PROP_SERVER_KEEP_ALIVE,
  PROP_SERVER_REFERENCE, PROP_SESSION_EXPIRY_INTERVAL, PROP_SHARED_SUBSCRIPTION_AVAILABLE,
  PROP_SUBSCRIPTION_IDENTIFIER, PROP_SUBSCRIPTION_IDENTIFIER_AVAILABLE, PROP_TOPIC_ALIAS, PROP_TOPIC_ALIAS_MAXIMUM,
  PROP_USER_PROPERTY, PROP_WILDCARD_SUBSCRIPTION_AVAILABLE, PROP_WILL_DELAY_INTERVAL,
} from "./mqtt-values.js";

// How a property's value is shown (Wireshark's hf for it).
/** An integer of `width` bytes: mqtt.prop_number. */
export const K_NUM = 1;
/** Maximum QoS: mqtt.property.max_qos. */
export const K_MAXQOS = 2;
/** Topic Alias: mqtt.property.topic_alias. */
export const K_ALIAS = 3;
/** Subscription Identifier, a Variable Byte Integer: mqtt.prop_number. */
export const K_VARINT = 4;
/** Content Type, a length-prefixed string as one item: mqtt.property.content_type. */
export const K_CTYPE = 5;
/** A string or binary data: mqtt.prop_string_len, mqtt.prop_string. */
export const K_STR = 6;
/** User Property, a string pair: mqtt.prop_key_len, mqtt.prop_key, mqtt.prop_value_len, mqtt.prop_value. */
export const K_USER = 7;
/** Any other identifier: the rest of the block as mqtt.prop_unknown. */
export const K_UNKNOWN = 8;

const KIND = new Uint8Array(256).fill(K_UNKNOWN);
const WIDTH = new Uint8Array(256);
for (const id of [PROP_PAYLOAD_FORMAT_INDICATOR, PROP_REQUEST_PROBLEM_INFORMATION, PROP_REQUEST_RESPONSE_INFORMATION,
  PROP_RETAIN_AVAILABLE, PROP_WILDCARD_SUBSCRIPTION_AVAILABLE, PROP_SUBSCRIPTION_IDENTIFIER_AVAILABLE,
  PROP_SHARED_SUBSCRIPTION_AVAILABLE]) { KIND[id] = K_NUM; WIDTH[id] = 1; }
for (const id of [PROP_SERVER_KEEP_ALIVE, PROP_RECEIVE_MAXIMUM, PROP_TOPIC_ALIAS_MAXIMUM]) { KIND[id] = K_NUM; WIDTH[id] = 2; }
for (const id of [PROP_PUBLICATION_EXPIRY_INTERVAL, PROP_SESSION_EXPIRY_INTERVAL, PROP_WILL_DELAY_INTERVAL,
  PROP_MAXIMUM_PACKET_SIZE]) { KIND[id] = K_NUM; WIDTH[id] = 4; }
for (const id of [PROP_RESPONSE_TOPIC, PROP_CORRELATION_DATA, PROP_ASSIGNED_CLIENT_IDENTIFIER, PROP_AUTH_METHOD,
  PROP_AUTH_DATA, PROP_RESPONSE_INFORMATION, PROP_SERVER_REFERENCE, PROP_REASON_STRING]) KIND[id] = K_STR;
KIND[PROP_MAXIMUM_QOS] = K_MAXQOS; WIDTH[PROP_MAXIMUM_QOS] = 1;
KIND[PROP_TOPIC_ALIAS] = K_ALIAS; WIDTH[PROP_TOPIC_ALIAS] = 2;
KIND[PROP_SUBSCRIPTION_IDENTIFIER] = K_VARINT;
KIND[PROP_CONTENT_TYPE] = K_CTYPE;
KIND[PROP_USER_PROPERTY] = K_USER;

/** Parts a property of each kind has (identifier included): a walk stops inside a property that has fewer. */
const PARTS = [0, 2, 2, 2, 2, 2, 3, 5, 2];

/** One property block of the packet last laid out. */
export class Block {
  /** Offset of its length field. */
  at = -1;
  /** Bytes of its length field. */
  vlen = 0;
  /** Its length value (bytes of properties). */
  len = 0;
  /** The last Topic Alias value in it (0: none). */
  alias = 0;
}

/** The blocks of the packet last laid out: the packet's properties and (CONNECT) the Will properties. */
export const PROPS = { main: new Block(), will: new Block() };

/**
 * The property propNext() stepped to: its identifier and kind, how many of its parts fit (`parts`, of `full`),
 * its number (K_NUM, K_MAXQOS, K_ALIAS, K_VARINT) and the offsets and lengths of its length fields and strings.
 */
export const prop = {
  q: 0, end: 0, cap: 0, done: true,
  /** The walk ended because something did not fit (at `stop`). */
  failed: false,
  id: 0, kind: 0, parts: 0, full: 0, num: 0, stop: 0,
  /** First string: its 2-byte length at lenA, its bytes at a (an bytes). */
  lenA: -1, a: -1, an: 0,
  /** Second string (User Property value). */
  lenC: -1, c: -1, cn: 0,
};

/** Starts walking the properties of block `blk` of the packet in b (bytes there up to cap). */
export function propFirst(blk: Block, cap: number): void {
  prop.q = blk.at + blk.vlen;
  prop.end = prop.q + blk.len;
  prop.cap = cap;
  prop.done = blk.at < 0;
  prop.failed = false;
}

/** Steps to the next property; false at the end of the block or after a property that did not fit. */
export function propNext(b: Uint8Array): boolean {
  const r = prop;
  if (r.done || r.q >= r.end) return false;
  const cap = r.cap;
  let p = r.q;
  if (p >= cap) {
    // The block says more properties follow, but the packet ends: Wireshark's read of the identifier throws.
    r.done = r.failed = true;
    r.stop = p;
    return false;
  }
  const id = b[p++];
  const kind = KIND[id];
  r.id = id;
  r.kind = kind;
  r.full = PARTS[kind];
  r.parts = 1;
  r.lenA = r.a = r.lenC = r.c = -1;
  r.an = r.cn = 0;
  switch (kind) {
    case K_NUM: case K_MAXQOS: case K_ALIAS: {
      const w = WIDTH[id];
      if (p + w > cap) break;
      r.num = w === 1 ? b[p] : w === 2 ? u16(b, p) : u32(b, p);
      p += w;
      r.parts = 2;
      break;
    }
    case K_VARINT: {
      // Wireshark reads up to 10 bytes and keeps the low 32 bits in its FT_UINT32.
      let v = 0, mul = 1, n = 0, ok = false;
      while (n < 10 && p + n < cap) {
        const c = b[p + n++];
        v += (c & 127) * mul;
        mul *= 128;
        if (c < 128) { ok = true; break; }
      }
      if (!ok) break;
      r.num = v % 4294967296;
      p += n;
      r.parts = 2;
      break;
    }
    case K_CTYPE: {
      if (p + 2 > cap || p + 2 + u16(b, p) > cap) break;
      r.a = p + 2;
      r.an = u16(b, p);
      p += 2 + r.an;
      r.parts = 2;
      break;
    }
    case K_STR: case K_USER: {
      if (p + 2 > cap) break;
      r.lenA = p;
      r.parts = 2;
      const n = u16(b, p);
      if (p + 2 + n > cap) { p += 2; break; }
      r.a = p + 2;
      r.an = n;
      p += 2 + n;
      r.parts = 3;
      if (kind === K_STR) break;
      if (p + 2 > cap) break;
      r.lenC = p;
      r.parts = 4;
      const m = u16(b, p);
      if (p + 2 + m > cap) { p += 2; break; }
      r.c = p + 2;
      r.cn = m;
      p += 2 + m;
      r.parts = 5;
      break;
    }
    default: // K_UNKNOWN: the rest of the block
      if (r.end > cap) break;
      r.a = p;
      r.an = r.end - p;
      p = r.end;
      r.parts = 2;
  }
  if (r.parts < r.full) {
    r.done = r.failed = true;
    r.stop = p;
  }
  r.q = p;
  return true;
}

/**
 * Validates the property block at b[p..cap) into `blk`: returns the offset after it, or -(stop + 1) when an element
 * does not fit (stop = its offset). Contract: reads only b[p..cap), never throws.
 */
export function propsValid(b: Uint8Array, p: number, cap: number, blk: Block): number {
  blk.at = -1;
  blk.alias = 0;
  let v = 0, mul = 1, n = 0;
  for (;;) {
    if (n === 10 || p + n >= cap) return -(p + 1);
    const c = b[p + n++];
    v += (c & 127) * mul;
    mul *= 128;
    if (c < 128) break;
  }
  // The block's own item may reach past the packet (Wireshark does not check an FT_NONE item's length); the
  // properties inside it are read until one does not fit.
  blk.at = p;
  blk.vlen = n;
  blk.len = v;
  propFirst(blk, cap);
  while (propNext(b)) if (prop.kind === K_ALIAS && prop.parts === 2) blk.alias = prop.num;
  return prop.failed ? -(prop.stop + 1) : p + n + v;
}

/**
 * The property length as Wireshark 4.0 shows it (mqtt.property_len): it reads the Variable Byte Integer's bytes as a
 * big-endian integer, so lengths above 127 show as e.g. 46338 (0xb5 0x02) for 309. Kept for tshark compatibility.
 */
export function shownLength(b: Uint8Array, blk: Block): number {
  let v = 0;
  for (let i = 0; i < blk.vlen; i++) v = v * 256 + b[blk.at + i];
  return v;
}
