// explain(filter): the compiler's work made visible, like Wireshark's dftest — the tokens, the checked tree (with the
// columns each node reads and how values compare) and the generated JavaScript.

import { compileFilter } from "./compile.js";
import type { Check, Value } from "./ir.js";
import { scan } from "./scan.js";

/** Tokens, checked tree and generated code of `filter`, as text. Throws DisplayFilterError for an invalid filter. */
export function explain(filter: string): string {
  const tokens = scan(filter);
  const compiled = compileFilter(filter);
  const lines: string[] = [`Filter: ${filter}`, "", "Tokens:"];
  for (const t of tokens) {
    if (t.kind === "eof") continue;
    const detail = t.op ?? (t.value !== undefined && t.value !== t.text ? JSON.stringify(t.value) : "");
    lines.push(`  ${t.start.toString().padStart(3)}  ${t.kind.padEnd(9)} ${t.text}${detail ? `  (${detail})` : ""}`);
  }
  lines.push("", "Checked tree:");
  tree(compiled.checked, "  ", lines);
  lines.push("", `Columns read: ${compiled.fields.join(", ") || "(none)"}`, "", "Generated code:", compiled.source);
  return lines.join("\n");
}

function valueText(v: Value): string {
  switch (v.kind) {
    case "column": return `column ${v.column} (${v.type})`;
    case "const": {
      const shown = v.value instanceof Uint8Array ? Array.from(v.value, (b) => b.toString(16).padStart(2, "0")).join(":") : JSON.stringify(v.value);
      return `${v.type} ${shown}${v.prefix !== null && v.prefix < (v.type === "ipv6" ? 128 : 32) ? `/${v.prefix}` : ""}`;
    }
    case "slice": return `${valueText(v.of)}[${v.ranges.map((r) => `${r.from}:${r.length ?? ""}`).join(",")}]`;
    case "bytes": return `bytes(${valueText(v.of)})`;
    case "call": return `${v.fn}(${v.args.map(valueText).join(", ")}) -> ${v.type}`;
    case "arith": return `{${valueText(v.a)} ${v.op} ${valueText(v.b)}} -> ${v.type}`;
    case "neg": return `-${valueText(v.of)}`;
    case "none": return `no value (${v.type} reference)`;
  }
}

function tree(t: Check, indent: string, out: string[]): void {
  const q = (all: boolean) => (all ? "all" : "any");
  switch (t.kind) {
    case "true": case "false": out.push(`${indent}${t.kind}`); break;
    case "and": case "or": out.push(`${indent}${t.kind.toUpperCase()}`); tree(t.a, indent + "  ", out); tree(t.b, indent + "  ", out); break;
    case "not": out.push(`${indent}NOT`); tree(t.a, indent + "  ", out); break;
    case "exists": out.push(`${indent}exists ${t.column}`); break;
    case "flag": out.push(`${indent}flag ${t.column}`); break;
    case "nonempty": out.push(`${indent}nonempty ${valueText(t.value)}`); break;
    case "truthy": out.push(`${indent}non-zero ${valueText(t.value)}`); break;
    case "cmp": out.push(`${indent}${q(t.all)} ${t.op} (${t.how}): ${valueText(t.a)} | ${valueText(t.b)}`); break;
    case "contains": out.push(`${indent}${q(t.all)} contains: ${valueText(t.a)} | ${valueText(t.b)}`); break;
    case "matches": out.push(`${indent}${q(t.all)} matches ${t.re}: ${valueText(t.a)}`); break;
    case "in":
      out.push(`${indent}${q(t.all)} in (${t.how}): ${valueText(t.a)}`);
      for (const e of t.elems) out.push(`${indent}  ${valueText(e.lo)}${e.hi ? ` .. ${valueText(e.hi)}` : ""}`);
      break;
  }
}
