// The scripts a report inlines so its charts are interactive offline: vega, vega-lite and vega-embed from
// node_modules (their minified UMD builds), read once.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";

const require = createRequire(import.meta.url);

function build(pkg: string, file: string): string {
  // The packages do not export package.json: find the package folder from its resolved entry.
  const entry = require.resolve(pkg);
  const marker = `${path.sep}node_modules${path.sep}${pkg}${path.sep}`;
  const dir = entry.slice(0, entry.lastIndexOf(marker) + marker.length);
  return readFileSync(path.join(dir, "build", file), "utf8");
}

let cached: string[] | undefined;

/** [vega, vega-lite, vega-embed] sources, in load order. */
export function chartScripts(): string[] {
  return (cached ??= [build("vega", "vega.min.js"), build("vega-lite", "vega-lite.min.js"), build("vega-embed", "vega-embed.min.js")]);
}

/** The package's version (package.json beside dist/). */
export function wirebookVersion(): string {
  try {
    const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..", "..", "..");
    return (JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}
