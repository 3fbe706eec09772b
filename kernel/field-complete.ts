// Completion and inspection of field names inside string literals: `capture.filter("mqtt.q|")` offers the
// registry's fields (Wireshark abbrevs), and inspecting one shows its description and type.
// The registry is the one table every consumer reads (lib/dissectors/registry.ts).

import { completeField, lookupField } from "../lib/dissectors/registry.js";
import type { FieldDef } from "../lib/dissectors/field.js";

/** Characters of a field name or a partial one ("tcp.flags.syn", "eth.src"). */
const FIELD_CHAR = /[A-Za-z0-9_.\-]/;

/**
 * The UTF-16 index where the string literal around `pos` starts its text, or -1 when `pos` is not inside one.
 * A small lexer: quotes, template text (with nested `${...}`), comments. Never throws.
 */
export function stringStartAt(code: string, pos: number): number {
  type Mode = "code" | "line" | "block" | "'" | '"' | "`";
  let mode: Mode = "code";
  let start = -1;
  const braces: number[] = []; // for each open `${`, the brace depth at which it closes
  let depth = 0;
  for (let i = 0; i < pos && i < code.length; i++) {
    const c = code[i];
    const next = code[i + 1];
    switch (mode) {
      case "code":
        if (c === "/" && next === "/") { mode = "line"; i++; }
        else if (c === "/" && next === "*") { mode = "block"; i++; }
        else if (c === "'" || c === '"' || c === "`") { mode = c; start = i + 1; }
        else if (c === "{") depth++;
        else if (c === "}") {
          if (braces.length > 0 && braces[braces.length - 1] === depth) { braces.pop(); mode = "`"; start = i + 1; }
          else depth--;
        }
        break;
      case "line": if (c === "\n") mode = "code"; break;
      case "block": if (c === "*" && next === "/") { mode = "code"; i++; } break;
      case "`":
        if (c === "\\") i++;
        else if (c === "`") mode = "code";
        else if (c === "$" && next === "{") { braces.push(depth); mode = "code"; i++; }
        break;
      default: // quoted string
        if (c === "\\") i++;
        else if (c === mode) mode = "code";
        else if (c === "\n") mode = "code"; // an unterminated quote ends at the line
    }
  }
  return mode === "'" || mode === '"' || mode === "`" ? start : -1;
}

/** The field-name word around `pos` inside a string: [start, end) in UTF-16 indices, or undefined. */
export function fieldWordAt(code: string, pos: number, extendRight: boolean): { start: number; end: number } | undefined {
  const lit = stringStartAt(code, pos);
  if (lit < 0) return undefined;
  let start = pos;
  while (start > lit && FIELD_CHAR.test(code[start - 1])) start--;
  let end = pos;
  if (extendRight) while (end < code.length && FIELD_CHAR.test(code[end])) end++;
  return { start, end };
}

/** Field names completing the word before `pos` inside a string, or undefined when not in one or nothing fits. */
export function completeFieldAt(code: string, pos: number):
  { start: number; end: number; fields: FieldDef[] } | undefined {
  const word = fieldWordAt(code, pos, false);
  if (!word) return undefined;
  const fields = completeField(code.slice(word.start, pos));
  return fields.length > 0 ? { start: word.start, end: pos, fields } : undefined;
}

/** The registered field named by the word around `pos` inside a string, or undefined. */
export function fieldAt(code: string, pos: number): FieldDef | undefined {
  const word = fieldWordAt(code, pos, true);
  if (!word || word.end === word.start) return undefined;
  return lookupField(code.slice(word.start, word.end))?.field;
}

/** The inspect text of a field: markdown and plain. */
export function describeField(f: FieldDef): { markdown: string; plain: string } {
  const values = f.values ? Object.entries(f.values).slice(0, 12).map(([k, v]) => `${k} = ${v}`) : [];
  const plain = [`${f.abbrev}: ${f.type}`, f.name, f.description, ...(values.length ? ["values: " + values.join(", ")] : [])]
    .join("\n");
  const markdown = [`**${f.abbrev}** \`${f.type}\` — ${f.name}`, "", f.description,
    ...(values.length ? ["", "Values: " + values.map((v) => `\`${v}\``).join(", ")] : [])].join("\n");
  return { markdown, plain };
}
