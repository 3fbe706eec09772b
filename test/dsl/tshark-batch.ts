// A batched tshark oracle for display filters: ONE tshark run per capture evaluates every filter, by registering one
// Lua tap listener per filter (Listener.new("frame", filter) calls back only for the frames the filter selects;
// a filter tshark rejects makes Listener.new fail with tshark's message). Measured equal to `tshark -Y FILTER` frame
// for frame on 107 filters; 150 filters cost one ~0.4 s run instead of 150 runs.
// Results are cached per (capture sha256, tshark version) in .cache/tshark/, filter by filter, so adding filters to
// filters.tsv runs tshark once per capture for the new filters only.

import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileSha256, projectRoot, tsharkVersion } from "../oracle/tshark.js";

/** What tshark did with one filter: the frames it selected, or its error text. */
export type FilterAnswer = { frames: number[] } | { error: string };

const LUA = `
local filters = {}
for line in io.lines(os.getenv("DF_FILTERS")) do filters[#filters + 1] = line end
local hits, errs = {}, {}
for i, f in ipairs(filters) do
  hits[i] = {}
  local ok, l = pcall(Listener.new, "frame", f)
  if ok then
    local h = hits[i]
    l.packet = function(pinfo) h[#h + 1] = pinfo.number end
  else
    errs[i] = tostring(l)
  end
end
local final = Listener.new("frame")
function final.draw()
  local out = io.open(os.getenv("DF_OUT"), "w")
  for i = 1, #filters do
    if errs[i] then out:write(i, "\\tERR\\t", (errs[i]:gsub("[\\r\\n\\t]", " ")), "\\n")
    else out:write(i, "\\tOK\\t", table.concat(hits[i], ","), "\\n") end
  end
  out:close()
end
`;

function cacheDir(): string {
  const d = path.join(projectRoot(), ".cache", "tshark");
  fs.mkdirSync(d, { recursive: true });
  return d;
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile("tshark", args, { env: { ...process.env, ...env, LC_ALL: "C.UTF-8" }, maxBuffer: 1 << 26 }, (err) => {
      if (err && typeof (err as NodeJS.ErrnoException).code === "string") reject(err);
      else resolve(); // a damaged file exits non-zero, yet the taps still report the frames read
    });
  });
}

const ERR_PREFIX = /^Error while registering tap: Filter ".*" is invalid - /s;

/** tshark's answer for every filter on `file` (cached). Filters must be single lines. */
export async function tsharkFilterBatch(file: string, filters: readonly string[]): Promise<Map<string, FilterAnswer>> {
  const sha = await fileSha256(file);
  const version = await tsharkVersion();
  const key = createHash("sha256").update(`${sha}\n${version}\ndsl-batch-v1`).digest("hex").slice(0, 24);
  const cacheFile = path.join(cacheDir(), `dsl-batch-${key}.json`);
  let cached: Record<string, FilterAnswer> = {};
  try { cached = JSON.parse(fs.readFileSync(cacheFile, "utf8")) as Record<string, FilterAnswer>; } catch { /* none yet */ }
  const missing = [...new Set(filters)].filter((f) => !(f in cached));
  if (missing.length > 0) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wirebook-dsl-"));
    try {
      const lua = path.join(tmp, "batch.lua"), list = path.join(tmp, "filters.txt"), out = path.join(tmp, "out.txt");
      fs.writeFileSync(lua, LUA);
      fs.writeFileSync(list, missing.join("\n") + "\n");
      await run(["-n", "-q", "-r", file, "-X", `lua_script:${lua}`], { DF_FILTERS: list, DF_OUT: out });
      const lines = fs.readFileSync(out, "utf8").split("\n").filter((l) => l !== "");
      if (lines.length !== missing.length) throw new Error(`tshark batch on ${file}: ${lines.length} answers for ${missing.length} filters`);
      for (const line of lines) {
        const [idx, status, rest] = line.split("\t");
        const f = missing[Number(idx) - 1];
        cached[f] = status === "OK"
          ? { frames: rest ? rest.split(",").map(Number) : [] }
          : { error: (rest ?? "").replace(ERR_PREFIX, "") };
      }
      const tmpCache = `${cacheFile}.${process.pid}.tmp`;
      fs.writeFileSync(tmpCache, JSON.stringify(cached));
      fs.renameSync(tmpCache, cacheFile);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  return new Map(filters.map((f) => [f, cached[f]]));
}
