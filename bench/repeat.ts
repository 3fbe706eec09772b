// --repeat N: a measurement run N times, the fastest kept. Both sides of a ratio get the same treatment (Wirebook's
// child and tshark alike), so N > 1 narrows the run-to-run noise of a shared machine without favouring either.

import type { ChildResult, CommandResult } from "./proc.js";
import type { BenchContext } from "./sections.js";

/** Runs a child measurement `ctx.repeat` times and keeps the fastest run (by `time`, default its wall time). */
export async function fastestChild(ctx: BenchContext, module: string, fn: string, args: unknown,
  time = (r: ChildResult) => r.ms): Promise<ChildResult & { runs: number }> {
  let best: ChildResult | null = null;
  for (let i = 0; i < ctx.repeat; i++) {
    const r = await ctx.child(module, fn, args);
    if (best === null || time(r) < time(best)) best = r;
  }
  return { ...best!, runs: ctx.repeat };
}

/** Runs a command `ctx.repeat` times, its output to `stdoutTo` (the same every run), and keeps the fastest run. */
export async function fastestCommand(ctx: BenchContext, cmd: string, args: readonly string[], stdoutTo?: string): Promise<CommandResult & { runs: number }> {
  let best: CommandResult | null = null;
  for (let i = 0; i < ctx.repeat; i++) {
    const r = await ctx.command(cmd, args, stdoutTo);
    // A failed run is kept as it is: the caller reports the failure rather than a faster success.
    if (r.code !== 0) return { ...r, runs: i + 1 };
    if (best === null || r.ms < best.ms) best = r;
  }
  return { ...best!, runs: ctx.repeat };
}

/** "best of N" for a row's note, or "" for a single run. */
export const bestOf = (runs: number): string => (runs > 1 ? `best of ${runs}` : "");
