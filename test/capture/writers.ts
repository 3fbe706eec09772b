// Byte-by-byte writers of classic pcap files and pcapng blocks, either byte order, for hand-built test inputs.
// Layouts: draft-ietf-opsawg-pcap (file header, record header), draft-ietf-opsawg-pcapng (blocks, options).

/** Appends integers in one byte order. */
export class ByteWriter {
  private readonly bytes: number[] = [];

  constructor(readonly le: boolean) {}

  u8(v: number): this {
    this.bytes.push(v & 0xff);
    return this;
  }

  u16(v: number): this {
    return this.le ? this.u8(v).u8(v >>> 8) : this.u8(v >>> 8).u8(v);
  }

  u32(v: number): this {
    return this.le ? this.u16(v & 0xffff).u16(v >>> 16) : this.u16(v >>> 16).u16(v & 0xffff);
  }

  /** An unsigned or signed (two's complement) 64-bit value. */
  u64(v: bigint): this {
    const x = BigInt.asUintN(64, v);
    const hi = Number(x >> 32n), lo = Number(x & 0xffffffffn);
    return this.le ? this.u32(lo).u32(hi) : this.u32(hi).u32(lo);
  }

  raw(b: Uint8Array | number[]): this {
    for (const x of b) this.bytes.push(x);
    return this;
  }

  /** Zero bytes up to the next multiple of 4. */
  pad4(): this {
    while (this.bytes.length % 4) this.bytes.push(0);
    return this;
  }

  get length(): number {
    return this.bytes.length;
  }

  done(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

/** Concatenates byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** `n` bytes counting up from `seed` (distinct, recognisable packet contents). */
export function bytes(n: number, seed = 0): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (seed + i) & 0xff);
}

const utf8 = new TextEncoder();

// ---- classic pcap ----

export interface PcapRecord {
  sec: number;
  /** Microseconds, or nanoseconds in a nanosecond file. */
  frac: number;
  data: Uint8Array;
  /** Original length; defaults to data.length. */
  len?: number;
  /** Captured length written in the header; defaults to data.length (set it to lie). */
  caplen?: number;
}

/** A whole classic pcap file. */
export function pcapFile(o: { le: boolean; nano?: boolean; linktype?: number; snaplen?: number; records: PcapRecord[] }): Uint8Array {
  const w = new ByteWriter(o.le);
  w.u32(o.nano ? 0xa1b23c4d : 0xa1b2c3d4).u16(2).u16(4).u32(0).u32(0).u32(o.snaplen ?? 262144).u32(o.linktype ?? 1);
  for (const r of o.records) {
    w.u32(r.sec).u32(r.frac).u32(r.caplen ?? r.data.length).u32(r.len ?? r.data.length).raw(r.data);
  }
  return w.done();
}

// ---- pcapng ----

/** An option: code and value (strings are UTF-8, no terminator). */
export type Option = [code: number, value: string | Uint8Array];

function options(w: ByteWriter, opts: Option[]): void {
  if (opts.length === 0) return;
  for (const [code, v] of opts) {
    const b = typeof v === "string" ? utf8.encode(v) : v;
    w.u16(code).u16(b.length).raw(b).pad4();
  }
  w.u16(0).u16(0);
}

/** A generic block: type, total length, body (padded), options, total length. */
export function block(le: boolean, type: number, body: (w: ByteWriter) => void, opts: Option[] = []): Uint8Array {
  const inner = new ByteWriter(le);
  body(inner);
  inner.pad4();
  options(inner, opts);
  const b = inner.done();
  return new ByteWriter(le).u32(type).u32(b.length + 12).raw(b).u32(b.length + 12).done();
}

/** Option value helpers in a byte order. */
export const opt = {
  u8: (v: number) => Uint8Array.of(v),
  u64: (le: boolean, v: bigint) => new ByteWriter(le).u64(v).done(),
};

export function shb(le: boolean, o: { comments?: string[]; hardware?: string; os?: string; userappl?: string; major?: number; minor?: number } = {}): Uint8Array {
  const opts: Option[] = [];
  for (const c of o.comments ?? []) opts.push([1, c]);
  if (o.hardware) opts.push([2, o.hardware]);
  if (o.os) opts.push([3, o.os]);
  if (o.userappl) opts.push([4, o.userappl]);
  return block(le, 0x0a0d0d0a, (w) => w.u32(0x1a2b3c4d).u16(o.major ?? 1).u16(o.minor ?? 0).u64(-1n), opts);
}

export function idb(le: boolean, o: { linktype: number; snaplen?: number; name?: string; description?: string; tsresol?: number; tsoffset?: bigint; extra?: Option[] }): Uint8Array {
  const opts: Option[] = [];
  if (o.name) opts.push([2, o.name]);
  if (o.description) opts.push([3, o.description]);
  if (o.tsresol !== undefined) opts.push([9, opt.u8(o.tsresol)]);
  if (o.tsoffset !== undefined) opts.push([14, opt.u64(le, o.tsoffset)]);
  opts.push(...(o.extra ?? []));
  return block(le, 1, (w) => w.u16(o.linktype).u16(0).u32(o.snaplen ?? 0), opts);
}

/** EPB; `ts` in the interface's units. */
export function epb(le: boolean, o: { ifid: number; ts: bigint; data: Uint8Array; len?: number; caplen?: number; comments?: string[]; extra?: Option[] }): Uint8Array {
  const opts: Option[] = (o.comments ?? []).map((c) => [1, c] as Option);
  opts.push(...(o.extra ?? []));
  return block(le, 6, (w) => w.u32(o.ifid).u32(Number(o.ts >> 32n)).u32(Number(o.ts & 0xffffffffn))
    .u32(o.caplen ?? o.data.length).u32(o.len ?? o.data.length).raw(o.data), opts);
}

/** Obsolete Packet Block. */
export function pb(le: boolean, o: { ifid: number; ts: bigint; data: Uint8Array; len?: number; comments?: string[] }): Uint8Array {
  const opts: Option[] = (o.comments ?? []).map((c) => [1, c] as Option);
  return block(le, 2, (w) => w.u16(o.ifid).u16(0).u32(Number(o.ts >> 32n)).u32(Number(o.ts & 0xffffffffn))
    .u32(o.data.length).u32(o.len ?? o.data.length).raw(o.data), opts);
}

/** Simple Packet Block: the data written is what the snap length keeps; `len` is the original length. */
export function spb(le: boolean, o: { len: number; data: Uint8Array }): Uint8Array {
  return block(le, 3, (w) => w.u32(o.len).raw(o.data));
}

export type NrbRecord = { type: 1 | 2 | 3 | 4; addr: number[]; names: string[] };

export function nrb(le: boolean, records: NrbRecord[]): Uint8Array {
  return block(le, 4, (w) => {
    for (const r of records) {
      const v = [...r.addr];
      for (const n of r.names) v.push(...utf8.encode(n), 0);
      w.u16(r.type).u16(v.length).raw(v).pad4();
    }
    w.u16(0).u16(0);
  });
}

export function isb(le: boolean, o: { ifid: number; ts: bigint; recv?: bigint; drop?: bigint; osdrop?: bigint; delivered?: bigint }): Uint8Array {
  const opts: Option[] = [];
  if (o.recv !== undefined) opts.push([4, opt.u64(le, o.recv)]);
  if (o.drop !== undefined) opts.push([5, opt.u64(le, o.drop)]);
  if (o.osdrop !== undefined) opts.push([7, opt.u64(le, o.osdrop)]);
  if (o.delivered !== undefined) opts.push([8, opt.u64(le, o.delivered)]);
  return block(le, 5, (w) => w.u32(o.ifid).u32(Number(o.ts >> 32n)).u32(Number(o.ts & 0xffffffffn)), opts);
}

/** Decryption Secrets Block (TLS key log). */
export function dsb(le: boolean, secrets: string): Uint8Array {
  const b = utf8.encode(secrets);
  return block(le, 0x0a, (w) => w.u32(0x544c534b).u32(b.length).raw(b));
}

/** Custom block (copiable or not) with a Private Enterprise Number. */
export function custom(le: boolean, pen: number, data: Uint8Array, copiable = true): Uint8Array {
  return block(le, copiable ? 0x00000bad : 0x40000bad, (w) => w.u32(pen).raw(data));
}
