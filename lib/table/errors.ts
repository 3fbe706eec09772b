// User-facing errors of the table layer: an unknown field names the nearest registered ones.

import { allFields } from "../dissectors/registry.js";

/** An error meant for the analyst: its message says what is wrong and what to do. */
export class WirebookError extends Error {
  override name = "WirebookError";
}

/** Levenshtein distance, capped: enough to rank "did you mean" candidates. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

/** Registered field names nearest to `name` (at most `k`, within a distance that still looks like a typo). */
export function nearestFields(name: string, k = 3): string[] {
  const scored: [number, string][] = [];
  for (const { field } of allFields()) {
    const d = editDistance(name, field.abbrev);
    if (d <= Math.max(2, Math.floor(name.length / 3))) scored.push([d, field.abbrev]);
  }
  scored.sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : 1));
  return scored.slice(0, k).map((s) => s[1]);
}

export function unknownField(name: string): WirebookError {
  const near = nearestFields(name);
  const hint = near.length ? ` — did you mean ${near.map((n) => `\`${n}\``).join(", ")}?` : "";
  return new WirebookError(`unknown field \`${name}\`${hint}`);
}
