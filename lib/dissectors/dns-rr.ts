// Walking a DNS message record by record (RFC 1035 section 4.1): the 12-byte header, then the question entries
// (QNAME, QTYPE, QCLASS) and the answer, authority and additional resource records (NAME, TYPE, CLASS, TTL,
// RDLENGTH, RDATA), each section as long as its header count says. One cursor, reused: nothing is allocated.
// A record whose fixed part is cut short ends the walk (tshark raises a bounds error there); a record whose RDATA
// runs past the captured bytes is still visited with `cut` set, and is the last one.

import { u16, u32 } from "./bytes.js";
import { nameEnd } from "./dns-names.js";

// Byte offsets of the header (RFC 1035 section 4.1.1).
export const ID = 0;
export const FLAGS = 2;
export const QDCOUNT = 4;
export const ANCOUNT = 6;
export const NSCOUNT = 8;
export const ARCOUNT = 10;
export const DNS_HEADER_LEN = ARCOUNT + 2;

/** Bytes of the TCP length prefix (RFC 1035 section 4.2.2). */
export const TCP_PREFIX = 2;
/** A dns layer's aux bit: the message follows a TCP length prefix (the rest of aux is dns-state.ts's). */
export const AUX_TCP = 1;
/** Where the message starts in a dns layer at `o`. */
export const msgStart = (o: number, aux: number): number => (aux & AUX_TCP ? o + TCP_PREFIX : o);

/** Sections, in message order. */
export const SEC_QUESTION = 0, SEC_ANSWER = 1, SEC_AUTHORITY = 2, SEC_ADDITIONAL = 3;

/** The record the cursor is on. */
export class RecordCursor {
  /** Message start and captured end. */
  m = 0;
  end = 0;
  /** Where the next record starts; -1 once the walk is over. */
  private next = -1;
  private left = [0, 0, 0, 0];
  section = 0;
  /** The record's owner name (in place, possibly a pointer). */
  name = 0;
  type = 0;
  cls = 0;
  ttl = 0;
  rdlen = 0;
  /** RDATA offset. */
  rd = 0;
  /** RDATA runs past the captured bytes. */
  cut = false;
  /** Why the walk stopped early ("" when every counted record was read). */
  stop = "";

  /** Starts a walk over the message at b[m..end); false when the header is cut short. */
  begin(b: Uint8Array, m: number, end: number): boolean {
    this.m = m;
    this.end = end;
    this.stop = "";
    if (end - m < DNS_HEADER_LEN) {
      this.next = -1;
      this.stop = "header cut short";
      return false;
    }
    this.left[0] = u16(b, m + QDCOUNT);
    this.left[1] = u16(b, m + ANCOUNT);
    this.left[2] = u16(b, m + NSCOUNT);
    this.left[3] = u16(b, m + ARCOUNT);
    this.section = 0;
    this.cut = false;
    this.next = m + DNS_HEADER_LEN;
    return true;
  }

  /** Moves to the next record; false at the end of the message or where a record's fixed part is cut short. */
  step(b: Uint8Array): boolean {
    if (this.next < 0) return false;
    if (this.cut) return this.finish("resource record data cut short");
    while (this.section < 4 && this.left[this.section] === 0) this.section++;
    if (this.section === 4) return this.finish();
    this.left[this.section]--;
    const p = this.next, end = this.end;
    const ne = nameEnd(b, p, end);
    if (ne < 0) return this.finish("name cut short or with a reserved label type");
    this.name = p;
    if (this.section === SEC_QUESTION) {
      if (ne + 4 > end) return this.finish("question cut short");
      this.type = u16(b, ne);
      this.cls = u16(b, ne + 2);
      this.next = ne + 4;
      this.cut = false;
      return true;
    }
    if (ne + 10 > end) return this.finish("resource record cut short");
    this.type = u16(b, ne);
    this.cls = u16(b, ne + 2);
    this.ttl = u32(b, ne + 4);
    this.rdlen = u16(b, ne + 8);
    this.rd = ne + 10;
    this.cut = this.rd + this.rdlen > end;
    this.next = this.rd + this.rdlen;
    return true;
  }

  /** Ends the walk (with a reason when records were left unread). */
  private finish(reason = ""): boolean {
    this.next = -1;
    if (reason !== "" && this.stop === "") this.stop = reason;
    this.cut = false;
    return false;
  }
}

/** The cursor getters share (they run one at a time). */
export const cursor = new RecordCursor();
