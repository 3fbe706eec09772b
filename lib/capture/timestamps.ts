// Exact pcapng timestamps: a 64-bit count of interface time units (if_tsresol) -> whole seconds + nanoseconds.
// Double math where it is provably exact (every intermediate an integer below 2^53), BigInt otherwise.
// pcapng spec section 4.2 (if_tsresol, if_tsoffset): https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng

const TWO32 = 4294967296;
const TWO53 = 9007199254740992;
/** Units per second below which long division by 16-bit limbs stays exact in doubles (remainder * 2^16 < 2^53). */
const LIMB_MAX_UNITS = 2 ** 37;

/** Where split() writes its result (a shared scratch object: no allocation per packet). */
export interface SplitTime {
  sec: number;
  nsec: number;
}

/** One interface's timestamp unit, from the if_tsresol option byte (default 6: microseconds). */
export class TsResolution {
  /** Units per second as a double (exact for every resolution a file can name up to 10^-22 and 2^-1023). */
  readonly unitsPerSec: number;
  private readonly unitsBig: bigint;
  /** nsec = rem * nsMul when the unit is 10^-n with n <= 9. */
  private readonly nsMul: number;
  /** nsec = floor(rem / nsDiv) when the unit is 10^-n with 9 < n <= 15. */
  private readonly nsDiv: number;
  /** nsec = floor(rem * 1e9 / 2^k) when the unit is 2^-k with k <= 23. */
  private readonly nsBinary: boolean;
  /** The remainder -> nanoseconds step is exact in doubles. */
  private readonly nsExact: boolean;

  constructor(readonly tsresol = 6) {
    const n = tsresol & 0x7f;
    const binary = (tsresol & 0x80) !== 0;
    this.unitsBig = binary ? 1n << BigInt(n) : 10n ** BigInt(n);
    this.unitsPerSec = Number(this.unitsBig);
    this.nsMul = !binary && n <= 9 ? 10 ** (9 - n) : 0;
    this.nsDiv = !binary && n > 9 && n <= 15 ? 10 ** (n - 9) : 0;
    this.nsBinary = binary && n <= 23;
    this.nsExact = this.nsMul !== 0 || this.nsDiv !== 0 || this.nsBinary;
  }

  /** Converts the timestamp (hi, lo: the two 32-bit halves) plus `offsetSec` into out.sec/out.nsec exactly. */
  split(hi: number, lo: number, offsetSec: number, out: SplitTime): void {
    const u = this.unitsPerSec;
    let q: number, r: number;
    if (hi < TWO53 / TWO32 && this.nsExact) {
      // ts = hi * 2^32 + lo < 2^53 is exact; q*u <= ts is too, so the fix-ups below make q and r exact.
      const ts = hi * TWO32 + lo;
      q = Math.floor(ts / u);
      r = ts - q * u;
      if (r < 0) { q--; r += u; } else if (r >= u) { q++; r -= u; }
    } else if (u < LIMB_MAX_UNITS && this.nsExact) {
      // Long division by u over three limbs (hi, then lo in two 16-bit halves): each partial dividend
      // r * 2^16 + limb stays below 2^53 because r < u < 2^37. Readable form: q = ts / u, r = ts % u in BigInt.
      q = Math.floor(hi / u);
      r = hi - q * u;
      if (r < 0) { q--; r += u; } else if (r >= u) { q++; r -= u; }
      let cur = r * 65536 + (lo >>> 16);
      let d = Math.floor(cur / u);
      r = cur - d * u;
      if (r < 0) { d--; r += u; } else if (r >= u) { d++; r -= u; }
      q = q * 65536 + d;
      cur = r * 65536 + (lo & 0xffff);
      d = Math.floor(cur / u);
      r = cur - d * u;
      if (r < 0) { d--; r += u; } else if (r >= u) { d++; r -= u; }
      q = q * 65536 + d;
    } else {
      this.splitBig(hi, lo, offsetSec, out);
      return;
    }
    out.sec = q + offsetSec;
    out.nsec = this.remToNs(r);
  }

  /** Nanoseconds of a remainder r < unitsPerSec, rounded down (only called when nsExact). */
  private remToNs(r: number): number {
    if (this.nsMul !== 0) return r * this.nsMul;
    if (this.nsDiv !== 0) {
      let d = Math.floor(r / this.nsDiv);
      if (d * this.nsDiv > r) d--; else if ((d + 1) * this.nsDiv <= r) d++;
      return d;
    }
    // r * 1e9 < 2^23 * 2^30: exact, and dividing by a power of two is exact.
    return Math.floor(r * 1e9 / this.unitsPerSec);
  }

  private splitBig(hi: number, lo: number, offsetSec: number, out: SplitTime): void {
    const ts = BigInt(hi) * 4294967296n + BigInt(lo);
    const u = this.unitsBig;
    out.sec = Number(ts / u) + offsetSec;
    out.nsec = Number((ts % u) * 1_000_000_000n / u);
  }
}

/** A signed 64-bit value (two 32-bit halves) as a number; exact below 2^53 in magnitude. */
export function int64(hi: number, lo: number): number {
  return Number(BigInt.asIntN(64, BigInt(hi >>> 0) * 4294967296n + BigInt(lo >>> 0)));
}

/** An unsigned 64-bit value as a number; exact below 2^53. */
export function uint64(hi: number, lo: number): number {
  return (hi >>> 0) * TWO32 + (lo >>> 0);
}
