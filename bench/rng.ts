// A small deterministic PRNG (mulberry32), so the benchmark capture is the same bytes on every machine.

/** Seeded 32-bit generator. Contract: the same seed gives the same sequence everywhere. */
export class Rng {
  constructor(private state: number) {}

  /** Next uint32. */
  u32(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number { return Math.floor((this.u32() / 4294967296) * n); }

  /** Uniform integer in [lo, hi]. */
  range(lo: number, hi: number): number { return lo + this.int(hi - lo + 1); }

  /** True with probability p. */
  chance(p: number): boolean { return this.u32() < p * 4294967296; }

  pick<T>(a: readonly T[]): T { return a[this.int(a.length)]; }

  /** Index chosen with the given (unnormalised) weights. */
  weighted(weights: readonly number[], total: number): number {
    let r = (this.u32() / 4294967296) * total;
    for (let i = 0; i < weights.length; i++) if ((r -= weights[i]) < 0) return i;
    return weights.length - 1;
  }
}
