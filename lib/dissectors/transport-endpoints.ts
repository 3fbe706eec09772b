// Conversation keys for TCP and UDP: the unordered pair of (address, port) endpoints (Wireshark's
// conversation_new / find_conversation with an exact address-and-port key, epan/conversation.c). An open-addressing
// hash table over typed arrays, so a lookup allocates nothing; keys get dense ids 0, 1, 2, … in order of first sight.

/** Words a key occupies: family, 4 words of the first address, 4 of the second, the two ports. */
const KEY_WORDS = 10;

/** Maps endpoint pairs to dense key ids. Contract: lookup() never throws and allocates only when the table grows. */
export class EndpointTable {
  private keys = new Uint32Array(KEY_WORDS * 256);
  /** Open-addressing slots holding key id + 1 (0 = empty). Size is a power of two, at most half full. */
  private slots = new Int32Array(512);
  private readonly probe = new Uint32Array(KEY_WORDS);
  /** Number of distinct keys seen. */
  count = 0;
  /** Set by lookup(): 0 when the packet's source is the key's first (lower) endpoint, 1 when it is the second. */
  dir = 0;
  /** Set by lookup(): true when the key was not seen before. */
  created = false;

  /** Forgets every key (a new capture), giving back what the table grew to (a pass over 2 M frames: tens of MB). */
  clear(): void {
    if (this.slots.length > 512) {
      this.keys = new Uint32Array(KEY_WORDS * 256);
      this.slots = new Int32Array(512);
    } else this.slots.fill(0);
    this.count = 0;
  }

  /**
   * The id of the pair {(src, sport), (dst, dport)} of address family `family` (4 or 6; addresses are 16-byte
   * arrays, IPv4 in the first 4 bytes), adding it when new. Sets `dir` and `created`.
   */
  lookup(family: number, src: Uint8Array, sport: number, dst: Uint8Array, dport: number): number {
    const p = this.probe;
    let c: number;
    if (family === 4) {
      // Most keys: an IPv4 address is one word (the rest of its 16 bytes is zero), and comparing the big-endian words
      // orders the endpoints as comparing their bytes does.
      const a = word(src, 0), b = word(dst, 0);
      c = a !== b ? (a < b ? -1 : 1) : sport - dport;
      if (p[0] !== 4) p.fill(0);
      p[0] = 4;
      p[1] = c > 0 ? b : a;
      p[5] = c > 0 ? a : b;
    } else {
      c = compareEndpoints(src, sport, dst, dport);
      p[0] = family;
      // The lower endpoint first, so both directions of a conversation give the same key.
      const first = c > 0 ? dst : src, second = c > 0 ? src : dst;
      for (let w = 0; w < 4; w++) {
        p[1 + w] = word(first, w * 4);
        p[5 + w] = word(second, w * 4);
      }
    }
    this.dir = c > 0 ? 1 : 0;
    p[9] = c > 0 ? ((dport << 16) | sport) >>> 0 : ((sport << 16) | dport) >>> 0;
    const mask = this.slots.length - 1;
    let h = hashWords(p) & mask;
    for (;;) {
      const s = this.slots[h];
      if (s === 0) break;
      if (this.equals(s - 1, p)) {
        this.created = false;
        return s - 1;
      }
      h = (h + 1) & mask;
    }
    this.created = true;
    return this.insert(h);
  }

  private equals(id: number, p: Uint32Array): boolean {
    const k = this.keys, at = id * KEY_WORDS;
    // The words that tell IPv4 keys apart first (family, both addresses' first word, the ports); an IPv4 key's other
    // address words are zero, so only IPv6 keys need them compared.
    if (k[at] !== p[0] || k[at + 1] !== p[1] || k[at + 5] !== p[5] || k[at + 9] !== p[9]) return false;
    if (p[0] === 4) return true;
    for (let w = 2; w < 9; w++) if (k[at + w] !== p[w]) return false;
    return true;
  }

  private insert(slot: number): number {
    const id = this.count++;
    if ((id + 1) * KEY_WORDS > this.keys.length) {
      const k = new Uint32Array(this.keys.length * 2);
      k.set(this.keys);
      this.keys = k;
    }
    this.keys.set(this.probe, id * KEY_WORDS);
    this.slots[slot] = id + 1;
    if (this.count * 2 > this.slots.length) this.rehash();
    return id;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2), mask = slots.length - 1;
    const one = new Uint32Array(KEY_WORDS);
    for (let id = 0; id < this.count; id++) {
      one.set(this.keys.subarray(id * KEY_WORDS, id * KEY_WORDS + KEY_WORDS));
      let h = hashWords(one) & mask;
      while (slots[h] !== 0) h = (h + 1) & mask;
      slots[h] = id + 1;
    }
    this.slots = slots;
  }
}

/** One murmur3 round: word w into hash h. */
function mix(h: number, w: number): number {
  let k = Math.imul(w, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

const word = (b: Uint8Array, o: number): number => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;

/** Orders endpoints by address bytes, then port: < 0 when (a, ap) comes first, 0 when equal. */
export function compareEndpoints(a: Uint8Array, ap: number, b: Uint8Array, bp: number): number {
  for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return ap - bp;
}

/** murmur3-style mix of the key words (of an IPv4 key only those that can be nonzero: most keys are IPv4). */
function hashWords(p: Uint32Array): number {
  let h = 0x9747b28c;
  if (p[0] === 4) {
    h = mix(mix(mix(mix(h, p[0]), p[1]), p[5]), p[9]);
  } else {
    for (let i = 0; i < KEY_WORDS; i++) h = mix(h, p[i]);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

/** A growable Int32 array indexed by key or stream id (per-conversation state without objects). */
export class IntVec {
  data: Int32Array;
  constructor(private readonly capacity = 256, private readonly fill = 0) {
    this.data = new Int32Array(capacity).fill(fill);
  }
  /** Makes index i addressable. */
  ensure(i: number): void {
    if (i < this.data.length) return;
    let n = this.data.length * 2;
    while (n <= i) n *= 2;
    const d = new Int32Array(n).fill(this.fill);
    d.set(this.data);
    this.data = d;
  }
  /** Forgets every entry, giving back what the array grew to. */
  reset(): void {
    if (this.data.length > this.capacity) this.data = new Int32Array(this.capacity).fill(this.fill);
    else this.data.fill(this.fill);
  }
}
