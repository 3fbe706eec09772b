// DNS value-name tables (Wireshark epan/dissectors/packet-dns.c: dns_types_vals, dns_classes, opcode_vals,
// rcode_vals; IANA "Domain Name System (DNS) Parameters", https://www.iana.org/assignments/dns-parameters).

import type { ValueNames } from "./field.js";

/** RR TYPE codes (RFC 1035 section 3.2.2 and later RFCs), named exactly as Wireshark 4.0 names them (`tshark -G values`),
 * so a filter by name (`dns.qry.type == "AAAA (IPv6 Address)"`) means what it means in tshark. */
export const DNS_TYPES: ValueNames = {
  0: "Unused", 1: "A (Host Address)", 2: "NS (authoritative Name Server)", 3: "MD (Mail Destination)",
  4: "MF (Mail Forwarder)", 5: "CNAME (Canonical NAME for an alias)", 6: "SOA (Start Of a zone of Authority)",
  7: "MB (MailBox domain name)", 8: "MG (Mail Group member)", 9: "MR (Mail Rename domain)", 10: "NULL RR",
  11: "WKS (Well Known Service)", 12: "PTR (domain name PoinTeR)", 13: "HINFO (host information)",
  14: "MINFO (Mailbox or mail list information)", 15: "MX (Mail eXchange)", 16: "TXT (Text strings)",
  17: "RP (Responsible Person)", 18: "AFSDB (AFS Data Base location)", 19: "X25 (XX.25 PSDN address)",
  20: "ISDN (ISDN address)", 21: "RT (Route Through)", 22: "NSAP (NSAP address)",
  23: "NSAP-PTR (NSAP domain name pointer)", 24: "SIG (security signature)", 25: "KEY (security key)",
  26: "PX (X.400 mail mapping information)", 27: "GPOS (Geographical Position)", 28: "AAAA (IPv6 Address)",
  29: "LOC (Location Information)", 30: "NXT (Next Domain)", 31: "EID (Endpoint Identifier)",
  32: "NIMLOC (Nimrod Locator)", 33: "SRV (Server Selection)", 34: "ATMA (ATM Address)",
  35: "NAPTR (Naming Authority Pointer)", 36: "KX (Key Exchanger)", 37: "CERT", 38: "A6 (OBSOLETE - use AAAA)",
  39: "DNAME", 40: "SINK", 41: "OPT", 42: "APL", 43: "DS (Delegation Signer)", 44: "SSHFP (SSH Key Fingerprint)",
  45: "IPSECKEY", 46: "RRSIG (Resource Record Signature)", 47: "NSEC (Next Secure)", 48: "DNSKEY (DNS Public Key)",
  49: "DHCID", 50: "NSEC3", 51: "NSEC3PARAM", 52: "TLSA", 55: "HIP (Host Identity Protocol)", 57: "RKEY",
  58: "TALINK (Trust Anchor LINK)", 59: "CDS (Child DS)", 60: "CDNSKEY (DNSKEY(s) the Child wants reflected in DS)",
  61: "OPENPGPKEY (OpenPGP Key)", 62: "CSYNC (Child-to-Parent Synchronization)", 63: "ZONEMD",
  64: "SVCB (General Purpose Service Endpoints)", 65: "HTTPS (HTTPS Specific Service Endpoints)", 99: "SPF",
  100: "UINFO", 101: "UID", 102: "GID", 103: "UNSPEC", 104: "NID (NodeID)", 105: "L32 (Locator32)",
  106: "L64 (Locator64)", 107: "LP (Locator FQDN)", 108: "EUI48", 109: "EUI64", 249: "TKEY (Transaction Key)",
  250: "TSIG (Transaction Signature)", 251: "IXFR (incremental transfer)", 252: "AXFR (transfer of an entire zone)",
  253: "MAILB (mailbox-related RRs)", 254: "MAILA (mail agent RRs)",
  255: "* (A request for all records the server/cache has available)", 256: "URI",
  257: "CAA (Certification Authority Restriction)", 32768: "TA (DNSSEC Trust Authorities)",
  32769: "DLV (DNSSEC Lookaside Validation)", 65281: "WINS", 65282: "WINS-R", 65422: "XPF",
};

/** CLASS codes (RFC 1035 section 3.2.4, RFC 2136 section 1.3 for NONE). */
export const DNS_CLASSES: ValueNames = {
  1: "IN", 2: "CS", 3: "CH", 4: "HS", 254: "NONE", 255: "ANY",
};

/** OPCODE (RFC 1035 section 4.1.1, RFC 1996 Notify, RFC 2136 Update, RFC 8490 DSO). */
export const DNS_OPCODES: ValueNames = {
  0: "Standard query", 1: "Inverse query", 2: "Server status request", 4: "Zone change notification",
  5: "Dynamic update", 6: "DNS Stateful operations (DSO)",
};
export const OPCODE_UPDATE = 5;

/** RCODE (RFC 1035 section 4.1.1, RFC 2136 section 2.2). */
export const DNS_RCODES: ValueNames = {
  0: "No error", 1: "Format error", 2: "Server failure", 3: "No such name", 4: "Not implemented", 5: "Refused",
  6: "Name exists", 7: "RRset exists", 8: "RRset does not exist", 9: "Not authoritative", 10: "Name out of zone",
  11: "DSO-Type not implemented", 16: "Bad OPT Version or TSIG Signature Failure", 17: "Key not recognized",
  18: "Signature out of time window", 19: "Bad TKEY Mode", 20: "Duplicate key name", 21: "Algorithm not supported",
  22: "Bad Truncation", 23: "Bad/missing Server Cookie",
};

/** EDNS(0) option codes (RFC 6891 section 6.1.2 and the IANA registry). */
export const EDNS0_OPTIONS: ValueNames = {
  0: "Reserved", 1: "LLQ - Long-lived query", 2: "UL - Update lease", 3: "NSID - Name Server Identifier",
  4: "Owner (reserved)", 5: "DAU - DNSSEC Algorithm Understood (RFC6975)", 6: "DHU - DS Hash Understood (RFC6975)",
  7: "N3U - NSEC3 Hash Understood (RFC6975)", 8: "CSUBNET - Client subnet", 9: "EDNS EXPIRE (RFC7314)", 10: "COOKIE",
  11: "EDNS TCP Keepalive", 12: "PADDING", 13: "CHAIN", 15: "Extended DNS Error",
  20730: "Experimental - CSUBNET - Client subnet",
};

// Type codes the RR getters decode.
export const T_A = 1, T_NS = 2, T_CNAME = 5, T_SOA = 6, T_PTR = 12, T_MX = 15, T_TXT = 16, T_AAAA = 28, T_SRV = 33;
export const T_OPT = 41, T_DNAME = 39;
