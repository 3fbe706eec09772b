// Small numeric summaries over plain arrays (NaN values are ignored): the building blocks of baselines and scores.
// Percentiles use linear interpolation between closest ranks (numpy's default, R type 7).

/** The finite values of `xs`, sorted ascending (a copy). */
export function sortedFinite(xs: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < xs.length; i++) if (Number.isFinite(xs[i])) out.push(xs[i]);
  return out.sort((a, b) => a - b);
}

/** The p-quantile (0 ≤ p ≤ 1) of already sorted values; NaN for none. */
export function quantileSorted(s: readonly number[], p: number): number {
  if (s.length === 0) return NaN;
  const h = (s.length - 1) * p, lo = Math.floor(h), hi = Math.ceil(h);
  return s[lo] + (s[hi] - s[lo]) * (h - lo);
}

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  let sum = 0;
  for (const x of xs) sum += x;
  return sum / xs.length;
}

/** Sample standard deviation (n − 1); NaN below two values. */
export function stdev(xs: readonly number[]): number {
  if (xs.length < 2) return NaN;
  const m = mean(xs);
  let ss = 0;
  for (const x of xs) ss += (x - m) * (x - m);
  return Math.sqrt(ss / (xs.length - 1));
}

/** Median absolute deviation from the median (unscaled) of sorted values. */
export function madSorted(s: readonly number[]): number {
  if (s.length === 0) return NaN;
  const m = quantileSorted(s, 0.5);
  return quantileSorted(s.map((x) => Math.abs(x - m)).sort((a, b) => a - b), 0.5);
}

/** Bowley's quartile skewness (Q1 + Q3 − 2·median) / (Q3 − Q1), 0 when Q3 = Q1 (RITA's tsSkew/dsSkew). */
export function bowleySkew(s: readonly number[]): number {
  const q1 = quantileSorted(s, 0.25), q2 = quantileSorted(s, 0.5), q3 = quantileSorted(s, 0.75);
  return q3 === q1 || !Number.isFinite(q3 - q1) ? 0 : (q1 + q3 - 2 * q2) / (q3 - q1);
}

/** The most frequent value (smallest on ties); NaN for none. */
export function mode(xs: readonly number[]): number {
  const counts = new Map<number, number>();
  let best = NaN, bestN = 0;
  for (const x of xs) {
    const n = (counts.get(x) ?? 0) + 1;
    counts.set(x, n);
    if (n > bestN || (n === bestN && x < best)) { best = x; bestN = n; }
  }
  return best;
}

/** Successive differences of sorted values: inter-arrival times. */
export function diffs(s: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < s.length; i++) out.push(s[i] - s[i - 1]);
  return out;
}
