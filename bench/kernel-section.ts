// Kernel start-up and a trivial cell, measured by bench/kernel.ts (the kernel engineer's benchKernel()) when that
// file exists; skipped with a note otherwise.

import * as fs from "node:fs";
import type { Section } from "./sections.js";

/** Runs benchKernel() of bench/kernel.ts in a child process and reports its two timings. */
export const kernelSection: Section = {
  name: "kernel",
  async run(ctx) {
    if (!fs.existsSync(new URL("./kernel.js", import.meta.url))) {
      ctx.log("kernel: bench/kernel.ts not present, skipped");
      ctx.row({ name: "kernel start-up", note: "skipped: bench/kernel.ts not written yet" });
      return;
    }
    const r = await ctx.child("kernel.js", "benchKernel");
    const v = r.value as { startupMs?: number; trivialCellMs?: number };
    ctx.row({ name: "kernel start-up", ms: v.startupMs, note: "benchKernel().startupMs" });
    ctx.row({ name: "kernel trivial cell", ms: v.trivialCellMs, note: "benchKernel().trivialCellMs" });
  },
};
