// Phase 4: checked tree -> JavaScript source of a predicate loop, specialised for the shape of each column it reads
// (Arquero's src/expression/codegen.js: a visitors table, one function per node kind). A column is stored by level
// (decode/level.ts): a test on a one-level column against a constant becomes a flat expression inside the loop (a
// presence check — a byte, a bit, or a forward cursor over sparse rows — then the value test); a column with
// repeated values gets a small helper walking the frame's levels with Wireshark's any/all rule; everything else
// goes through generic value lists (R.pairs). A test on dictionary-coded or constant values is evaluated once per
// distinct value before the loop (a table indexed by code). Constants are serialised: numbers as numeric literals,
// every other value as an entry of the constants array K — user text is never spliced into the source.

import type { Enc, Layout } from "../decode/level.js";
import type { Check, Value } from "./ir.js";
import { fastElem, INT_STORAGE, isU32, JS_OP, num, setElem, sliceElem, type Access, type ColumnShape, type Elem, type ElemContext } from "./codegen-elems.js";

/** One level of a column as the generator needs it (decode/level.ts). */
export interface LevelShape {
  readonly layout: Layout;
  readonly repeat: boolean;
  readonly enc: Enc["kind"];
}

/** A column's shape: its storage and levels (none: the field never occurs). */
export interface ColumnLayout extends ColumnShape {
  readonly levels: readonly LevelShape[];
}

/** Generated source and the constants it refers to. */
export interface Generated {
  /** Body of `function (C, n, out, K, R, F)`: C the columns in `columns` order. */
  readonly source: string;
  readonly constants: readonly unknown[];
  /** Every column the predicate reads, in C order. */
  readonly columns: readonly string[];
}

/** Every column a checked filter reads (the order codegen binds them in). */
export function columnsOf(root: Check): string[] {
  const out = new Set<string>();
  const value = (v: Value): void => {
    switch (v.kind) {
      case "column": out.add(v.column); break;
      case "slice": case "bytes": case "neg": value(v.of); break;
      case "call": v.args.forEach(value); break;
      case "arith": value(v.a); value(v.b); break;
      default: break;
    }
  };
  const test = (t: Check): void => {
    switch (t.kind) {
      case "and": case "or": test(t.a); test(t.b); break;
      case "not": test(t.a); break;
      case "exists": case "flag": out.add(t.column); break;
      case "nonempty": case "truthy": value(t.value); break;
      case "cmp": value(t.a); value(t.b); break;
      case "contains": value(t.a); value(t.b); break;
      case "matches": value(t.a); break;
      case "in": value(t.a); t.elems.forEach((e) => { value(e.lo); if (e.hi) value(e.hi); }); break;
      default: break;
    }
  };
  test(root);
  return [...out];
}



/** Generates the predicate for `root` given each column's shape. */
export function generate(root: Check, shapes: ReadonlyMap<string, ColumnLayout>): Generated {
  const g = new Gen(shapes, columnsOf(root));
  const expr = g.test(root);
  const body = [
    '"use strict";',
    ...g.prologue,
    ...g.helpers,
    "for (let i = 0; i < n; i++) {",
    `  out[i] = ${expr} ? 1 : 0;`,
    "}",
    "return out;",
  ].join("\n");
  return { source: body, constants: g.constants, columns: g.columns };
}

class Gen implements ElemContext {
  readonly prologue: string[] = [];
  readonly helpers: string[] = [];
  readonly constants: unknown[] = [];
  private readonly index = new Map<string, number>();
  private tables = 0;

  constructor(private readonly shapes: ReadonlyMap<string, ColumnLayout>, readonly columns: readonly string[]) {
    columns.forEach((name, c) => {
      this.index.set(name, c);
      this.prologue.push(`const c${c} = C[${c}], L${c} = c${c}.levels;`);
      this.layout(name).levels.forEach((l, j) => this.prologue.push(this.bind(c, j, l)));
    });
  }

  /** Names of column c's level j: level 0 plain (v0, m0), level j > 0 suffixed (v0_1). */
  private sfx(c: number, j: number): string {
    return j === 0 ? `${c}` : `${c}_${j}`;
  }

  /** Prologue binding a level's arrays (and, for sparse rows, its cursor and the helper moving it). */
  private bind(c: number, j: number, l: LevelShape): string {
    const x = this.sfx(c, j), parts = [`l${x} = L${c}[${j}]`];
    if (l.layout === "valid") parts.push(`m${x} = l${x}.valid`);
    if (l.layout === "bits") parts.push(`b${x} = l${x}.bits`);
    if (l.layout === "rows") {
      parts.push(`r${x} = l${x}.rows`, `N${x} = l${x}.count`);
      // The loop visits frames in increasing order, so each sparse level keeps one forward cursor.
      this.helpers.push(l.repeat
        ? `function from${x}(i) {\n  while (p${x} < N${x} && r${x}[p${x}] < i) p${x}++;\n  return p${x};\n}`
        : `function at${x}(i) {\n  while (p${x} < N${x} && r${x}[p${x}] < i) p${x}++;\n  return p${x} < N${x} && r${x}[p${x}] === i;\n}`);
    }
    switch (l.enc) {
      case "const": parts.push(`q${x} = l${x}.enc.value`); break;
      case "dict": case "dict16": parts.push(`v${x} = l${x}.enc.codes`, `D${x} = l${x}.enc.dict`); break;
      case "blob": parts.push(`v${x} = l${x}.enc.data`, `e${x} = l${x}.enc.ends`); break;
      case "file": parts.push(`v${x} = l${x}.enc`); break;
      default: parts.push(`v${x} = l${x}.enc.data`);
    }
    return `const ${parts.join(", ")};${l.layout === "rows" ? ` let p${x} = 0;` : ""}`;
  }

  /** A constant as `K[j]`. */
  k(value: unknown): string {
    this.constants.push(value);
    return `K[${this.constants.length - 1}]`;
  }

  private helper(params: string, body: string[]): string {
    const name = `h${this.helpers.length}`;
    this.helpers.push(`function ${name}(${params}) {\n${body.map((l) => "  " + l).join("\n")}\n}`);
    return name;
  }

  shape(column: string): ColumnShape {
    return this.layout(column);
  }

  private layout(column: string): ColumnLayout {
    return this.shapes.get(column) ?? { multi: false, storage: "any", levels: [{ layout: "valid", repeat: false, enc: "any" }] };
  }

  /** Whether row i has an occurrence in a single level (null: every row has), positioning a sparse cursor. */
  private present(c: number, j: number, l: LevelShape): string | null {
    const x = this.sfx(c, j);
    switch (l.layout) {
      case "all": return null;
      case "valid": return `m${x}[i] === 1`;
      case "bits": return `((b${x}[i >>> 3] >>> (i & 7)) & 1) === 1`;
      case "rows": return `at${x}(i)`;
    }
  }

  /** How the value in slot s of a level is reached. */
  private access(c: number, j: number, l: LevelShape, s: string): Access {
    const x = this.sfx(c, j), v = `v${x}`;
    switch (l.enc) {
      case "const": return { val: `q${x}`, arr: `q${x}`, idx: "0" };
      case "bits": return { val: `((${v}[${s} >>> 3] >>> (${s} & 7)) & 1)`, arr: v, idx: s };
      case "dict": return { val: `D${x}[${v}[${s}]]`, arr: `D${x}`, idx: `${v}[${s}]` };
      case "dict16": return { val: `D${x}.subarray(${v}[${s}] * 16, ${v}[${s}] * 16 + 16)`, arr: `D${x}`, idx: `${v}[${s}]` };
      case "fixed16": return { val: `${v}.subarray(${s} * 16, ${s} * 16 + 16)`, arr: v, idx: s };
      case "blob": return { val: `${v}.subarray(${s} === 0 ? 0 : e${x}[${s} - 1], e${x}[${s}])`, arr: v, idx: s };
      case "file": return { val: `R.valueAt(${v}, ${s})`, arr: v, idx: s };
      default: return { val: `${v}[${s}]`, arr: v, idx: s };
    }
  }

  /**
   * `elem` on the value in slot s. Over dictionary codes or a constant the test is evaluated once per distinct value
   * before the loop (a table of results), so the loop only looks the code up.
   */
  private test1(c: number, j: number, l: LevelShape, s: string, elem: Elem): string {
    const x = this.sfx(c, j);
    if (l.enc === "const") {
      const t = `t${this.tables++}`;
      this.prologue.push(`const ${t} = (${elem(this.access(c, j, l, s))}) ? true : false;`);
      return t;
    }
    if (l.enc === "dict" || l.enc === "dict16") {
      const t = `t${this.tables++}`;
      const entry: Access = l.enc === "dict" ? { val: `D${x}[j]`, arr: `D${x}`, idx: "j" } : { val: `D${x}.subarray(j * 16, j * 16 + 16)`, arr: `D${x}`, idx: "j" };
      this.prologue.push(`const ${t} = new Uint8Array(${l.enc === "dict" ? `D${x}.length` : `D${x}.length >>> 4`});`,
        `for (let j = 0; j < ${t}.length; j++) ${t}[j] = (${elem(entry)}) ? 1 : 0;`);
      return `${t}[v${x}[${s}]] === 1`;
    }
    return elem(this.access(c, j, l, s));
  }

  /** The slot of row i in a single level once present() holds. */
  private slot(c: number, j: number, l: LevelShape): string {
    return l.layout === "rows" ? `p${this.sfx(c, j)}` : "i";
  }

  /** `elem` applied to the occurrences of column c in frame i, under the any/all rule. */
  private scan(column: string, all: boolean, elem: Elem): string {
    const c = this.index.get(column)!;
    const levels = this.layout(column).levels;
    if (levels.length === 0) return "false";
    if (levels.length === 1 && !levels[0].repeat) {
      const l = levels[0], p = this.present(c, 0, l), e = this.test1(c, 0, l, this.slot(c, 0, l), elem);
      return p === null ? `(${e})` : `(${p} && ${e})`;
    }
    const body: string[] = [];
    for (let j = 0; j < levels.length; j++) {
      const l = levels[j], x = this.sfx(c, j);
      if (l.repeat) {
        const e = this.test1(c, j, l, "k", elem);
        body.push(`let k = from${x}(i);`);
        if (j === 0) body.push(`if (!(k < N${x} && r${x}[k] === i)) return false;`);
        body.push(all ? `for (; k < N${x} && r${x}[k] === i; k++) if (!(${e})) return false;` : `for (; k < N${x} && r${x}[k] === i; k++) if (${e}) return true;`);
        break;
      }
      const p = this.present(c, j, l), e = this.test1(c, j, l, this.slot(c, j, l), elem);
      if (p !== null) body.push(`if (!(${p})) return ${j === 0 ? "false" : all};`);
      body.push(all ? `if (!(${e})) return false;` : `if (${e}) return true;`);
    }
    body.push(`return ${all};`);
    return `${this.helper("i", body)}(i)`;
  }

  // ---------------------------------------------------------------- the tests table

  test(t: Check): string {
    return (TESTS[t.kind] as (t: Check, g: Gen) => string)(t, this);
  }

  exists(column: string): string {
    const c = this.index.get(column)!, levels = this.layout(column).levels;
    if (levels.length === 0) return "false";
    const l = levels[0];
    if (l.repeat) return `(from${c}(i) < N${c} && r${c}[p${c}] === i)`;
    return `(${this.present(c, 0, l) ?? "true"})`;
  }

  flag(column: string): string {
    return this.scan(column, false, (a) => `${a.val} === 1`);
  }

  cmp(t: Check & { kind: "cmp" }): string {
    const fast = fastElem(this, t.a, t.b, t.op, t.how);
    if (fast) return this.scan(fast.column, t.all, fast.elem);
    if (t.a.kind === "column" && t.b.kind === "column" && !t.all && t.how !== "ipv6" && t.how !== "bytes") {
      const [la, lb] = [this.layout(t.a.column).levels, this.layout(t.b.column).levels];
      if (la.length === 0 || lb.length === 0) return "false";
      if (la.length === 1 && lb.length === 1 && !la[0].repeat && !lb[0].repeat) {
        const [x, y] = [t.a.column, t.b.column].map((n) => this.index.get(n)!);
        const px = this.present(x, 0, la[0]), py = this.present(y, 0, lb[0]);
        const vx = this.access(x, 0, la[0], this.slot(x, 0, la[0])).val, vy = this.access(y, 0, lb[0], this.slot(y, 0, lb[0])).val;
        return `(${[px, py, `${vx} ${JS_OP[t.op]} ${vy}`].filter((e) => e !== null).join(" && ")})`;
      }
    }
    const prefix = constPrefix(t.b);
    const cmp = this.helper("x, y", [`return R.holds(${JSON.stringify(t.op)}, R.order(${JSON.stringify(t.how)}, x, y, ${num(prefix)}));`]);
    return `R.pairs(${t.all}, ${this.values(t.a)}, ${this.values(t.b)}, ${cmp})`;
  }

  member(t: Check & { kind: "in" }): string {
    if (t.a.kind === "column" && t.elems.every((e) => e.lo.kind === "const" && (e.hi === null || e.hi.kind === "const"))) {
      const elem = setElem(this, t.a.column, t.how, t.elems);
      if (elem) return this.scan(t.a.column, t.all, elem);
    }
    const prefixes = t.elems.map((e) => constPrefix(e.lo));
    const how = JSON.stringify(t.how);
    const lists = t.elems.map((e) => `[${this.values(e.lo)}, ${e.hi ? this.values(e.hi) : "null"}]`);
    const pk = this.k(prefixes);
    const h = this.helper("x, L", [
      "for (let j = 0; j < L.length; j++) {",
      "  const [lo, hi] = L[j];",
      `  if (hi === null) { for (const y of lo) if (R.order(${how}, x, y, ${pk}[j]) === 0) return true; }`,
      `  else for (const y of lo) for (const z of hi) if (R.order(${how}, x, y, ${pk}[j]) >= 0 && R.order(${how}, x, z, ${pk}[j]) <= 0) return true;`,
      "}",
      "return false;",
    ]);
    return `R.eachWith(${t.all}, ${this.values(t.a)}, ${h}, [${lists.join(", ")}])`;
  }

  contains(t: Check & { kind: "contains" }): string {
    if (t.a.kind === "column" && t.b.kind === "const") {
      const st = this.shape(t.a.column).storage, v = t.b.value;
      if (st === "any" && (typeof v === "string" || v instanceof Uint8Array)) {
        const kv = this.k(v);
        const elem: Elem = typeof v === "string" ? (x) => `${x.val}.includes(${kv})` : (x) => `R.containsBytes(${x.val}, ${kv})`;
        return this.scan(t.a.column, t.all, elem);
      }
    }
    const h = this.helper("x, y", ["return typeof x === \"string\" ? x.includes(y) : R.containsBytes(x, y);"]);
    return `R.pairs(${t.all}, ${this.values(t.a)}, ${this.values(t.b)}, ${h})`;
  }

  matches(t: Check & { kind: "matches" }): string {
    const re = this.k(t.re);
    if (t.a.kind === "column" && this.shape(t.a.column).storage === "any") {
      if (t.ascii && t.a.type === "string") return this.scan(t.a.column, t.all, (x) => `${re}.test(${x.val})`);
      return this.scan(t.a.column, t.all, (x) => `R.reTest(${re}, ${x.val})`);
    }
    const h = this.helper("x", [`return R.reTest(${re}, x);`]);
    return `R.each(${t.all}, ${this.values(t.a)}, ${h})`;
  }

  truthy(v: Value): string {
    if (v.kind === "arith" && v.op === "&" && v.a.kind === "slice" && v.a.of.kind === "column" && v.a.ranges.length === 1 &&
      v.b.kind === "const" && v.b.value instanceof Uint8Array) {
      const fast = sliceElem(this, v.a.of, v.a.ranges[0], "eq", v.b.value);
      const m = v.b.value;
      const col = v.a.of;
      const width = col.type === "ether" ? 6 : col.type === "ipv4" ? 4 : null;
      const r = v.a.ranges[0];
      if (fast && width !== null) {
        const from = r.from < 0 ? width + r.from : r.from, len = r.length ?? width - from;
        if (from >= 0 && len === m.length && from + len <= width) {
          let mv = 0;
          for (const x of m) mv = mv * 256 + x;
          const div = 2 ** (8 * (width - from - len)), mod = 2 ** (8 * len);
          // (a & b) of numbers up to 2^48: split into 24-bit halves so JavaScript's 32-bit & stays exact.
          return this.scan(col.column, false, (x) => `R.and48(Math.floor(${x.val} / ${num(div)}) % ${num(mod)}, ${num(mv)}) !== 0`);
        }
      }
    }
    if (v.kind === "arith" && v.op === "&" && v.a.kind === "column" && v.b.kind === "const") {
      const m = v.b.value;
      if (INT_STORAGE.has(this.shape(v.a.column).storage) && typeof m === "number" && isU32(m)) {
        return this.scan(v.a.column, false, (x) => `(${x.val} & ${num(m)}) !== 0`);
      }
    }
    const h = this.helper("x", ["return R.nonZero(x);"]);
    return `R.each(false, ${this.values(v)}, ${h})`;
  }

  // ---------------------------------------------------------------- the values table (generic path)

  /** An expression giving the values of `v` in frame i as an array. */
  values(v: Value): string {
    return (VALUES[v.kind] as (v: Value, g: Gen) => string)(v, this);
  }

  column(column: string): string {
    return `R.colValues(c${this.index.get(column)!}, i)`;
  }

  /** A helper mapping each value of `of` through `body` (an expression of x), dropping nulls. */
  map(of: Value, body: string): string {
    const h = this.helper("i", [
      `const A = ${this.values(of)}, out = [];`,
      `for (const x of A) { const y = ${body}; if (y !== null && y !== undefined) out.push(y); }`,
      "return out;",
    ]);
    return `${h}(i)`;
  }
}

const constPrefix = (v: Value): number => (v.kind === "const" && v.prefix !== null ? v.prefix : v.type === "ipv6" ? 128 : 32);

const TESTS: { [K in Check["kind"]]: (t: Check & { kind: K }, g: Gen) => string } = {
  true: () => "true",
  false: () => "false",
  and: (t, g) => `(${g.test(t.a)} && ${g.test(t.b)})`,
  or: (t, g) => `(${g.test(t.a)} || ${g.test(t.b)})`,
  not: (t, g) => `!${g.test(t.a)}`,
  exists: (t, g) => g.exists(t.column),
  flag: (t, g) => g.flag(t.column),
  nonempty: (t, g) => `R.each(false, ${g.values(t.value)}, R.notEmpty)`,
  truthy: (t, g) => g.truthy(t.value),
  cmp: (t, g) => g.cmp(t),
  contains: (t, g) => g.contains(t),
  matches: (t, g) => g.matches(t),
  in: (t, g) => g.member(t),
};

const VALUES: { [K in Value["kind"]]: (v: Value & { kind: K }, g: Gen) => string } = {
  column: (v, g) => g.column(v.column),
  const: (v, g) => g.k([v.value]),
  none: (_v, g) => g.k([]),
  slice: (v, g) => g.map(v.of, `R.sliceBytes(R.toBytes(${JSON.stringify(v.of.type)}, x), ${g.k(v.ranges)})`),
  bytes: (v, g) => g.map(v.of, `R.toBytes(${JSON.stringify(v.of.type)}, x)`),
  neg: (v, g) => g.map(v.of, "-x"),
  call: (v, g) => `F.${v.fn}([${v.args.map((a) => g.values(a)).join(", ")}], ${g.k(v.args.map((a) => a.type))})`,
  arith: (v, g) => `R.arithAll(${JSON.stringify(v.op)}, ${JSON.stringify(v.type)}, ${g.values(v.a)}, ${g.values(v.b)})`,
};
