// Headless Chromium for report tests (Debian's chromium, started as the machine allows: no sandbox as root, no
// background networking): the DOM after scripts ran, and the log with console messages and network activity.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";

export const CHROMIUM = "/usr/bin/chromium";
/** Skip reason when Chromium is missing outside CI; in CI (CI=true) the test runs and fails instead. */
export const chromiumSkip = !existsSync(CHROMIUM) && process.env.CI !== "true" ? `${CHROMIUM} not found` : false;

/** Loads a file in headless Chromium; returns the DOM after scripts ran and the browser's log. */
export async function openInChromium(file: string): Promise<{ dom: string; log: string }> {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is required on CI`);
  const profile = await mkdtemp(path.join(os.tmpdir(), "wirebook-chromium-"));
  try {
    const r = spawnSync(CHROMIUM, ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      `--user-data-dir=${profile}`, "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000", "--dump-dom",
      `file://${file}`], { encoding: "utf8", timeout: 60_000, maxBuffer: 64 << 20 });
    assert.equal(r.status, 0, r.stderr);
    return { dom: r.stdout, log: r.stderr };
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

/** Console messages, CSP refusals and network activity in a Chromium log (dbus noise ignored). */
export function problems(log: string): string[] {
  return log.split("\n").filter((l) => /CONSOLE|Content Security Policy|Refused to|net::ERR|Uncaught|http:\/\/|https:\/\//.test(l));
}

/** Asserts a report's charts were drawn live by vega-embed, with no script error and no network request. */
export async function assertReportRenders(html: string, charts: number): Promise<void> {
  const { dom, log } = await openInChromium(html);
  const divs = dom.match(/<div class="chart[^"]*"/g) ?? [];
  assert.equal(divs.length, charts, "charts in the report");
  assert.ok(divs.every((c) => c.includes("embedded")), `every chart embedded: ${divs.join(" ")}`);
  assert.ok((dom.match(/<svg[^>]*class="marks"/g) ?? []).length >= charts, "vega-embed's SVG in the DOM");
  assert.deepEqual(problems(log), []);
}
