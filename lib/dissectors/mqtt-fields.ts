// The MQTT FIELDS table: Wireshark 4.0's hf_register_info of packet-mqtt.c, abbrev for abbrev and type for type
// (`tshark -G fields | grep -P '\tmqtt\.'`), each field present exactly when Wireshark 4.0 adds it to the tree.
// Every getter lays the packet out again (mqtt-layout.ts, a few dozen operations) and reads its element; nothing is
// allocated except the values returned (strings, byte copies).

import { copy, text, u16 } from "./bytes.js";
import { protocolField, type Emit, type FieldDef, type FieldValue, type Getter } from "./field.js";
import {
  AUX_ALIAS_RESOLVED, AUX_ALIAS_UNKNOWN, E_ACKFLAGS, E_CLIENTID, E_CLIENTID_LEN, E_CONFLAGS, E_KALIVE, E_LIST,
  E_MSGID, E_PASS, E_PASS_LEN, E_PAYLOAD, E_PROPS, E_PROTO_LEN, E_PROTO_NAME, E_RCODE, E_TOPIC, E_TOPIC_LEN, E_USER,
  E_USER_LEN, E_VER, E_WILL_PROPS, E_WILLMSG, E_WILLMSG_LEN, E_WILLTOPIC, E_WILLTOPIC_LEN, at, entry, entryNext,
  entryStart, fixedHeader, layout, msg, size, subackQos,
} from "./mqtt-layout.js";
import {
  type Block, K_ALIAS, K_CTYPE, K_MAXQOS, K_NUM, K_STR, K_UNKNOWN, K_USER, K_VARINT, PROPS, prop, propFirst, propNext,
  shownLength,
} from "./mqtt-properties.js";
import {
  AUTH, CONNACK, CONNACK_RETURN, CONNECT, DISCONNECT, MSG_TYPES, PROPERTY_IDS, PUBACK, PUBCOMP, PUBLISH, PUBREC,
  PUBREL, QOS, RC_AUTH, RC_CONNACK, RC_DISCONNECT, RC_PUBACK, RC_PUBREL, RC_SUBACK, RC_UNSUBACK, RETAIN_HANDLING,
  SUBACK, SUBACK_QOS, SUBSCRIBE, UNSUBACK, UNSUBSCRIBE, V31, V311, V50, VERSIONS,
} from "./mqtt-values.js";

// ---------------------------------------------------------------- getter builders (run once, at module load)

/**
 * A string field's value as Wireshark 4.0 shows it: UTF-8 with U+FFFD for each invalid byte, ending at the first NUL
 * (Wireshark's strings are C strings: tshark prints "to" for the topic "to\0icX").
 */
export function str(b: Uint8Array, p: number, n: number): string {
  const end = p + n;
  let k = p;
  while (k < end && b[k] !== 0) k++;
  return text(b, p, k - p);
}

/** A value computed from the fixed header's first byte when `when()` holds for the packet. */
function header(when: () => boolean, value: (h: number) => number): Getter {
  return (b, o, e, r, a) => (fixedHeader(b, o, e, r, a) && when() ? value(msg.hdr) : undefined);
}

/** The byte of element el, mapped by value(), for packets of the given type (-1: any) when cond() holds. */
function byteOf(el: number, type: number, value: (v: number) => number, cond: () => boolean = always): Getter {
  return (b, o, e, r, a) => {
    if (!layout(b, o, e, r, a) || at[el] < 0 || (type >= 0 && msg.type !== type) || !cond()) return undefined;
    return value(b[at[el]]);
  };
}

const always = (): boolean => true;
const same = (v: number): number => v;
const flag = (mask: number) => (v: number): number => ((v & mask) !== 0 ? 1 : 0);
const bits = (mask: number, shift: number) => (v: number): number => (v & mask) >> shift;

/** The big-endian 16-bit value of element el. */
function u16Of(el: number): Getter {
  return (b, o, e, r, a) => (layout(b, o, e, r, a) && at[el] >= 0 ? u16(b, at[el]) : undefined);
}

/** Element el decoded as UTF-8 (Wireshark's ENC_UTF_8: invalid sequences become U+FFFD). */
function textOf(el: number): Getter {
  return (b, o, e, r, a) => (layout(b, o, e, r, a) && at[el] >= 0 ? str(b, at[el], size[el]) : undefined);
}

/** Element el as bytes. */
function bytesOf(el: number): Getter {
  return (b, o, e, r, a) => (layout(b, o, e, r, a) && at[el] >= 0 ? copy(b, at[el], size[el]) : undefined);
}

/** Element el as text only where it is text: valid UTF-8 without control characters other than tab, CR, LF. */
function textFormOf(el: number): Getter {
  return (b, o, e, r, a) => (layout(b, o, e, r, a) && at[el] >= 0 && isText(b, at[el], size[el]) ? text(b, at[el], size[el]) : undefined);
}

/** True when b[p..p+n) is non-empty, valid UTF-8 (RFC 3629) and free of C0/DEL controls except \t \n \r. */
export function isText(b: Uint8Array, p: number, n: number): boolean {
  if (n === 0) return false;
  const end = p + n;
  while (p < end) {
    const c = b[p];
    if (c < 0x80) {
      if ((c < 0x20 && c !== 9 && c !== 10 && c !== 13) || c === 0x7f) return false;
      p++;
      continue;
    }
    const k = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (k < 0 || p + k >= end) return false;
    const c1 = b[p + 1];
    // Second-byte ranges that exclude overlongs, surrogates and code points above U+10FFFF.
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    if (c1 < lo || c1 > hi) return false;
    for (let i = 2; i <= k; i++) if ((b[p + i] & 0xc0) !== 0x80) return false;
    p += k + 1;
  }
  return true;
}

// ---------------------------------------------------------------- conditions on the packet last laid out

const isPublish = (): boolean => msg.type === PUBLISH;
/** MQTT 3.1 PUBREL, SUBSCRIBE and UNSUBSCRIBE show DUP and QoS flags (3.1 sent QoS 1 there). */
const v31Flags = (): boolean => msg.ver === V31 && (msg.type === PUBREL || msg.type === SUBSCRIBE || msg.type === UNSUBSCRIBE);
const v3x = (): boolean => msg.ver === V31 || msg.ver === V311;

// ---------------------------------------------------------------- lists (SUBSCRIBE, UNSUBSCRIBE, SUBACK, UNSUBACK)

const L_TOPIC_LEN = 0, L_TOPIC = 1, L_SUB_QOS = 2, L_OPTIONS = 3, L_SUBACK_QOS = 4, L_SUBACK_RC = 5, L_UNSUBACK_RC = 6,
  L_ILLEGAL = 7;

/** Emits, for each list entry of the packet, the part `what` (or a derived value of the options byte via opt). */
function eachEntry(b: Uint8Array, what: number, emit: Emit, opt?: (v: number) => number): void {
  if (at[E_LIST] < 0) return;
  entryStart(msg.type, msg.ver);
  const t = msg.type;
  while (entryNext()) {
    const e = entry;
    switch (what) {
      case L_TOPIC_LEN: if (e.lenOff >= 0) emit(u16(b, e.lenOff)); break;
      case L_TOPIC: if (e.topicOff >= 0) emit(str(b, e.topicOff, e.topicLen)); break;
      case L_ILLEGAL: if (e.lenOff >= 0 && u16(b, e.lenOff) === 0) emit(1); break;
      case L_SUB_QOS: if (t === SUBSCRIBE && msg.ver !== V50 && e.codeOff >= 0) emit(b[e.codeOff]); break;
      case L_OPTIONS: if (t === SUBSCRIBE && msg.ver === V50 && e.codeOff >= 0) emit(opt!(b[e.codeOff])); break;
      case L_SUBACK_QOS: if (t === SUBACK && subackQos(msg.ver) && e.codeOff >= 0) emit(b[e.codeOff]); break;
      case L_SUBACK_RC: if (t === SUBACK && !subackQos(msg.ver) && e.codeOff >= 0) emit(b[e.codeOff]); break;
      case L_UNSUBACK_RC: if (t === UNSUBACK && e.codeOff >= 0) emit(b[e.codeOff]); break;
    }
  }
}

function list(what: number, opt?: (v: number) => number): FieldDef["each"] {
  return (b, o, e, r, a, emit) => {
    if (layout(b, o, e, r, a)) eachEntry(b, what, emit, opt);
  };
}

// ---------------------------------------------------------------- topics and the expert items

/** mqtt.topic: the PUBLISH topic, each SUBSCRIBE/UNSUBSCRIBE topic, and the topic a Topic Alias stands for. */
function eachTopic(b: Uint8Array, o: number, e: number, r: number, a: number, emit: Emit): void {
  if (!layout(b, o, e, r, a)) return;
  if (msg.type === PUBLISH) {
    if (at[E_TOPIC] >= 0) emit(str(b, at[E_TOPIC], size[E_TOPIC]));
    else if (a & AUX_ALIAS_RESOLVED) emit(str(b, e - msg.trailer, msg.trailer));
    else if (a & AUX_ALIAS_UNKNOWN) emit("");
  } else eachEntry(b, L_TOPIC, emit);
}

function eachTopicLen(b: Uint8Array, o: number, e: number, r: number, a: number, emit: Emit): void {
  if (!layout(b, o, e, r, a)) return;
  if (msg.type === PUBLISH) {
    if (at[E_TOPIC_LEN] >= 0) emit(u16(b, at[E_TOPIC_LEN]));
  } else eachEntry(b, L_TOPIC_LEN, emit);
}

/** Wireshark's "Length cannot be 0" expert item: empty will topic, PUBLISH topic without alias, empty filter. */
function eachIllegalLength(b: Uint8Array, o: number, e: number, r: number, a: number, emit: Emit): void {
  if (!layout(b, o, e, r, a)) return;
  if (msg.type === CONNECT) {
    if (at[E_WILLTOPIC_LEN] >= 0 && u16(b, at[E_WILLTOPIC_LEN]) === 0) emit(1);
  } else if (msg.type === PUBLISH) {
    if (msg.topicChecked && u16(b, at[E_TOPIC_LEN]) === 0 && msg.alias === 0) emit(1);
  } else if (msg.type === SUBSCRIBE || msg.type === UNSUBSCRIBE) eachEntry(b, L_ILLEGAL, emit);
}

// ---------------------------------------------------------------- properties

const P_LEN = 0, P_ID = 1, P_NUMBER = 2, P_CTYPE = 3, P_MAXQOS = 4, P_ALIAS = 5, P_UNKNOWN = 6, P_STR_LEN = 7,
  P_STR = 8, P_KEY_LEN = 9, P_KEY = 10, P_VALUE_LEN = 11, P_VALUE = 12;

function eachBlock(b: Uint8Array, blk: Block, what: number, emit: Emit): void {
  if (what === P_LEN) {
    emit(shownLength(b, blk));
    return;
  }
  propFirst(blk, msg.cap);
  while (propNext(b)) {
    const p = prop, k = p.kind, full = p.parts === p.full;
    switch (what) {
      case P_ID: emit(p.id); break;
      case P_NUMBER: if ((k === K_NUM || k === K_VARINT) && full) emit(p.num); break;
      case P_MAXQOS: if (k === K_MAXQOS && full) emit(p.num); break;
      case P_ALIAS: if (k === K_ALIAS && full) emit(p.num); break;
      case P_CTYPE: if (k === K_CTYPE && full) emit(str(b, p.a, p.an)); break;
      case P_UNKNOWN: if (k === K_UNKNOWN && full) emit(str(b, p.a, p.an)); break;
      case P_STR_LEN: if (k === K_STR && p.lenA >= 0) emit(u16(b, p.lenA)); break;
      case P_STR: if (k === K_STR && p.a >= 0) emit(str(b, p.a, p.an)); break;
      case P_KEY_LEN: if (k === K_USER && p.lenA >= 0) emit(u16(b, p.lenA)); break;
      case P_KEY: if (k === K_USER && p.a >= 0) emit(str(b, p.a, p.an)); break;
      case P_VALUE_LEN: if (k === K_USER && p.lenC >= 0) emit(u16(b, p.lenC)); break;
      case P_VALUE: if (k === K_USER && p.c >= 0) emit(str(b, p.c, p.cn)); break;
    }
  }
}

/** Emits `what` of every property of the packet's property block, then of its Will property block. */
function properties(what: number): FieldDef["each"] {
  return (b, o, e, r, a, emit) => {
    if (!layout(b, o, e, r, a)) return;
    if (at[E_PROPS] >= 0) eachBlock(b, PROPS.main, what, emit);
    if (at[E_WILL_PROPS] >= 0) eachBlock(b, PROPS.will, what, emit);
  };
}

const present = (el: number): Getter => (b, o, e, r, a): FieldValue => (layout(b, o, e, r, a) && at[el] >= 0 ? 1 : undefined);

// ---------------------------------------------------------------- the table

const reason = (abbrev: string, type: number, values: Record<number, string>, what: string): FieldDef => ({
  abbrev, name: "Reason Code", type: "uint8", values, description: `MQTT 5 reason code of a ${what}`,
  get: byteOf(E_RCODE, type, same),
});

export const FIELDS: readonly FieldDef[] = [
  protocolField("mqtt", "MQ Telemetry Transport Protocol", "MQTT control packet (3.1, 3.1.1, 5.0)"),
  // Fixed header (§2.2)
  { abbrev: "mqtt.len", name: "Msg Len", type: "uint64", description: "Remaining Length: bytes after the fixed header", get: (b, o, e, r, a) => (fixedHeader(b, o, e, r, a) && msg.lenBytes > 0 ? msg.remLen : undefined) },
  { abbrev: "mqtt.hdrflags", name: "Header Flags", type: "uint8", base: "hex", description: "First byte of the fixed header: type and flags", get: header(always, same) },
  { abbrev: "mqtt.msgtype", name: "Message Type", type: "uint8", mask: 0xf0, values: MSG_TYPES, description: "Control packet type", get: header(always, bits(0xf0, 4)) },
  { abbrev: "mqtt.hdr_reserved", name: "Reserved", type: "uint8", mask: 0x0f, description: "Fixed Header Reserved Field (packets other than PUBLISH)", get: header(() => !isPublish() && !v31Flags(), bits(0x0f, 0)) },
  { abbrev: "mqtt.retain_reserved", name: "Reserved", type: "uint8", mask: 0x01, description: "Fixed Header Reserved Field (MQTT 3.1 PUBREL, SUBSCRIBE, UNSUBSCRIBE)", get: header(v31Flags, bits(0x01, 0)) },
  { abbrev: "mqtt.dupflag", name: "DUP Flag", type: "bool", mask: 0x08, description: "Re-delivery of an earlier PUBLISH", get: header(() => isPublish() || v31Flags(), flag(0x08)) },
  { abbrev: "mqtt.qos", name: "QoS Level", type: "uint8", mask: 0x06, values: QOS, description: "Quality of service of the PUBLISH", get: header(() => isPublish() || v31Flags(), bits(0x06, 1)) },
  { abbrev: "mqtt.retain", name: "Retain", type: "bool", mask: 0x01, description: "The server keeps the message for future subscribers", get: header(isPublish, flag(0x01)) },
  // CONNACK (§3.2)
  { abbrev: "mqtt.conack.flags.reserved", name: "Reserved", type: "bool", mask: 0xfe, description: "Reserved bits of the acknowledge flags (the whole byte in MQTT 3.1)", get: byteOf(E_ACKFLAGS, CONNACK, (v) => (msg.ver === V31 ? (v !== 0 ? 1 : 0) : flag(0xfe)(v))) },
  { abbrev: "mqtt.conack.flags", name: "Acknowledge Flags", type: "uint8", base: "hex", description: "CONNACK acknowledge flags (3.1.1, 5.0)", get: byteOf(E_ACKFLAGS, CONNACK, same, () => msg.ver !== V31) },
  { abbrev: "mqtt.conack.flags.sp", name: "Session Present", type: "bool", mask: 0x01, description: "Session Present (version 3.1.1)", get: byteOf(E_ACKFLAGS, CONNACK, flag(0x01), () => msg.ver !== V31) },
  { abbrev: "mqtt.conack.val", name: "Return Code", type: "uint8", values: CONNACK_RETURN, description: "CONNACK return code (3.1, 3.1.1)", get: byteOf(E_RCODE, CONNACK, same, v3x) },
  // Packet identifier and the entry lists
  { abbrev: "mqtt.msgid", name: "Message Identifier", type: "uint16", description: "Packet identifier", get: u16Of(E_MSGID) },
  { abbrev: "mqtt.sub.qos", name: "Requested QoS", type: "uint8", values: QOS, description: "Requested QoS byte of a SUBSCRIBE topic (3.1, 3.1.1)", each: list(L_SUB_QOS) },
  { abbrev: "mqtt.suback.qos", name: "Granted QoS", type: "uint8", values: SUBACK_QOS, description: "Granted QoS of a SUBACK entry (3.1, 3.1.1)", each: list(L_SUBACK_QOS) },
  { abbrev: "mqtt.topic_len", name: "Topic Length", type: "uint16", description: "Length of a topic name or filter", each: eachTopicLen },
  { abbrev: "mqtt.topic", name: "Topic", type: "string", description: "Topic name (PUBLISH, also the topic its Topic Alias stands for) or filter (SUBSCRIBE, UNSUBSCRIBE)", each: eachTopic },
  // CONNECT payload (§3.1.3)
  { abbrev: "mqtt.willtopic_len", name: "Will Topic Length", type: "uint16", description: "Length of the Will topic", get: u16Of(E_WILLTOPIC_LEN) },
  { abbrev: "mqtt.willtopic", name: "Will Topic", type: "string", description: "Topic of the Will message", get: textOf(E_WILLTOPIC) },
  { abbrev: "mqtt.willmsg", name: "Will Message", type: "bytes", emptyText: "<MISSING>", description: "Will message payload", get: bytesOf(E_WILLMSG) },
  { abbrev: "mqtt.willmsg_text", name: "Will Message", type: "string", description: "Will message payload as text, where it is text (valid UTF-8, no control characters)", get: textFormOf(E_WILLMSG) },
  { abbrev: "mqtt.willmsg_len", name: "Will Message Length", type: "uint16", description: "Length of the Will message", get: u16Of(E_WILLMSG_LEN) },
  { abbrev: "mqtt.username_len", name: "User Name Length", type: "uint16", description: "Length of the user name", get: u16Of(E_USER_LEN) },
  { abbrev: "mqtt.username", name: "User Name", type: "string", description: "User name", get: textOf(E_USER) },
  { abbrev: "mqtt.passwd_len", name: "Password Length", type: "uint16", description: "Length of the password", get: u16Of(E_PASS_LEN) },
  { abbrev: "mqtt.passwd", name: "Password", type: "string", description: "Password (binary data, shown as UTF-8)", get: textOf(E_PASS) },
  // PUBLISH payload (§3.3.3)
  { abbrev: "mqtt.msg", name: "Message", type: "bytes", emptyText: "<MISSING>", description: "Application message (PUBLISH payload)", get: bytesOf(E_PAYLOAD) },
  { abbrev: "mqtt.msg_text", name: "Message", type: "string", description: "Application message as text, where it is text (valid UTF-8, no control characters)", get: textFormOf(E_PAYLOAD) },
  { abbrev: "mqtt.msg_decoded_as", name: "Message decoded as", type: "string", description: "Dissector a user's topic rule handed the message to (never set: no such rules here)", get: () => undefined },
  // CONNECT variable header (§3.1.2)
  { abbrev: "mqtt.proto_len", name: "Protocol Name Length", type: "uint16", description: "Length of the protocol name", get: u16Of(E_PROTO_LEN) },
  { abbrev: "mqtt.protoname", name: "Protocol Name", type: "string", description: "Protocol name: MQTT, or MQIsdp for 3.1", get: textOf(E_PROTO_NAME) },
  { abbrev: "mqtt.clientid_len", name: "Client ID Length", type: "uint16", description: "Length of the client identifier", get: u16Of(E_CLIENTID_LEN) },
  { abbrev: "mqtt.clientid", name: "Client ID", type: "string", description: "Client identifier", get: textOf(E_CLIENTID) },
  { abbrev: "mqtt.ver", name: "Version", type: "uint8", values: VERSIONS, description: "MQTT version", get: byteOf(E_VER, CONNECT, same) },
  { abbrev: "mqtt.conflags", name: "Connect Flags", type: "uint8", base: "hex", description: "CONNECT flags byte", get: byteOf(E_CONFLAGS, CONNECT, same) },
  { abbrev: "mqtt.conflag.uname", name: "User Name Flag", type: "bool", mask: 0x80, description: "A user name follows", get: byteOf(E_CONFLAGS, CONNECT, flag(0x80)) },
  { abbrev: "mqtt.conflag.passwd", name: "Password Flag", type: "bool", mask: 0x40, description: "A password follows", get: byteOf(E_CONFLAGS, CONNECT, flag(0x40)) },
  { abbrev: "mqtt.conflag.retain", name: "Will Retain", type: "bool", mask: 0x20, description: "The Will message is retained", get: byteOf(E_CONFLAGS, CONNECT, flag(0x20)) },
  { abbrev: "mqtt.conflag.qos", name: "QoS Level", type: "uint8", mask: 0x18, values: QOS, description: "QoS of the Will message", get: byteOf(E_CONFLAGS, CONNECT, bits(0x18, 3)) },
  { abbrev: "mqtt.conflag.willflag", name: "Will Flag", type: "bool", mask: 0x04, description: "A Will message is given", get: byteOf(E_CONFLAGS, CONNECT, flag(0x04)) },
  { abbrev: "mqtt.conflag.cleansess", name: "Clean Session Flag", type: "bool", mask: 0x02, description: "Clean session (3.x) / clean start (5.0)", get: byteOf(E_CONFLAGS, CONNECT, flag(0x02)) },
  { abbrev: "mqtt.conflag.reserved", name: "(Reserved)", type: "bool", mask: 0x01, description: "Reserved flag (must be 0)", get: byteOf(E_CONFLAGS, CONNECT, flag(0x01)) },
  { abbrev: "mqtt.kalive", name: "Keep Alive", type: "uint16", description: "Keep-alive interval in seconds", get: u16Of(E_KALIVE) },
  // MQTT 5 SUBSCRIBE options (§3.8.3.1)
  { abbrev: "mqtt.subscription_options", name: "Subscription Options", type: "uint8", base: "hex", description: "Subscription options byte (5.0)", each: list(L_OPTIONS, same) },
  { abbrev: "mqtt.subscription_options_qos", name: "QoS", type: "uint8", mask: 0x03, values: QOS, description: "Maximum QoS of the subscription", each: list(L_OPTIONS, bits(0x03, 0)) },
  { abbrev: "mqtt.subscription_options_nl", name: "No Local", type: "bool", mask: 0x04, description: "Do not receive own publications", each: list(L_OPTIONS, flag(0x04)) },
  { abbrev: "mqtt.subscription_options_rap", name: "Retain As Published", type: "bool", mask: 0x08, description: "Keep the RETAIN flag as published", each: list(L_OPTIONS, flag(0x08)) },
  { abbrev: "mqtt.subscription_options_retain", name: "Retain Handling", type: "uint8", mask: 0x30, values: RETAIN_HANDLING, description: "When retained messages are sent", each: list(L_OPTIONS, bits(0x30, 4)) },
  { abbrev: "mqtt.subscription_options_reserved", name: "Reserved", type: "uint8", base: "hex", mask: 0xc0, description: "Reserved bits of the options", each: list(L_OPTIONS, bits(0xc0, 6)) },
  // MQTT 5 reason codes (§2.4)
  { abbrev: "mqtt.connack.reason_code", name: "Reason Code", type: "uint8", values: RC_CONNACK, description: "MQTT Reason Code", get: byteOf(E_RCODE, CONNACK, same, () => !v3x()) },
  reason("mqtt.puback.reason_code", PUBACK, RC_PUBACK, "PUBACK"),
  reason("mqtt.pubrec.reason_code", PUBREC, RC_PUBACK, "PUBREC"),
  reason("mqtt.pubrel.reason_code", PUBREL, RC_PUBREL, "PUBREL"),
  reason("mqtt.pubcomp.reason_code", PUBCOMP, RC_PUBREL, "PUBCOMP"),
  { abbrev: "mqtt.suback.reason_code", name: "Reason Code", type: "uint8", values: RC_SUBACK, description: "MQTT Reason Code of a SUBACK entry", each: list(L_SUBACK_RC) },
  { abbrev: "mqtt.unsuback.reason_code", name: "Reason Code", type: "uint8", values: RC_UNSUBACK, description: "MQTT Reason Code of an UNSUBACK entry", each: list(L_UNSUBACK_RC) },
  reason("mqtt.disconnect.reason_code", DISCONNECT, RC_DISCONNECT, "DISCONNECT"),
  reason("mqtt.auth.reason_code", AUTH, RC_AUTH, "AUTH"),
  // MQTT 5 properties (§2.2.2)
  { abbrev: "mqtt.properties", name: "Properties", type: "none", description: "The packet has a property block", get: present(E_PROPS) },
  { abbrev: "mqtt.will_properties", name: "Will Properties", type: "none", description: "The CONNECT has a Will property block", get: present(E_WILL_PROPS) },
  { abbrev: "mqtt.property_len", name: "Total Length", type: "uint64", description: "Property block length, as Wireshark 4.0 shows it (the Variable Byte Integer's bytes read big-endian)", each: properties(P_LEN) },
  { abbrev: "mqtt.property_id", name: "ID", type: "uint8", base: "hex", values: PROPERTY_IDS, description: "Property Id", each: properties(P_ID) },
  { abbrev: "mqtt.prop_number", name: "Value", type: "uint32", description: "Value of an integer property", each: properties(P_NUMBER) },
  { abbrev: "mqtt.property.content_type", name: "Content Type", type: "string", description: "Content Type property", each: properties(P_CTYPE) },
  { abbrev: "mqtt.property.max_qos", name: "QoS", type: "uint8", values: QOS, description: "Maximum QoS property", each: properties(P_MAXQOS) },
  { abbrev: "mqtt.property.topic_alias", name: "Topic Alias", type: "uint16", description: "Topic Alias property", each: properties(P_ALIAS) },
  { abbrev: "mqtt.prop_unknown", name: "Unknown Property", type: "string", description: "Rest of a property block after an unknown property id", each: properties(P_UNKNOWN) },
  { abbrev: "mqtt.prop_string_len", name: "Length", type: "uint32", description: "Length of a string or binary property", each: properties(P_STR_LEN) },
  { abbrev: "mqtt.prop_string", name: "Value", type: "string", description: "Value of a string or binary property (binary shown as UTF-8)", each: properties(P_STR) },
  { abbrev: "mqtt.prop_key_len", name: "Key Length", type: "uint32", description: "Length of a User Property name", each: properties(P_KEY_LEN) },
  { abbrev: "mqtt.prop_key", name: "Key", type: "string", description: "User Property name", each: properties(P_KEY) },
  { abbrev: "mqtt.prop_value_len", name: "Value Length", type: "uint32", description: "Length of a User Property value", each: properties(P_VALUE_LEN) },
  { abbrev: "mqtt.prop_value", name: "Value", type: "string", description: "User Property value", each: properties(P_VALUE) },
  // Expert items (present = 1)
  { abbrev: "mqtt.illegal_topic_length", name: "Length cannot be 0", type: "none", description: "A topic length is 0 where a topic is required", each: eachIllegalLength },
  { abbrev: "mqtt.unknown_version", name: "Unknown version (missing the CONNECT packet?)", type: "none", description: "The connection's CONNECT was not seen, so its MQTT version is unknown", get: header(() => msg.type !== CONNECT && msg.ver === 0, () => 1) },
  { abbrev: "mqtt.unknown_topic_alias", name: "Unknown topic alias", type: "none", description: "A PUBLISH uses a Topic Alias never defined in its connection", get: (b, o, e, r, a) => (layout(b, o, e, r, a) && (a & AUX_ALIAS_UNKNOWN) !== 0 ? 1 : undefined) },
];
