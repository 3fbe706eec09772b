// Frame-by-frame comparison of our fields with tshark 4.0's: the one loop and the one report of every per-protocol
// conformance helper (coap, dns, mqtt, modbus, transport, btle …). One cached tshark run per (file, fields, tshark
// arguments), our columns of the same fields, then each frame cell by cell. What a protocol does its own way comes as
// options: decode as, more tshark arguments, context fields, frames or cells left out and differences excused under
// named reasons (counted, never silently), and checks of its own (hooks).

import type { Column } from "../../lib/decode/column.js";
import { open, type Capture } from "../../lib/table/capture.js";
import { formatFrame } from "../../lib/table/tshark-format.js";
import { tsharkFields } from "../oracle/tshark.js";

export interface Mismatch { frame: number; field: string; tshark: string; ours: string }

export interface Result<R extends string = string> {
  file: string;
  /** Frames of the capture (ours; when tshark reads another count, that is a "frame count" mismatch). */
  frames: number;
  /** Frames with the protocol: those where either side shows a compared field, unless `isMessage` says otherwise. */
  messages: number;
  /** Fields compared cell by cell. */
  fields: number;
  /** Cells compared: fields x frames looked at, plus the protocol's own checks. */
  compared: number;
  mismatches: Mismatch[];
  /** Frames or cells left out, and differences excused, each counted under its reason. */
  excluded: Map<R, number>;
}

/** "Decode as" on both sides: tshark's `-d TABLE==VALUE,PROTO` and Capture.decodeAs(TABLE, VALUE, PROTO). */
export interface DecodeAs { table: "tcp.port" | "udp.port"; value: number; proto: string }

/** One frame as the hooks see it (the same object, moved along the frames). */
export interface Frame<R extends string = string> {
  /** 0-based frame index. */
  readonly i: number;
  /** tshark's text of an asked field (compared or in `theirContext`). */
  theirs(field: string): string;
  /** Our column of a compared field or of one in `ourContext`. */
  column(field: string): Column;
  /** Our text (formatFrame) of a compared field or of one in `ourContext`. */
  ours(field: string): string;
  /** A cell of the protocol's own, compared as the declared fields are (leaveOut, count, excuse, mismatch). */
  cell(field: string, theirs: string, ours: string): void;
  /** Counts one cell compared (a check of the protocol's own; report its failure with `mismatch`). */
  compared(): void;
  mismatch(field: string, theirs: string, ours: string): void;
  /** Counts `n` frames or cells left out under `reason`. */
  skip(reason: R, n?: number): void;
}

export interface CompareOptions<R extends string = string> {
  /** Fields compared cell by cell, in this order (also the order of tshark's -e, so part of its cache key). */
  fields: readonly string[];
  /** More fields asked of tshark, for the hooks (after `fields`; one already there is not asked twice). */
  theirContext?: readonly string[];
  /** More of our columns, for the hooks. */
  ourContext?: readonly string[];
  decodeAs?: DecodeAs;
  /** More tshark arguments (preferences: `-o name:value`). */
  tsharkArgs?: readonly string[];
  /** Every frame is compared; by default only those where either side shows a compared field. */
  everyFrame?: boolean;
  /** What counts as a frame with the protocol (Result.messages); by default, either side shows a compared field. */
  isMessage?(f: Frame<R>): boolean;
  /** Once per file, before the frames: all of tshark's rows (columns as `col` says) and our capture. */
  begin?(rows: readonly string[][], col: (field: string) => number, cap: Capture): void;
  /** A frame left out as a whole, under a reason and counted `count` times (a frame, or its cells); null: compared. */
  leaveFrame?(f: Frame<R>): { reason: R; count: number } | null;
  /** Per frame, before its cells: the protocol's own checks, and any state its cell hooks need. */
  before?(f: Frame<R>): void;
  /**
   * The texts a cell compares, when not the printed ones: e.g. our protocol fields by presence only, or both stacks
   * cut at the layers compared. Given tshark's text and ours (formatFrame's); returns [theirs, ours].
   */
  view?(f: Frame<R>, field: string, theirs: string, ours: string): readonly [string, string];
  /** A cell left out before it is compared (not counted as compared), under the reason returned; null: compared. */
  leaveOut?(f: Frame<R>, field: string, theirs: string, ours: string): R | null;
  /** A differing cell (counted as compared) excused under the reason returned; null: a mismatch. */
  excuse?(f: Frame<R>, field: string, theirs: string, ours: string): R | null;
  /** Per frame, after its cells: the protocol's own checks (MQTT's text forms). */
  after?(f: Frame<R>): void;
}

/** tshark's arguments for a DecodeAs (none without one). */
export const decodeAsArgs = (d: DecodeAs | undefined): string[] => (d ? ["-d", `${d.table}==${d.value},${d.proto}`] : []);

const unique = (xs: readonly string[]): string[] => [...new Set(xs)];

/** Compares one capture as `opts` says. */
export async function compareFrames<R extends string = string>(file: string, opts: CompareOptions<R>): Promise<Result<R>> {
  const { fields } = opts;
  const asked = unique([...fields, ...(opts.theirContext ?? [])]);
  const mine = unique([...fields, ...(opts.ourContext ?? [])]);
  const args = [...decodeAsArgs(opts.decodeAs), ...(opts.tsharkArgs ?? [])];
  const rows = await tsharkFields(file, asked, args.length > 0 ? { args } : {});
  const cap = await open(file);
  if (opts.decodeAs) cap.decodeAs(opts.decodeAs.table, opts.decodeAs.value, opts.decodeAs.proto);
  const res: Result<R> = { file, frames: cap.count, messages: 0, fields: fields.length, compared: 0, mismatches: [], excluded: new Map() };
  try {
    const cols = cap.columns(mine);
    const theirCol = new Map(asked.map((f, k) => [f, k])), ourCol = new Map(mine.map((f, k) => [f, cols[k]]));
    const index = (m: Map<string, number>, field: string) => {
      const k = m.get(field);
      if (k === undefined) throw new Error(`compareFrames: ${field} was not asked of tshark`);
      return k;
    };
    const column = (field: string) => {
      const c = ourCol.get(field);
      if (c === undefined) throw new Error(`compareFrames: ${field} is not one of our columns here`);
      return c;
    };
    opts.begin?.(rows, (field) => index(theirCol, field), cap);
    let row: string[] = [];
    const f: Frame<R> & { i: number } = {
      i: 0,
      theirs: (field) => row[index(theirCol, field)],
      column,
      ours: (field) => formatFrame(column(field), f.i),
      cell(field, theirs, ours) {
        const out = opts.leaveOut?.(f, field, theirs, ours) ?? null;
        if (out !== null) return f.skip(out);
        res.compared++;
        if (theirs === ours) return;
        const why = opts.excuse?.(f, field, theirs, ours) ?? null;
        if (why !== null) f.skip(why);
        else f.mismatch(field, theirs, ours);
      },
      compared: () => { res.compared++; },
      mismatch: (field, theirs, ours) => { res.mismatches.push({ frame: f.i + 1, field, tshark: theirs, ours }); },
      skip: (reason, n = 1) => { res.excluded.set(reason, (res.excluded.get(reason) ?? 0) + n); },
    };
    const fieldCols = fields.map(column);
    for (let i = 0; i < Math.min(cap.count, rows.length); i++) {
      f.i = i;
      row = rows[i];
      const ours = fieldCols.map((c) => formatFrame(c, i));
      const shown = fields.some((_, k) => row[k] !== "" || ours[k] !== "");
      if (!shown && !opts.everyFrame) continue;
      if (opts.isMessage ? opts.isMessage(f) : shown) res.messages++;
      const left = opts.leaveFrame?.(f) ?? null;
      if (left !== null) { f.skip(left.reason, left.count); continue; }
      opts.before?.(f);
      fields.forEach((field, k) => {
        const [t, o] = opts.view ? opts.view(f, field, row[k], ours[k]) : [row[k], ours[k]];
        f.cell(field, t, o);
      });
      opts.after?.(f);
    }
    if (rows.length !== cap.count) res.mismatches.push({ frame: 0, field: "frame count", tshark: String(rows.length), ours: String(cap.count) });
  } finally {
    cap.close();
  }
  return res;
}

/** Compares `fields` on one capture, every frame where either side shows any of them; no exception. */
export function compareFields(file: string, fields: readonly string[]): Promise<Result> {
  return compareFrames(file, { fields });
}

export interface ReportOptions<R extends string> {
  /** What the protocol's frames are called in the first line ("CoAP", "Modbus/TCP"). */
  label: string;
  /** The text of each reason, printed with its count. */
  reasons?: Readonly<Record<R, string>>;
  /** Longest value printed; longer ones end in "…". */
  clip?: number;
  /** Lines at most for the differing fields (the rest are counted in the first line). */
  maxLines?: number;
}

/**
 * One line per file (frames with the protocol, fields, cells compared, mismatches), one per differing field (its
 * count and first example), one per reason with its count.
 */
export function report<R extends string>(r: Result<R>, o: ReportOptions<R>): string {
  const clipAt = o.clip ?? 70, maxLines = o.maxLines ?? Infinity;
  const clip = (s: string) => (s.length > clipAt ? s.slice(0, clipAt - 1) + "…" : s);
  const name = r.file.split("/").pop();
  const lines = [`${name}: ${r.messages} frames with ${o.label} of ${r.frames}, ${r.fields} fields, ${r.compared} cells compared, ${r.mismatches.length} mismatches`];
  const by = new Map<string, Mismatch[]>();
  for (const m of r.mismatches) (by.get(m.field) ?? by.set(m.field, []).get(m.field)!).push(m);
  let shown = 0;
  for (const [field, ms] of by) {
    if (shown++ >= maxLines) { lines.push(`  … ${by.size - maxLines} more fields differ`); break; }
    lines.push(`  ${field}: ${ms.length} frames, first #${ms[0].frame}: tshark ${JSON.stringify(clip(ms[0].tshark))} ours ${JSON.stringify(clip(ms[0].ours))}`);
  }
  for (const [reason, n] of r.excluded) lines.push(`  ${reason} (${n}): ${o.reasons?.[reason] ?? "no reason given"}`);
  return lines.join("\n");
}
