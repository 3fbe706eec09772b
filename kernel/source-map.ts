// Maps positions in a cell's executed JavaScript back to the cell's TypeScript source.
// tslab emits twice (cell TS -> ESM JS -> CommonJS JS); each emit carries an inline source map (see tslab-loader.ts),
// so a position is looked up in the CommonJS map, then in the ESM map. Source Map v3:
// https://sourcemaps.info/spec.html (mappings: ";" per generated line, "," per segment, Base64 VLQ fields).

/** One segment: generated column, source line, source column (all 0-based). */
type Segment = readonly [number, number, number];

/** A decoded source map: per generated line, its segments sorted by generated column. */
export interface LineMap {
  readonly file: string;
  readonly lines: readonly (readonly Segment[])[];
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64_VALUE = new Map([...B64].map((c, i) => [c, i]));

/** Decodes the `mappings` of a v3 source map (single source; names ignored). Never throws on bad input. */
export function decodeMappings(file: string, mappings: string): LineMap {
  const lines: Segment[][] = [];
  let srcLine = 0;
  let srcCol = 0;
  for (const lineText of mappings.split(";")) {
    const segs: Segment[] = [];
    let genCol = 0;
    for (const segText of lineText.split(",")) {
      if (segText === "") continue;
      const f = decodeVlq(segText);
      genCol += f[0] ?? 0;
      if (f.length < 4) continue; // a segment without a source position
      srcLine += f[2];
      srcCol += f[3];
      segs.push([genCol, srcLine, srcCol]);
    }
    lines.push(segs);
  }
  return { file, lines };
}

function decodeVlq(s: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const c of s) {
    const digit = B64_VALUE.get(c) ?? 0;
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    out.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0;
    shift = 0;
  }
  return out;
}

/** The source position of a generated (line, column), 0-based; the nearest segment at or left of the column. */
export function lookup(map: LineMap, line: number, column: number): { line: number; column: number } | undefined {
  const segs = map.lines[line];
  if (!segs || segs.length === 0) return undefined;
  let best = segs[0];
  for (const s of segs) if (s[0] <= column) best = s;
  return { line: best[1], column: best[2] };
}

const INLINE_MAP = /\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)/g;

/** The inline maps in `code`, keyed by the map's `file` ("__tslab__.js" for the TS emit, "custom.js" for CJS). */
export function inlineMaps(code: string): Map<string, LineMap> {
  const maps = new Map<string, LineMap>();
  for (const m of code.matchAll(INLINE_MAP)) {
    try {
      const raw = JSON.parse(Buffer.from(m[1], "base64").toString("utf8")) as { file?: string; mappings?: string };
      if (typeof raw.mappings === "string") maps.set(raw.file ?? "", decodeMappings(raw.file ?? "", raw.mappings));
    } catch {
      // a comment that only looks like a map: ignore it
    }
  }
  return maps;
}

/**
 * Maps a 0-based position of the executed CommonJS to the cell source: undefined where it has no source, "wrapper"
 * for the line that calls the cell's wrapper function (a frame the user never wrote).
 */
export type CellMapper = (line: number, column: number) => { line: number; column: number } | "wrapper" | undefined;

/**
 * The mapper for one cell: through the CommonJS map, then the TS map, then minus the one line tslab prefixes
 * ("export {};\n"). `columnShift` is the length of the wrapper text before the code on its first line.
 */
export function cellMapper(code: string, columnShift: number, prefixLines = 1): CellMapper {
  const maps = inlineMaps(code);
  const cjs = maps.get("custom.js");
  const esm = maps.get("__tslab__.js");
  const codeLines = code.split("\n").length;
  return (line, column) => {
    if (line >= codeLines) return "wrapper";
    const col = line === 0 ? column - columnShift : column;
    const mid = cjs ? lookup(cjs, line, col) : { line, column: col };
    const src = mid && esm ? lookup(esm, mid.line, mid.column) : undefined;
    if (!src || src.line < prefixLines) return undefined;
    return { line: src.line - prefixLines, column: src.column };
  };
}

/** Cell file names look like "cell[3]"; frames in a stack then read "cell[3]:12:5". */
const FRAME_POSITION = /(cell\[[^\]]+\]):(\d+):(\d+)/g;

const WRAPPER = "\u0000wrapper";

/**
 * Rewrites every "cell[N]:line:col" in a stack to the cell's own line and column (1-based, as V8 prints), and drops
 * the frames of the wrapper call that runs each cell.
 */
export function mapStack(stack: string, mappers: ReadonlyMap<string, CellMapper>): string {
  const mapped = stack.replace(FRAME_POSITION, (whole, name: string, l: string, c: string) => {
    const pos = mappers.get(name)?.(Number(l) - 1, Number(c) - 1);
    if (pos === "wrapper") return WRAPPER;
    return pos ? `${name}:${pos.line + 1}:${pos.column + 1}` : whole;
  });
  return mapped.split("\n").filter((l) => !l.includes(WRAPPER)).join("\n");
}
