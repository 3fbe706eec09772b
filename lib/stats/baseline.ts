// Baselines over any grouping (per source, per (source, unit, function code), per client id …): how often each key
// occurs and how regular it is, and the scoring of a later window against a baseline window.

import * as aq from "arquero";
import type { ColumnTable } from "../table/to-arquero.js";
import { diffs, madSorted, mean, quantileSorted, sortedFinite, stdev } from "./describe.js";
import { groupRows, keyPart, numberArray } from "./groups.js";

export interface BaselineOptions {
  /** Key columns, e.g. ["ip.src"] or ["ip.src", "mbtcp.unit_id", "modbus.func_code"]. */
  by: string[];
  /** Time column in epoch seconds (or Dates); default "frame.time_epoch". */
  time?: string;
  /** Inter-arrival percentiles to report, as numbers in (0, 100); default [5, 95]. */
  percentiles?: number[];
}

/**
 * One row per key: count, first/last seen (epoch s), span (s), rate (per s over the group's span; NaN for one row),
 * inter-arrival mean/median/stdev/MAD (s) and the requested percentiles (iat_p5, iat_p95 …).
 */
export function baseline(table: ColumnTable, options: BaselineOptions): ColumnTable {
  const time = options.time ?? "frame.time_epoch";
  const pcts = options.percentiles ?? [5, 95];
  const ts = numberArray(table, time);
  const cols: Record<string, unknown[]> = {};
  for (const b of options.by) cols[b] = [];
  const names = ["count", "first", "last", "span", "rate", "iat_mean", "iat_median", "iat_stdev", "iat_mad",
    ...pcts.map((p) => `iat_p${p}`)];
  for (const n of names) cols[n] = [];
  for (const g of groupRows(table, options.by)) {
    options.by.forEach((b, k) => cols[b].push(g.values[k]));
    const s = sortedFinite(g.rows.map((r) => ts[r]));
    const iat = diffs(s).sort((a, b) => a - b);
    const first = s[0] ?? NaN, last = s[s.length - 1] ?? NaN, span = last - first;
    const row = [g.rows.length, first, last, span, span > 0 ? g.rows.length / span : NaN, mean(iat),
      quantileSorted(iat, 0.5), stdev(iat), madSorted(iat), ...pcts.map((p) => quantileSorted(iat, p / 100))];
    names.forEach((n, k) => cols[n].push(row[k]));
  }
  return aq.table(cols);
}

export interface ScoreOptions extends BaselineOptions {
  /** |z| at or above which a key is flagged; default 3.5 (Iglewicz and Hoaglin's cut-off for modified z-scores). */
  threshold?: number;
}

/** 1.4826 · MAD estimates σ for normal data, so z = (x − median) / (1.4826 · MAD) reads like a z-score. */
const MAD_SCALE = 1.4826;

/**
 * Scores `later` (raw rows) against `base` (a baseline() table with the same `by`): one row per key of `later`
 * with its count and rate, `never_seen` (the key is not in the baseline), `rate_ratio` (later rate / baseline rate),
 * `iat_z` (robust z-score of the later median inter-arrival against the baseline's median and MAD) and `flagged`.
 */
export function score(base: ColumnTable, later: ColumnTable, options: ScoreOptions): ColumnTable {
  const threshold = options.threshold ?? 3.5;
  const now = baseline(later, options);
  const known = new Map<string, Record<string, unknown>>();
  for (const r of base.objects() as Record<string, unknown>[]) known.set(options.by.map((b) => keyPart(r[b])).join("\u0000"), r);
  return now.assign(aq.table(scoreColumns(now, known, options.by, threshold)));
}

function scoreColumns(now: ColumnTable, known: Map<string, Record<string, unknown>>, by: string[], threshold: number) {
  const out: Record<string, unknown[]> = { never_seen: [], base_count: [], rate_ratio: [], iat_z: [], flagged: [] };
  for (const r of now.objects() as Record<string, number>[]) {
    const b = known.get(by.map((k) => keyPart(r[k])).join("\u0000")) as Record<string, number> | undefined;
    const spread = b ? MAD_SCALE * b.iat_mad : NaN;
    const z = b && spread > 0 ? (r.iat_median - b.iat_median) / spread : NaN;
    out.never_seen.push(!b);
    out.base_count.push(b ? b.count : 0);
    out.rate_ratio.push(b && b.rate > 0 ? r.rate / b.rate : NaN);
    out.iat_z.push(z);
    out.flagged.push(!b || Math.abs(z) >= threshold);
  }
  return out;
}
