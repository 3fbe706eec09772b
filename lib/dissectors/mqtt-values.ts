// MQTT value-name tables (Wireshark 4.0 epan/dissectors/packet-mqtt.c value_strings), shared by mqtt.ts and
// mqtt-layout.ts. MQTT 3.1: IBM mqtt-v3r1; 3.1.1: OASIS mqtt-v3.1.1-os §2.2; 5.0: OASIS mqtt-v5.0-os §2.4 (reason
// codes), §2.2.2.2 (properties).

import type { ValueNames } from "./field.js";

// Control packet types (fixed header bits 7-4).
export const RESERVED = 0;
export const CONNECT = 1;
export const CONNACK = 2;
export const PUBLISH = 3;
export const PUBACK = 4;
export const PUBREC = 5;
export const PUBREL = 6;
export const PUBCOMP = 7;
export const SUBSCRIBE = 8;
export const SUBACK = 9;
export const UNSUBSCRIBE = 10;
export const UNSUBACK = 11;
export const PINGREQ = 12;
export const PINGRESP = 13;
export const DISCONNECT = 14;
export const AUTH = 15;

// Protocol levels (CONNECT's version byte).
export const V31 = 3;
export const V311 = 4;
export const V50 = 5;

export const MSG_TYPES: ValueNames = {
  0: "Reserved", 1: "Connect Command", 2: "Connect Ack", 3: "Publish Message", 4: "Publish Ack", 5: "Publish Received",
  6: "Publish Release", 7: "Publish Complete", 8: "Subscribe Request", 9: "Subscribe Ack", 10: "Unsubscribe Request",
  11: "Unsubscribe Ack", 12: "Ping Request", 13: "Ping Response", 14: "Disconnect Req", 15: "Authentication Exchange",
};

export const VERSIONS: ValueNames = { 3: "MQTT v3.1", 4: "MQTT v3.1.1", 5: "MQTT v5.0" };

export const QOS: ValueNames = {
  0: "At most once delivery (Fire and Forget)",
  1: "At least once delivery (Acknowledged deliver)",
  2: "Exactly once delivery (Assured Delivery)",
  3: "Reserved",
};

export const SUBACK_QOS: ValueNames = { ...QOS, 128: "Failure" };

export const CONNACK_RETURN: ValueNames = {
  0: "Connection Accepted",
  1: "Connection Refused: unacceptable protocol version",
  2: "Connection Refused: identifier rejected",
  3: "Connection Refused: server unavailable",
  4: "Connection Refused: bad user name or password",
  5: "Connection Refused: not authorized",
};

export const RETAIN_HANDLING: ValueNames = {
  0: "Send msgs at subscription time",
  1: "Send msgs if subscription does not exist",
  2: "Do not send msgs at subscription time",
  3: "Reserved",
};

// MQTT 5.0 reason codes (§2.4), by the packets that may carry them.
const RC: Record<number, string> = {
  0x00: "Success", 0x04: "Disconnect with Will Message", 0x10: "No matching subscribers",
  0x11: "No subscription existed", 0x18: "Continue authentication", 0x19: "Re-authenticate",
  0x80: "Unspecified error", 0x81: "Malformed Packet", 0x82: "Protocol Error", 0x83: "Implementation specific error",
  0x84: "Unsupported Protocol Version", 0x85: "Client Identifier not valid", 0x86: "Bad User Name or Password",
  0x87: "Not authorized", 0x88: "Server unavailable", 0x89: "Server busy", 0x8a: "Banned",
  0x8b: "Server shutting down", 0x8c: "Bad authentication method", 0x8d: "Keep Alive timeout",
  0x8e: "Session taken over", 0x8f: "Topic Filter invalid", 0x90: "Topic Name invalid",
  0x91: "Packet Identifier in use", 0x92: "Packet Identifier not found", 0x93: "Receive Maximum exceeded",
  0x94: "Topic Alias invalid", 0x95: "Packet too large", 0x96: "Message rate too high", 0x97: "Quota exceeded",
  0x98: "Administrative action", 0x99: "Payload format invalid", 0x9a: "Retain not supported",
  0x9b: "QoS not supported", 0x9c: "Use another server", 0x9d: "Server moved",
  0x9e: "Shared Subscription not supported", 0x9f: "Connection rate exceeded", 0xa0: "Maximum connect time",
  0xa1: "Subscription Identifiers not supported", 0xa2: "Wildcard Subscription not supported",
};

function pick(codes: number[], overrides: Record<number, string> = {}): ValueNames {
  const out: Record<number, string> = {};
  for (const c of codes) out[c] = overrides[c] ?? RC[c];
  return out;
}

export const RC_CONNACK = pick([0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8c, 0x90, 0x95,
  0x97, 0x9a, 0x9b, 0x9c, 0x9d, 0x9f]);
export const RC_PUBACK = pick([0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99]);
export const RC_PUBREL = pick([0x00, 0x92]);
export const RC_SUBACK = pick([0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2],
  { 0x00: "Granted QoS 0", 0x01: "Granted QoS 1", 0x02: "Granted QoS 2" });
export const RC_UNSUBACK = pick([0x00, 0x11, 0x83, 0x87, 0x8f, 0x91]);
export const RC_DISCONNECT = pick([0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f, 0x90,
  0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2],
{ 0x00: "Normal disconnection" });
export const RC_AUTH = pick([0x00, 0x18, 0x19]);

// MQTT 5.0 property identifiers (§2.2.2.2).
export const PROP_PAYLOAD_FORMAT_INDICATOR = 0x01;
export const PROP_PUBLICATION_EXPIRY_INTERVAL = 0x02;
export const PROP_CONTENT_TYPE = 0x03;
export const PROP_RESPONSE_TOPIC = 0x08;
export const PROP_CORRELATION_DATA = 0x09;
export const PROP_SUBSCRIPTION_IDENTIFIER = 0x0b;
export const PROP_SESSION_EXPIRY_INTERVAL = 0x11;
export const PROP_ASSIGNED_CLIENT_IDENTIFIER = 0x12;
export const PROP_SERVER_KEEP_ALIVE = 0x13;
export const PROP_AUTH_METHOD = 0x15;
export const PROP_AUTH_DATA = 0x16;
export const PROP_REQUEST_PROBLEM_INFORMATION = 0x17;
export const PROP_WILL_DELAY_INTERVAL = 0x18;
export const PROP_REQUEST_RESPONSE_INFORMATION = 0x19;
export const PROP_RESPONSE_INFORMATION = 0x1a;
export const PROP_SERVER_REFERENCE = 0x1c;
export const PROP_REASON_STRING = 0x1f;
export const PROP_RECEIVE_MAXIMUM = 0x21;
export const PROP_TOPIC_ALIAS_MAXIMUM = 0x22;
export const PROP_TOPIC_ALIAS = 0x23;
export const PROP_MAXIMUM_QOS = 0x24;
export const PROP_RETAIN_AVAILABLE = 0x25;
export const PROP_USER_PROPERTY = 0x26;
export const PROP_MAXIMUM_PACKET_SIZE = 0x27;
export const PROP_WILDCARD_SUBSCRIPTION_AVAILABLE = 0x28;
export const PROP_SUBSCRIPTION_IDENTIFIER_AVAILABLE = 0x29;
export const PROP_SHARED_SUBSCRIPTION_AVAILABLE = 0x2a;

export const PROPERTY_IDS: ValueNames = {
  0x01: "Payload Format Indicator", 0x02: "Publication Expiry Interval", 0x03: "Content Type",
  0x08: "Response Topic", 0x09: "Correlation Data", 0x0b: "Subscription Identifier", 0x11: "Session Expiry Interval",
  0x12: "Assigned Client Identifier", 0x13: "Server Keep Alive", 0x15: "Authentication Method",
  0x16: "Authentication Data", 0x17: "Request Problem Information", 0x18: "Will Delay Interval",
  0x19: "Request Response Information", 0x1a: "Response Information", 0x1c: "Server Reference",
  0x1f: "Reason String", 0x21: "Receive Maximum", 0x22: "Topic Alias Maximum", 0x23: "Topic Alias",
  0x24: "Maximum QoS", 0x25: "Retain Available", 0x26: "User Property", 0x27: "Maximum Packet Size",
  0x28: "Wildcard Subscription Available", 0x29: "Subscription Identifier Available",
  0x2a: "Shared Subscription Available",
};
