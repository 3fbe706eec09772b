// The hook for benchmark sections beyond the built-in ones (DSL filters vs tshark -Y, message tables vs tshark,
// kernel start-up): each is `{ name, run(ctx) }`, runs after the built-ins in the order listed, and reports through
// ctx.row() and ctx.target(). `npm run bench -- --only <name>` runs just that section.
// To add one: write bench/<name>.ts exporting a Section, then add one import and one entry below (your lines only).

import type { ChildResult, CommandResult } from "./proc.js";
import { kernelSection } from "./kernel-section.js";
// -- section imports (one line each) --
import { filtersSection } from "./filters-section.js";
import { messagesSection } from "./messages-section.js";

/** One line of the results table. */
export interface Row {
  /** A stable id other code can find the row by ("decode", "tshark"); optional. */
  key?: string;
  /** What was measured: "tshark -Y 'mqtt.topic contains \"x\"'". */
  name: string;
  /** Packets processed (for packets/s); omit for measurements that are not per packet. */
  packets?: number;
  /** Bytes processed (for MB/s), usually the capture's size. */
  bytes?: number;
  /** Wall time in milliseconds. */
  ms?: number;
  /** CPU time (user + system, all threads) in milliseconds: steadier than wall time on a busy machine. */
  cpuMs?: number;
  /** Peak RSS in KiB of the process that did the work. */
  maxRssKB?: number;
  /** A short remark printed after the row (scaled, subset of fields, error …). */
  note?: string;
  /** Extra numbers kept in the JSON results. */
  extra?: Record<string, unknown>;
}

/** A goal with its measured value; pass is null when it could not be measured. */
export interface Target {
  name: string;
  /** The measured value, as printed ("142×", "1.31"). */
  value: string;
  /** The goal, as printed ("≥ 100×"). */
  goal: string;
  pass: boolean | null;
  note?: string;
}

/** What a section gets. Measurements belong in child processes (ctx.child / ctx.command), not in the runner. */
export interface BenchContext {
  /** The benchmark capture (classic pcap, Ethernet, microsecond). */
  readonly capture: { path: string; packets: number; bytes: number; sha256: string };
  /** --quick: run slow peers on fewer packets and scale, saying so. */
  readonly quick: boolean;
  /** --repeat: how often to run each measurement, and its tshark peer, keeping the fastest (bench/repeat.ts). */
  readonly repeat: number;
  /** A scratch folder next to the capture (kept between runs). */
  readonly dir: string;
  /** The L2–L4 field list of the decode measurements, and the subset tshark knows. */
  readonly fields: readonly string[];
  readonly tsharkFields: readonly string[];
  /** Runs export `fn` of a compiled bench module (e.g. "measure-dsl.js") in a fresh node; see proc.ts. */
  child(module: string, fn: string, args?: unknown): Promise<ChildResult>;
  /** Runs a command with stdout to `stdoutTo` (default /dev/null); wall time and peak RSS. */
  command(cmd: string, args: readonly string[], stdoutTo?: string): Promise<CommandResult>;
  /**
   * The capture, or its first `packets` packets when --quick (cut with editcap and cached), with the factor to scale
   * times by. Use it for slow peers.
   */
  peerCapture(packets?: number): Promise<{ path: string; packets: number; scale: number }>;
  row(r: Row): void;
  target(t: Target): void;
  /** Progress text on stderr. */
  log(msg: string): void;
}

export interface Section {
  name: string;
  run(ctx: BenchContext): Promise<void>;
}

/** Sections run after the built-in measurements, in this order. */
export const SECTIONS: Section[] = [
  // -- sections (one entry each) --
  filtersSection,
  messagesSection,
  kernelSection,
];
