// Phase 5: filter text -> a compiled predicate over columns. Parses and checks once; generates and compiles the
// predicate lazily per combination of column shapes (dense or repeated, storage), since whether a field repeats is
// only known once its column is decoded (ip.src repeats in a capture with tunnels or ICMP errors).

import type { Column } from "../decode/column.js";
import { storageOf } from "../dissectors/field.js";
import { lookupField } from "../dissectors/registry.js";
import { check } from "./check.js";
import { columnsOf, generate, type ColumnLayout } from "./codegen.js";
import { FUNCTIONS } from "./functions.js";
import type { Check } from "./ir.js";
import { parse } from "./parse.js";
import * as R from "./runtime.js";
import { scan } from "./scan.js";

export { DisplayFilterError } from "./messages.js";

/** A display filter compiled to a predicate over a capture's columns. */
export interface CompiledFilter {
  /** The filter as written. */
  readonly text: string;
  /**
   * Every column the predicate reads: field names (protocol presence fields like "tcp" included) and pseudo-columns
   * such as "frame[-4:]", "ip.src#[2:1]" or "tcp[*] contains 474554" (raw-names.ts; raw.ts computes them).
   */
  readonly fields: readonly string[];
  /**
   * Evaluates the filter over frames 0..n-1: out[i] = 1 when frame i is selected, else 0. `column(name)` must return
   * the column of each name in `fields`. Reads nothing else; never throws for well-formed columns.
   */
  run(column: (abbrev: string) => Column, n: number, out?: Uint8Array): Uint8Array;
  /** The generated JavaScript (for columns of their usual, non-repeated shape). */
  readonly source: string;
  /** The checked tree the predicate was generated from. */
  readonly checked: Check;
}

type Predicate = (C: readonly Column[], n: number, out: Uint8Array, K: readonly unknown[], r: typeof R, F: FunctionTable) => Uint8Array;
type FunctionTable = Record<string, (args: readonly (readonly R.RValue[])[], types: readonly string[]) => R.RValue[]>;

const F: FunctionTable = Object.fromEntries(FUNCTIONS.map((f) => [f.name, f.impl as FunctionTable[string]]));

class Compiled implements CompiledFilter {
  readonly fields: readonly string[];
  private readonly byShape = new Map<string, { fn: Predicate; K: readonly unknown[] }>();

  constructor(readonly text: string, readonly checked: Check) {
    this.fields = columnsOf(checked);
  }

  run(column: (abbrev: string) => Column, n: number, out: Uint8Array = new Uint8Array(n)): Uint8Array {
    if (out.length < n) throw new RangeError(`out has ${out.length} slots for ${n} frames`);
    const cols = this.fields.map((f) => column(f));
    const key = cols.map((c) => c.shapeKey).join(",");
    let hit = this.byShape.get(key);
    if (hit === undefined) {
      const shapes = new Map<string, ColumnLayout>(cols.map((c, k) => [this.fields[k], layoutOf(c)]));
      const gen = generate(this.checked, shapes);
      hit = { fn: new Function("C", "n", "out", "K", "R", "F", gen.source) as Predicate, K: gen.constants };
      this.byShape.set(key, hit);
    }
    return hit.fn(cols, n, out, hit.K, R, F);
  }

  get source(): string {
    const shapes = new Map<string, ColumnLayout>(this.fields.map((f) => [f, usualShape(f)]));
    return generate(this.checked, shapes).source;
  }
}

/** What the generator needs of a column: its storage and the layout and encoding of each level. */
function layoutOf(c: Column): ColumnLayout {
  return { multi: c.multi, storage: c.storage, levels: c.levels.map((l) => ({ layout: l.layout, repeat: l.repeat, enc: l.enc.kind })) };
}

/**
 * A field's shape for showing the generated code: one level, values by row with a byte of presence each, stored as
 * its type says (pseudo-columns hold JS values); a field that repeats gets a level for the repeats.
 */
function usualShape(name: string): ColumnLayout {
  const e = lookupField(name);
  const storage = e ? storageOf(e.field.type) : "any";
  const enc = storage === "any" ? "any" : storage === "fixed16" ? "fixed16" : "num";
  const levels: ColumnLayout["levels"] = [{ layout: "valid", repeat: false, enc }];
  const multi = e?.field.each !== undefined;
  return { multi, storage, levels: multi ? [...levels, { layout: "rows", repeat: true, enc }] : levels };
}

const memo = new Map<string, Compiled>();
const MEMO_SIZE = 256;

/** Compiles a display filter. Throws a DisplayFilterError (with a caret under the problem) for an invalid one. */
export function compileFilter(text: string): CompiledFilter {
  const hit = memo.get(text);
  if (hit) return hit;
  const checked = check(text, parse(text, scan(text)));
  const c = new Compiled(text, checked);
  if (memo.size >= MEMO_SIZE) memo.delete(memo.keys().next().value!);
  memo.set(text, c);
  return c;
}
