// Big-endian (network order) and little-endian reads over a Uint8Array, inlined by V8 in hot getters.
// Contract: callers have bounds-checked; these never check (smoltcp's view getters after check_len).

export const u16 = (b: Uint8Array, o: number): number => (b[o] << 8) | b[o + 1];
export const u24 = (b: Uint8Array, o: number): number => (b[o] << 16) | (b[o + 1] << 8) | b[o + 2];
export const u32 = (b: Uint8Array, o: number): number => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
export const u16le = (b: Uint8Array, o: number): number => b[o] | (b[o + 1] << 8);
export const u32le = (b: Uint8Array, o: number): number => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
/** A 48-bit MAC address as a number (exact in a double). */
export const mac = (b: Uint8Array, o: number): number => u16(b, o) * 4294967296 + u32(b, o + 2);

/** Copies n bytes (getters return copies so a column never pins a reused chunk buffer). */
export const copy = (b: Uint8Array, o: number, n: number): Uint8Array => b.slice(o, o + n);

const latin1 = new TextDecoder("latin1");
const utf8 = new TextDecoder("utf-8");
/** Decodes bytes as UTF-8 (invalid sequences become U+FFFD, as Wireshark shows them). */
export const text = (b: Uint8Array, o: number, n: number): string => utf8.decode(b.subarray(o, o + n));
/** Decodes bytes one char per byte. */
export const ascii = (b: Uint8Array, o: number, n: number): string => latin1.decode(b.subarray(o, o + n));
