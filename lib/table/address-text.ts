// Address and byte formatting as Wireshark shows it (tshark -T fields prints the same text).

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** 192.168.0.1 from its 32-bit value. */
export function ipv4Text(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** 00:1b:44:11:3a:b7 from its 48-bit value. */
export function macText(v: number): string {
  const hi = Math.floor(v / 4294967296), lo = v >>> 0;
  return `${HEX[hi >>> 8]}:${HEX[hi & 255]}:${HEX[lo >>> 24]}:${HEX[(lo >>> 16) & 255]}:${HEX[(lo >>> 8) & 255]}:${HEX[lo & 255]}`;
}

/** RFC 5952 text of a 16-byte IPv6 address: lower case, longest run of two or more zero groups as "::". */
export function ipv6Text(b: Uint8Array, o = 0): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push((b[o + 2 * i] << 8) | b[o + 2 * i + 1]);
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible forms print the last 32 bits dotted, as inet_ntop does.
  const v4 = (o2: number) => `${b[o2]}.${b[o2 + 1]}.${b[o2 + 2]}.${b[o2 + 3]}`;
  if (best === 0 && bestLen === 5 && g[5] === 0xffff) return `::ffff:${v4(o + 12)}`;
  if (best === 0 && bestLen === 6 && g[6] !== 0) return `::${v4(o + 12)}`;
  if (best < 0) return g.map((x) => x.toString(16)).join(":");
  const head = g.slice(0, best).map((x) => x.toString(16)).join(":");
  const tail = g.slice(best + bestLen).map((x) => x.toString(16)).join(":");
  return `${head}::${tail}`;
}

/** Hex bytes with a separator ("" for tshark -T fields, ":" for Wireshark's display). */
export function hexText(b: Uint8Array, sep = ""): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += (i && sep ? sep : "") + HEX[b[i]];
  return s;
}
