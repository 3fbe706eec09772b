// DNS domain names: labels and compression pointers (RFC 1035 sections 3.1 and 4.1.4), as Wireshark 4.0's
// get_dns_name (packet-dns.c) reads them: pointers may point anywhere in the message, a loop is detected by
// counting the bytes consumed (once the count reaches the message size the name "contains a pointer that loops"),
// an empty name is "<Root>", and a pointer or label running past the captured bytes is a bounds error (the
// field is then absent and the message malformed). Label types 01 and 10 (RFC 6891 section 5) are not decoded.

/** What checkName() and readName() found. */
export const NAME_OK = 0, NAME_LOOP = 1, NAME_CUT = 2, NAME_BAD_LABEL = 3;

/** Text Wireshark gives a name whose pointers loop. */
export const LOOP_TEXT = "<Name contains a pointer that loops>";
export const ROOT_TEXT = "<Root>";

/** Side results of the last readName()/checkName(); one instance, the pass is synchronous. */
export const nameInfo = { status: NAME_OK, labels: 0 };

/**
 * Offset just past the name written in place at b[p] (the bytes the record occupies: labels up to a zero octet or
 * a 2-byte pointer), or -1 when it runs past `end` or uses a reserved label type. Reads only b[p..end).
 */
export function nameEnd(b: Uint8Array, p: number, end: number): number {
  while (p < end) {
    const c = b[p];
    if (c === 0) return p + 1;
    if ((c & 0xc0) === 0xc0) return p + 2 <= end ? p + 2 : -1;
    if (c & 0xc0) return -1;
    p += 1 + c;
  }
  return -1;
}

/**
 * Follows the name at b[p] through its pointers (message at b[m..end)) without building it: NAME_OK, NAME_LOOP,
 * NAME_CUT or NAME_BAD_LABEL; sets nameInfo. Never throws, allocates nothing.
 */
export function checkName(b: Uint8Array, m: number, p: number, end: number): number {
  return walkName(b, m, p, end, false) === null ? nameInfo.status : nameInfo.status;
}

/**
 * The name at b[p] as tshark prints it ("www.example.com", "<Root>", or the loop text), or undefined when it is
 * cut short or uses a reserved label type (tshark then raises a bounds error). Sets nameInfo.
 */
export function readName(b: Uint8Array, m: number, p: number, end: number): string | undefined {
  const s = walkName(b, m, p, end, true);
  return nameInfo.status === NAME_OK || nameInfo.status === NAME_LOOP ? s ?? undefined : undefined;
}

function walkName(b: Uint8Array, m: number, p: number, end: number, build: boolean): string | null {
  const size = end - m;
  let processed = 0, labels = 0, out = "";
  nameInfo.labels = 0;
  for (;;) {
    if (p >= end) return fail(NAME_CUT);
    const c = b[p];
    if (c === 0) break;
    if ((c & 0xc0) === 0xc0) {
      if (p + 2 > end) return fail(NAME_CUT);
      const target = m + (((c & 0x3f) << 8) | b[p + 1]);
      processed += 2;
      if (processed >= size) {
        nameInfo.status = NAME_LOOP;
        nameInfo.labels = labels;
        return build ? LOOP_TEXT : null;
      }
      p = target;
      continue;
    }
    if (c & 0xc0) return fail(NAME_BAD_LABEL);
    if (p + 1 + c > end) return fail(NAME_CUT);
    if (build) {
      if (labels > 0) out += ".";
      for (let i = p + 1; i <= p + c; i++) out += String.fromCharCode(b[i]);
    }
    labels++;
    processed += 1 + c;
    p += 1 + c;
  }
  nameInfo.status = NAME_OK;
  nameInfo.labels = labels;
  if (!build) return null;
  return labels === 0 ? ROOT_TEXT : out;
}

function fail(status: number): null {
  nameInfo.status = status;
  return null;
}
