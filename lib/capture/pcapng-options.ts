// pcapng option lists and the values they carry (pcapng spec section 3.5), plus NRB address text.

const utf8 = new TextDecoder("utf-8");

/** Option codes common to all blocks. */
export const OPT_ENDOFOPT = 0;
export const OPT_COMMENT = 1;

/**
 * Calls fn(code, at, len) for each option in dv[start, end); stops at opt_endofopt or the end.
 * Returns null, or a description of where the list is malformed (an option running past the block).
 */
export function eachOption(dv: DataView, start: number, end: number, le: boolean,
  fn: (code: number, at: number, len: number) => void): string | null {
  let i = start;
  while (end - i >= 4) {
    const code = dv.getUint16(i, le);
    const len = dv.getUint16(i + 2, le);
    if (code === OPT_ENDOFOPT) return null;
    if (len > end - i - 4) return `option ${code} of length ${len} runs past the end of the block`;
    fn(code, i + 4, len);
    i += 4 + ((len + 3) & ~3);
  }
  return null;
}

/** UTF-8 text of dv[at, at+len), without trailing NULs (some writers terminate strings). */
export function text(dv: DataView, at: number, len: number): string {
  // Wireshark treats option strings as C strings: the text ends at the first NUL (what follows it is not shown).
  let end = at;
  while (end < at + len && dv.getUint8(end) !== 0) end++;
  return utf8.decode(new Uint8Array(dv.buffer, dv.byteOffset + at, end - at));
}

/** The NUL-separated names following an address in an NRB record. */
export function names(dv: DataView, at: number, len: number): string[] {
  const out: string[] = [];
  let s = at;
  const end = at + len;
  for (let i = at; i <= end; i++) {
    if (i === end || dv.getUint8(i) === 0) {
      if (i > s) out.push(text(dv, s, i - s));
      s = i + 1;
    }
  }
  return out;
}

/** Dotted-quad text of an IPv4 address. */
export function ipv4Text(dv: DataView, at: number): string {
  return `${dv.getUint8(at)}.${dv.getUint8(at + 1)}.${dv.getUint8(at + 2)}.${dv.getUint8(at + 3)}`;
}

/** RFC 5952 text of an IPv6 address (lower case, longest run of two or more zero groups as "::"). */
export function ipv6Text(dv: DataView, at: number): string {
  const g: number[] = [];
  for (let k = 0; k < 8; k++) g.push(dv.getUint16(at + 2 * k, false));
  let best = -1, bestLen = 1;
  for (let k = 0; k < 8;) {
    if (g[k] !== 0) { k++; continue; }
    let e = k;
    while (e < 8 && g[e] === 0) e++;
    if (e - k > bestLen) { best = k; bestLen = e - k; }
    k = e;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(":");
  if (best < 0) return hex(g);
  return `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

/** Colon-separated hex text of a MAC (EUI-48) or EUI-64 address. */
export function euiText(dv: DataView, at: number, len: number): string {
  const out: string[] = [];
  for (let k = 0; k < len; k++) out.push(dv.getUint8(at + k).toString(16).padStart(2, "0"));
  return out.join(":");
}
