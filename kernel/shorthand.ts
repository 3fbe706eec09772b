// Expands shorthand properties before tslab converts a cell: `{ lateness }` becomes `{ lateness: lateness }`.
// Why: tslab rewrites a reference to an earlier cell's declaration into `exports.lateness`, but not inside a
// shorthand property, so `{ lateness }` threw "lateness is not defined". The expansion means the same thing in object
// literals and in destructuring targets (`({ a } = o)` is `({ a: a } = o)`), so it is always safe.

import { createRequire } from "node:module";
import * as path from "node:path";
import { PACKAGE_ROOT } from "./tslab-loader.js";

interface TsNode { kind: number; pos: number; end: number; getStart(): number; name?: { text: string }; forEachChild(f: (n: TsNode) => void): void }
interface Ts {
  createSourceFile(name: string, text: string, target: number, setParents: boolean): TsNode;
  ScriptTarget: { Latest: number };
  SyntaxKind: { ShorthandPropertyAssignment: number };
}

let ts: Ts | undefined;
function typescript(): Ts {
  if (!ts) {
    const req = createRequire(path.join(PACKAGE_ROOT, "package.json"));
    const treq = createRequire(req.resolve("tslab/dist/converter.js"));
    ts = treq("@tslab/typescript-for-tslab") as Ts;
  }
  return ts;
}

/** The cell with every shorthand property written out. Contract: never throws (returns the code unchanged). */
export function expandShorthand(code: string): string {
  if (!/[{,]\s*[A-Za-z_$][\w$]*\s*[,}=]/.test(code)) return code; // cheap pre-check: most cells have none
  try {
    const t = typescript();
    const sf = t.createSourceFile("cell.ts", code, t.ScriptTarget.Latest, true);
    const at: { start: number; name: string }[] = [];
    const visit = (n: TsNode) => {
      if (n.kind === t.SyntaxKind.ShorthandPropertyAssignment && n.name) at.push({ start: n.getStart(), name: n.name.text });
      n.forEachChild(visit);
    };
    visit(sf);
    let out = code;
    for (const { start, name } of at.sort((a, b) => b.start - a.start)) out = `${out.slice(0, start)}${name}: ${out.slice(start)}`;
    return out;
  } catch {
    return code;
  }
}
