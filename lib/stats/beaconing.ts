// Beaconing: RITA's scoring of how regular the connections from a source to a destination are, in time and in size.
// https://github.com/activecm/rita (pkg/beacon/analyzer.go, v4): per (src, dst) pair with enough connections,
//   tsScore = mean(1 − |Bowley skew of intervals|, 1 − min(MAD of intervals / 30 s, 1), min(count / (span / 10 s), 1))
//   dsScore = mean(1 − |Bowley skew of sizes|, 1 − min(MAD of sizes / 32 B, 1), 1 − min(mode of sizes / 65535, 1))
//   score = (tsScore + dsScore) / 2     — 1 is a perfect metronome sending identical small payloads.

import * as aq from "arquero";
import type { ColumnTable } from "../table/to-arquero.js";
import { bowleySkew, diffs, madSorted, mode, quantileSorted, sortedFinite } from "./describe.js";
import { groupRows, numberArray } from "./groups.js";

export interface BeaconingOptions {
  src?: string;
  dst?: string;
  time?: string;
  /** Size column (bytes per event, e.g. "frame.len" or "tcp.len"); default "frame.len". */
  size?: string;
  /** Pairs with fewer events are not scored; default 4 (RITA's minimum is 20 connections a day). */
  minEvents?: number;
}

/** One row per (src, dst) pair with at least minEvents events, best score first. */
export function beaconing(table: ColumnTable, options: BeaconingOptions = {}): ColumnTable {
  const src = options.src ?? "ip.src", dst = options.dst ?? "ip.dst";
  const ts = numberArray(table, options.time ?? "frame.time_epoch");
  const sizes = numberArray(table, options.size ?? "frame.len");
  const cols: Record<string, unknown[]> = { [src]: [], [dst]: [], count: [], span: [], interval_median: [],
    ts_skew: [], ts_mad: [], ts_score: [], size_mode: [], ds_skew: [], ds_mad: [], ds_score: [], score: [] };
  for (const g of groupRows(table, [src, dst])) {
    if (g.rows.length < (options.minEvents ?? 4)) continue;
    const t = sortedFinite(g.rows.map((r) => ts[r]));
    const iat = diffs(t).sort((a, b) => a - b);
    const ds = sortedFinite(g.rows.map((r) => sizes[r]));
    const span = t[t.length - 1] - t[0];
    const tsSkew = bowleySkew(iat), tsMad = madSorted(iat);
    const countScore = span > 0 ? Math.min(t.length / (span / 10), 1) : 0;
    const tsScore = (1 - Math.abs(tsSkew) + (1 - Math.min(tsMad / 30, 1)) + countScore) / 3;
    const dsSkew = bowleySkew(ds), dsMad = madSorted(ds), dsMode = mode(ds);
    const dsScore = (1 - Math.abs(dsSkew) + (1 - Math.min(dsMad / 32, 1)) + (1 - Math.min(dsMode / 65535, 1))) / 3;
    const row: unknown[] = [g.values[0], g.values[1], t.length, span, quantileSorted(iat, 0.5), tsSkew, tsMad,
      tsScore, dsMode, dsSkew, dsMad, dsScore, (tsScore + dsScore) / 2];
    Object.values(cols).forEach((c, k) => c.push(row[k]));
  }
  return aq.table(cols).orderby(aq.desc("score"));
}
