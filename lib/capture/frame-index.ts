// The frame index: where each frame's bytes are and when it was captured, 30 bytes a frame in parallel typed arrays
// (offset 8 + tsSec 8 + tsNsec 4 + caplen 4 + len 4 + iface 2). Everything else is decoded from the bytes on demand.

/**
 * Growable columnar record table. Contract: arrays are valid for indices < count; call `trim()` when done.
 * Writers may fill the arrays directly below their length (as the pcap walker does; `reserve` grows them), then set
 * `count`; entries of a fresh or grown array are 0, so a writer may skip storing zeros (iface of a classic pcap).
 */
export class FrameIndex {
  count = 0;
  /** Byte offset of the frame's first captured byte in the (decompressed) capture stream. */
  offset: Float64Array;
  /** Whole seconds since the epoch (integral; exact up to 2^53). */
  tsSec: Float64Array;
  /** Nanoseconds within the second, 0..999999999. Together with tsSec the timestamp is exact. */
  tsNsec: Uint32Array;
  /** Captured length (bytes present in the file). */
  caplen: Uint32Array;
  /** Original length on the wire (>= caplen when the snap length cut the frame). */
  len: Uint32Array;
  /** Index into CaptureInfo.interfaces (pcap: always 0). */
  iface: Uint16Array;

  constructor(capacity = 1024) {
    this.offset = new Float64Array(capacity);
    this.tsSec = new Float64Array(capacity);
    this.tsNsec = new Uint32Array(capacity);
    this.caplen = new Uint32Array(capacity);
    this.len = new Uint32Array(capacity);
    this.iface = new Uint16Array(capacity);
  }

  /** Room for at least `n` records (count included), growing geometrically. */
  reserve(n: number): void {
    if (n > this.offset.length) this.grow(Math.max(n, this.offset.length * 2, 1024));
  }

  /** Appends one record; amortised O(1). */
  push(offset: number, tsSec: number, tsNsec: number, caplen: number, len: number, iface: number): void {
    const i = this.count;
    if (i === this.offset.length) this.grow(Math.max(i * 2, 1024));
    this.offset[i] = offset;
    this.tsSec[i] = tsSec;
    this.tsNsec[i] = tsNsec;
    this.caplen[i] = caplen;
    this.len[i] = len;
    this.iface[i] = iface;
    this.count = i + 1;
  }

  /**
   * Shrinks the arrays to `count`. Views, not copies: copying 30 bytes a frame into fresh memory cost as much as
   * filling the index. The spare capacity behind the views was never written, so it is address space, not
   * resident memory (large typed arrays are calloc'ed: pages materialise on first write).
   */
  trim(): void {
    const c = this.count;
    if (this.offset.length === c) return;
    this.offset = this.offset.subarray(0, c);
    this.tsSec = this.tsSec.subarray(0, c);
    this.tsNsec = this.tsNsec.subarray(0, c);
    this.caplen = this.caplen.subarray(0, c);
    this.len = this.len.subarray(0, c);
    this.iface = this.iface.subarray(0, c);
  }

  /** Seconds since the epoch as a double (microsecond-exact for current dates; nanoseconds round). */
  time(i: number): number {
    return this.tsSec[i] + this.tsNsec[i] / 1e9;
  }

  /** The exact timestamp in nanoseconds since the epoch. */
  timeNs(i: number): bigint {
    return BigInt(this.tsSec[i]) * 1_000_000_000n + BigInt(this.tsNsec[i]);
  }

  /** Bytes this index occupies. */
  get byteLength(): number {
    return this.offset.byteLength + this.tsSec.byteLength + this.tsNsec.byteLength + this.caplen.byteLength +
      this.len.byteLength + this.iface.byteLength;
  }

  private grow(n: number): void {
    const c = this.count;
    const f64 = (a: Float64Array) => { const b = new Float64Array(n); b.set(a.subarray(0, Math.min(c, n))); return b; };
    const u32 = (a: Uint32Array) => { const b = new Uint32Array(n); b.set(a.subarray(0, Math.min(c, n))); return b; };
    this.offset = f64(this.offset);
    this.tsSec = f64(this.tsSec);
    this.tsNsec = u32(this.tsNsec);
    this.caplen = u32(this.caplen);
    this.len = u32(this.len);
    const i16 = new Uint16Array(n);
    i16.set(this.iface.subarray(0, Math.min(c, n)));
    this.iface = i16;
  }
}

/** `sec.nnnnnnnnn` exactly, as tshark prints frame.time_epoch. */
export function formatEpoch(sec: number, nsec: number): string {
  return `${sec}.${String(nsec).padStart(9, "0")}`;
}
