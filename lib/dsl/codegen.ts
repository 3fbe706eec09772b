// Phase 4: checked tree -> JavaScript source of a predicate loop, specialised for the shape of each column it reads
// (Arquero's src/expression/codegen.js: a visitors table, one function per node kind). A test on a dense numeric
// column against a constant becomes a flat expression over typed arrays inside the loop; a column with repeated
// values (CSR) gets a small helper looping over the frame's occurrences with Wireshark's any/all rule; everything
// else goes through generic value lists (R.pairs). Constants are serialised: numbers as numeric literals, every
// other value as an entry of the constants array K — user text is never spliced into the source.

import type { Check, Value } from "./ir.js";
import { fastElem, INT_STORAGE, isU32, JS_OP, num, setElem, sliceElem, type ColumnShape, type Elem, type ElemContext } from "./codegen-elems.js";

export type { ColumnShape } from "./codegen-elems.js";

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
export function generate(root: Check, shapes: ReadonlyMap<string, ColumnShape>): Generated {
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

  constructor(private readonly shapes: ReadonlyMap<string, ColumnShape>, readonly columns: readonly string[]) {
    columns.forEach((name, k) => {
      this.index.set(name, k);
      this.prologue.push(`const c${k} = C[${k}], v${k} = c${k}.values, m${k} = c${k}.valid, s${k} = c${k}.starts;`);
    });
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
    return this.shapes.get(column) ?? { multi: false, storage: "any" };
  }

  /** `elem` applied to the occurrences of column c in frame i, under the any/all rule. */
  private scan(column: string, all: boolean, elem: Elem): string {
    const c = this.index.get(column)!;
    const { multi } = this.shape(column);
    if (!multi) return `(m${c}[i] === 1 && ${elem({ val: `v${c}[i]`, arr: `v${c}`, idx: "i" })})`;
    const e = elem({ val: `v${c}[k]`, arr: `v${c}`, idx: "k" });
    const h = this.helper("i", [
      `const e = s${c}[i + 1];`,
      `let k = s${c}[i];`,
      "if (!(k < e)) return false;",
      all ? `for (; k < e; k++) if (!(${e})) return false;` : `for (; k < e; k++) if (${e}) return true;`,
      `return ${all};`,
    ]);
    return `${h}(i)`;
  }

  // ---------------------------------------------------------------- the tests table

  test(t: Check): string {
    return (TESTS[t.kind] as (t: Check, g: Gen) => string)(t, this);
  }

  exists(column: string): string {
    const c = this.index.get(column)!;
    return this.shape(column).multi ? `(s${c}[i] < s${c}[i + 1])` : `(m${c}[i] === 1)`;
  }

  flag(column: string): string {
    return this.scan(column, false, (a) => `${a.val} === 1`);
  }

  cmp(t: Check & { kind: "cmp" }): string {
    const fast = fastElem(this, t.a, t.b, t.op, t.how);
    if (fast) return this.scan(fast.column, t.all, fast.elem);
    if (t.a.kind === "column" && t.b.kind === "column" && !t.all && t.how !== "ipv6" && t.how !== "bytes") {
      const [x, y] = [t.a.column, t.b.column].map((n) => this.index.get(n)!);
      if (!this.shape(t.a.column).multi && !this.shape(t.b.column).multi) {
        const op = t.how === "ipv4" ? JS_OP[t.op] : JS_OP[t.op];
        return `(m${x}[i] === 1 && m${y}[i] === 1 && v${x}[i] ${op} v${y}[i])`;
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
