// Completion inside a filter string (the kernel's complete_request): the word at the cursor is a partial field or
// function name; offer the registered fields (registry completeField) and the filter functions that start with it.

import { completeField } from "../dissectors/registry.js";
import { FUNCTIONS } from "./functions.js";

export interface CompletionItem {
  readonly name: string;
  /** The field type ("uint16", "ipv4", …), or "function". */
  readonly type: string;
  readonly description: string;
}

export interface Completion {
  /** The text [from, to) the chosen item replaces. */
  readonly from: number;
  readonly to: number;
  readonly items: readonly CompletionItem[];
}

const WORD = /[A-Za-z0-9_.-]/;

/** True when `cursor` is inside a double-quoted string or a character constant of `text`. */
function inQuotes(text: string, cursor: number): boolean {
  let quote: string | null = null;
  for (let k = 0; k < cursor; k++) {
    const ch = text[k];
    if (quote !== null) {
      if (ch === "\\") k++;
      else if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
  }
  return quote !== null;
}

/** Field and function names that complete the word at `cursor` in `text`. Never throws. */
export function completeFilter(text: string, cursor: number, limit = 200): Completion {
  const at = Math.max(0, Math.min(cursor, text.length));
  if (inQuotes(text, at)) return { from: at, to: at, items: [] };
  let from = at;
  while (from > 0 && WORD.test(text[from - 1])) from--;
  let to = at;
  while (to < text.length && WORD.test(text[to])) to++;
  if (text[from] === ".") from++;
  if (from > 0 && (text[from - 1] === "#" || inBrackets(text, from))) return { from: at, to: at, items: [] };
  const prefix = text.slice(from, at);
  const items: CompletionItem[] = [];
  if (!prefix.includes(".")) {
    for (const f of FUNCTIONS) if (f.name.startsWith(prefix)) items.push({ name: f.name, type: "function", description: f.description });
  }
  for (const f of completeField(prefix, limit)) items.push({ name: f.abbrev, type: f.type, description: f.description });
  return { from, to, items: items.slice(0, limit) };
}

/** True when position p is inside a slice or layer range `[...]` (no completion there). */
function inBrackets(text: string, p: number): boolean {
  const open = text.lastIndexOf("[", p - 1), close = text.lastIndexOf("]", p - 1);
  return open > close;
}
