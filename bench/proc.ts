// Running measurements in processes of their own, so each one's peak RSS is its own: Node functions through
// child.ts, external tools (tshark, editcap) under /usr/bin/time -v, or polled through /proc when that is missing.

import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { KERNEL_ENV } from "../kernel/install.js";
import { RESULT_MARK, type ChildResult } from "./child.js";

export type { ChildResult } from "./child.js";

/** What running a command cost. */
export interface CommandResult {
  /** Wall time from spawn to exit, including the tool's own start-up. */
  ms: number;
  /** CPU time (user + system) of the command, ms. */
  cpuMs: number;
  /** Peak resident set size in KiB (VmHWM / ru_maxrss). */
  maxRssKB: number;
  code: number;
  /** The last few KiB of its standard error. */
  stderr: string;
}

const CHILD_JS = fileURLToPath(new URL("./child.js", import.meta.url));
const TIME = "/usr/bin/time";
const STDERR_KEEP = 4096;

/**
 * Runs export `fn` of the compiled module `module` (a path relative to dist/bench, or absolute) in a fresh
 * `node --expose-gc`, passing `args` (JSON). Rejects with the child's stderr when it fails.
 */
export function runChild(module: string, fn: string, args: unknown = null, nodeArgs: readonly string[] = [], timeoutMs = 30 * 60_000): Promise<ChildResult> {
  const target = path.isAbsolute(module) ? module : fileURLToPath(new URL(module, import.meta.url));
  return new Promise((resolve, reject) => {
    // Wirebook's measurements run as the kernel runs (its environment: kernel/install.ts KERNEL_ENV).
    const child = spawn(process.execPath, ["--expose-gc", ...nodeArgs, CHILD_JS, target, fn, JSON.stringify(args)],
      { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...KERNEL_ENV } });
    let out = "", err = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => { out += d; });
    child.stderr.setEncoding("utf8").on("data", (d: string) => { err = (err + d).slice(-STDERR_KEEP); });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (e) => { clearTimeout(timer); reject(e); });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const line = out.split("\n").find((l) => l.startsWith(RESULT_MARK));
      if (code === 0 && line) resolve(JSON.parse(line.slice(RESULT_MARK.length)) as ChildResult);
      else reject(new Error(`${path.basename(target)} ${fn}: exit ${code ?? signal}\n${err.trim()}`));
    });
  });
}

/** True when GNU time is installed (it reports the child's ru_maxrss). */
export function haveTime(): boolean {
  return fs.existsSync(TIME);
}

/**
 * Runs `cmd args` with stdout to `stdoutTo` (default /dev/null) and returns its wall time and peak RSS.
 * Uses /usr/bin/time -v when installed; otherwise polls /proc/<pid>/status VmHWM every 20 ms. Never throws for a
 * non-zero exit (the code is returned); rejects only when the command cannot be started.
 */
export function runCommand(cmd: string, args: readonly string[], stdoutTo = "/dev/null"): Promise<CommandResult> {
  const timeFile = path.join(os.tmpdir(), `wirebook-bench-time-${process.pid}-${Date.now()}.txt`);
  const useTime = haveTime();
  const argv = useTime ? ["-v", "-o", timeFile, cmd, ...args] : [...args];
  const out = fs.openSync(stdoutTo, "w");
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(useTime ? TIME : cmd, argv, { stdio: ["ignore", out, "pipe"] });
    let err = "", hwm = 0, ticks = 0;
    child.stderr!.setEncoding("utf8").on("data", (d: string) => { err = (err + d).slice(-STDERR_KEEP); });
    const poll = useTime ? null : setInterval(() => {
      hwm = Math.max(hwm, vmHwm(child.pid));
      ticks = Math.max(ticks, cpuTicks(child.pid));
    }, 20);
    child.on("error", (e) => { if (poll) clearInterval(poll); fs.closeSync(out); reject(e); });
    child.on("close", (code) => {
      const ms = performance.now() - t0;
      if (poll) clearInterval(poll);
      fs.closeSync(out);
      let maxRssKB = hwm, cpuMs = ticks * 10; // USER_HZ is 100 on Linux
      if (useTime) {
        const report = fs.existsSync(timeFile) ? fs.readFileSync(timeFile, "utf8") : "";
        fs.rmSync(timeFile, { force: true });
        maxRssKB = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(report)?.[1] ?? 0);
        const secs = (what: string) => Number(new RegExp(`${what} time \\(seconds\\): ([\\d.]+)`).exec(report)?.[1] ?? 0);
        cpuMs = (secs("User") + secs("System")) * 1000;
        const status = /Exit status: (\d+)/.exec(report);
        if (status) code = Number(status[1]);
      }
      resolve({ ms, cpuMs, maxRssKB, code: code ?? -1, stderr: err });
    });
  });
}

/** VmHWM of a live process in KiB, 0 when it is gone. */
function vmHwm(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    return Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** utime + stime of a live process in clock ticks (/proc/<pid>/stat fields 14 and 15), 0 when it is gone. */
function cpuTicks(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}

/** Runs a command and returns its stdout (for tshark -G fields, capinfos); rejects on a non-zero exit. */
export function capture(cmd: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => { out += d; });
    child.stderr.setEncoding("utf8").on("data", (d: string) => { err = (err + d).slice(-STDERR_KEEP); });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} exit ${code}: ${err.trim()}`))));
  });
}
