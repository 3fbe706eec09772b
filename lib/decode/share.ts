// Identical arrays of different columns, kept once. The fields of a protocol mostly occur in the same frames, so
// their presence bitmaps (dense levels) or row lists (sparse levels) are equal: every tcp.* field of a capture shares
// one bitmap, every udp.* field one row list. Some derived columns hold equal values too (frame.time and
// frame.time_epoch). Arrays are found by a hash of their contents and compared in full; the pool holds them weakly,
// so it never keeps a column's storage alive.

type Shareable = Uint8Array | Uint32Array | Float64Array;

const pool = new Map<string, WeakRef<Shareable>[]>();
let added = 0;

/** Arrays smaller than this are not worth a lookup. */
const MIN_BYTES = 4096;

/** `a`, or an earlier array of the same type and contents (then `a` is dropped). Arrays must not change afterwards. */
export function share<T extends Shareable>(a: T): T {
  if (a.byteLength < MIN_BYTES) return a;
  const key = `${a.constructor.name}:${a.length}:${hash(a)}`;
  let list = pool.get(key);
  if (list === undefined) { list = []; pool.set(key, list); }
  for (const ref of list) {
    const o = ref.deref();
    if (o !== undefined && o.constructor === a.constructor && equal(o, a)) return o as T;
  }
  list.push(new WeakRef(a));
  if (++added % 4096 === 0) sweep();
  return a;
}

/** FNV-1a over the bytes, four at a time (a signed 32-bit result). */
function hash(a: Shareable): number {
  const words = a.byteOffset & 3 ? 0 : a.byteLength >>> 2, w = new Int32Array(a.buffer, a.byteOffset, words);
  let h = 0x811c9dc5 | 0;
  for (let k = 0; k < words; k++) h = Math.imul(h ^ w[k], 0x01000193);
  const b = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  for (let k = words * 4; k < b.length; k++) h = Math.imul(h ^ b[k], 0x01000193);
  return h;
}

function equal(x: Shareable, y: Shareable): boolean {
  if (x.byteLength !== y.byteLength) return false;
  const n = (x.byteOffset | y.byteOffset) & 3 ? 0 : x.byteLength >>> 2, a = new Int32Array(x.buffer, x.byteOffset, n), b = new Int32Array(y.buffer, y.byteOffset, n);
  for (let k = 0; k < n; k++) if (a[k] !== b[k]) return false;
  const p = new Uint8Array(x.buffer, x.byteOffset, x.byteLength), q = new Uint8Array(y.buffer, y.byteOffset, y.byteLength);
  for (let k = n * 4; k < p.length; k++) if (p[k] !== q[k]) return false;
  return true;
}

/** Drops the entries of collected arrays. */
function sweep(): void {
  for (const [key, list] of pool) {
    const live = list.filter((r) => r.deref() !== undefined);
    if (live.length === 0) pool.delete(key);
    else pool.set(key, live);
  }
}
