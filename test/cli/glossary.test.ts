// The field reference is the registry's: docs/fields.md must be what `npm run docs` writes now (a field added
// without regenerating it fails here), it must list every registered field exactly once under its protocol, and
// `wirebook glossary` must print the same registry in tshark -G fields style.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { fieldReferenceMarkdown, glossaryLines } from "../../lib/dissectors/field-reference.js";
import { allFields, DISSECTORS } from "../../lib/dissectors/registry.js";
import { projectRoot } from "../oracle/tshark.js";

const ROOT = projectRoot();

/** The registered fields other than protocol presence fields (those are the P lines / the sections). */
function registeredFields(): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of allFields()) if (e.field.type !== "protocol") out.set(e.field.abbrev, e.dissector?.proto ?? "frame");
  return out;
}

/** Splits a Markdown table row on its unescaped `|`. */
function cells(row: string): string[] {
  return row.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim());
}

test("docs/fields.md is the reference the registry gives now (run `npm run docs` after changing a field)", () => {
  const committed = fs.readFileSync(path.join(ROOT, "docs", "fields.md"), "utf8");
  assert.equal(committed, fieldReferenceMarkdown());
});

test("the reference lists every registered field once, under its own protocol, with its type and description", () => {
  const want = registeredFields(), seen = new Map<string, string>();
  let section = "";
  for (const line of fieldReferenceMarkdown().split("\n")) {
    if (line.startsWith("## ")) section = line.slice(3);
    if (!line.startsWith("| `")) continue;
    const c = cells(line);
    assert.equal(c.length, 3, `a row with other than 3 cells: ${line}`);
    const abbrev = c[0].replace(/`/g, "");
    assert.ok(!seen.has(abbrev), `${abbrev} listed twice`);
    seen.set(abbrev, section);
    const e = [...allFields()].find((x) => x.field.abbrev === abbrev)!;
    assert.ok(e, `${abbrev} is not registered`);
    assert.ok(c[1].startsWith(e.field.type), `${abbrev}: type ${c[1]}`);
    assert.ok(c[2].length > 0, `${abbrev}: no description`);
  }
  assert.deepEqual([...seen].sort(), [...want].sort());
  assert.ok(want.size > 1000, `only ${want.size} fields registered`);
});

test("wirebook glossary prints a P line per protocol and an F line per field; --markdown the reference", () => {
  const run = (args: string[]) => spawnSync(process.execPath, [path.join(ROOT, "bin", "wirebook.js"), ...args], { encoding: "utf8", maxBuffer: 1 << 26 });
  const plain = run(["glossary"]);
  assert.equal(plain.status, 0, plain.stderr);
  const lines = plain.stdout.trimEnd().split("\n");
  assert.deepEqual(lines, glossaryLines());
  const p = lines.filter((l) => l.startsWith("P\t")).map((l) => l.split("\t")[2]);
  assert.deepEqual(p, ["frame", ...DISSECTORS.map((d) => d.proto)]);
  const f = new Map(lines.filter((l) => l.startsWith("F\t")).map((l) => { const c = l.split("\t"); return [c[2], c[4]] as [string, string]; }));
  assert.deepEqual([...f].sort(), [...registeredFields()].sort());
  for (const l of lines) assert.equal(l.split("\t").length, l.startsWith("P\t") ? 3 : 6, `a line with tabs in a value: ${l}`);
  const md = run(["glossary", "--markdown"]);
  assert.equal(md.status, 0, md.stderr);
  assert.equal(md.stdout, fieldReferenceMarkdown());
  const bad = run(["glossary", "--nope"]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unexpected argument '--nope'/);
});

test("wirebook glossary ends quietly when its reader goes away (| head)", () => {
  const r = spawnSync("bash", ["-c", `set -o pipefail; node ${JSON.stringify(path.join(ROOT, "bin", "wirebook.js"))} glossary | head -2`], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.split("\n").length, 3);
  assert.equal(r.stderr, "");
});
