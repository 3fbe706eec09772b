// CoAP value-name tables and option registry (RFC 7252 section 12; RFC 7641 Observe; RFC 7959 Block1/Block2,
// Size2; RFC 8613 OSCORE; RFC 8768 Hop-Limit; RFC 8132 methods), as Wireshark 4.0's packet-coap.c names them.

import type { ValueNames } from "./field.js";

/** Message types (RFC 7252 section 3), long names as the coap.type value string. */
export const COAP_TYPES: ValueNames = { 0: "Confirmable", 1: "Non-Confirmable", 2: "Acknowledgement", 3: "Reset" };
/** Short names as tshark's Info column prints them. */
export const COAP_TYPES_SHORT = ["CON", "NON", "ACK", "RST"] as const;

/** Codes, "c.dd" being (c << 5) | dd (RFC 7252 section 12.1). */
export const COAP_CODES: ValueNames = {
  0: "Empty Message", 1: "GET", 2: "POST", 3: "PUT", 4: "DELETE", 5: "FETCH", 6: "PATCH", 7: "iPATCH",
  65: "2.01 Created", 66: "2.02 Deleted", 67: "2.03 Valid", 68: "2.04 Changed", 69: "2.05 Content", 95: "2.31 Continue",
  128: "4.00 Bad Request", 129: "4.01 Unauthorized", 130: "4.02 Bad Option", 131: "4.03 Forbidden", 132: "4.04 Not Found",
  133: "4.05 Method Not Allowed", 134: "4.06 Not Acceptable", 136: "4.08 Request Entity Incomplete", 137: "4.09 Conflict",
  140: "4.12 Precondition Failed", 141: "4.13 Request Entity Too Large", 143: "4.15 Unsupported Content-Format",
  150: "4.22 Unprocessable Entity", 157: "4.29 Too Many Requests",
  160: "5.00 Internal Server Error", 161: "5.01 Not Implemented", 162: "5.02 Bad Gateway", 163: "5.03 Service Unavailable",
  164: "5.04 Gateway Timeout", 165: "5.05 Proxying Not Supported", 168: "5.08 Hop Limit Reached",
  225: "7.01 CSM", 226: "7.02 Ping", 227: "7.03 Pong", 228: "7.04 Release", 229: "7.05 Abort",
};

// Option numbers (RFC 7252 section 12.2 and the RFCs above).
export const OPT_IF_MATCH = 1, OPT_URI_HOST = 3, OPT_ETAG = 4, OPT_IF_NONE_MATCH = 5, OPT_OBSERVE = 6, OPT_URI_PORT = 7;
export const OPT_LOCATION_PATH = 8, OPT_OSCORE = 9, OPT_URI_PATH = 11, OPT_CONTENT_FORMAT = 12, OPT_MAX_AGE = 14;
export const OPT_URI_QUERY = 15, OPT_HOP_LIMIT = 16, OPT_ACCEPT = 17, OPT_LOCATION_QUERY = 20, OPT_BLOCK2 = 23;
export const OPT_BLOCK1 = 27, OPT_SIZE2 = 28, OPT_PROXY_URI = 35, OPT_PROXY_SCHEME = 39, OPT_SIZE1 = 60;

/** Option names (packet-coap.c vals_opt_type). */
export const COAP_OPTIONS: ValueNames = {
  1: "If-Match", 3: "Uri-Host", 4: "Etag", 5: "If-None-Match", 6: "Observe", 7: "Uri-Port", 8: "Location-Path",
  9: "OSCORE", 11: "Uri-Path", 12: "Content-Format", 14: "Max-age", 15: "Uri-Query", 16: "Hop-Limit", 17: "Accept",
  20: "Location-Query", 23: "Block2", 27: "Block1", 28: "Size2", 35: "Proxy-Uri", 39: "Proxy-Scheme", 60: "Size1",
};

/** Allowed value lengths [min, max] per option (packet-coap.c coi[]); outside them tshark adds invalid_option_range. */
export const OPTION_RANGES: Readonly<Record<number, readonly [number, number]>> = {
  1: [0, 8], 3: [1, 255], 4: [1, 8], 5: [0, 0], 7: [0, 2], 8: [0, 255], 9: [0, 255], 11: [0, 255], 12: [0, 2],
  14: [0, 4], 15: [1, 255], 16: [1, 1], 17: [0, 2], 20: [0, 255], 35: [1, 1034], 39: [1, 255], 60: [0, 4],
  6: [0, 3], 23: [0, 3], 27: [0, 3], 28: [0, 4],
};

/** Content-Format names (IANA CoAP Content-Formats, packet-coap.c vals_ctype). */
export const CONTENT_FORMATS: ValueNames = {
  0: "text/plain; charset=utf-8", 40: "application/link-format", 41: "application/xml", 42: "application/octet-stream",
  47: "application/exi", 50: "application/json", 51: "application/json-patch+json", 52: "application/merge-patch+json",
  60: "application/cbor", 61: "application/cwt", 62: "application/multipart-core",
  96: "application/cose; cose-type=\"cose-encrypt\"", 97: "application/cose; cose-type=\"cose-mac\"",
  98: "application/cose; cose-type=\"cose-sign\"", 101: "application/cose-key", 102: "application/cose-key-set",
  110: "application/senml+json", 111: "application/sensml+json", 112: "application/senml+cbor",
  113: "application/sensml+cbor", 114: "application/senml-exi", 115: "application/sensml-exi",
  256: "application/coap-group+json", 271: "application/dots+cbor", 272: "application/missing-blocks+cbor-seq",
  280: "application/pkcs7-mime; smime-type=server-generated-key", 281: "application/pkcs7-mime; smime-type=certs-only",
  284: "application/pkcs8", 285: "application/csrattrs", 286: "application/pkcs10", 287: "application/pkix-cert",
  310: "application/senml+xml", 311: "application/sensml+xml", 320: "application/senml-etch+json",
  322: "application/senml-etch+cbor", 432: "application/td+json", 1542: "application/vnd.oma.lwm2m+tlv",
  1543: "application/vnd.oma.lwm2m+json", 10000: "application/vnd.ocf+cbor", 10001: "application/oscore",
  11542: "application/vnd.oma.lwm2m+tlv", 11543: "application/vnd.oma.lwm2m+json",
};

/** Content-Format name as tshark prints it: the IANA name, or "Unknown Type N". */
export const contentFormatName = (v: number): string => CONTENT_FORMATS[v] ?? `Unknown Type ${v >>> 0}`;

/** Option name as in coap.opt.name: known name, "No-Op" for unknown multiples of 14, else "Unknown Option (N)". */
export const optionName = (n: number): string => COAP_OPTIONS[n] ?? (n % 14 === 0 ? "No-Op" : `Unknown Option (${n})`);
