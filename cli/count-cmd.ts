// `wirebook count CAPTURE -Y FILTER`: how many frames a display filter selects (tshark -Y … | wc -l, without
// printing them). Exit 0 ok, 1 unreadable capture, 2 usage or invalid filter (as tshark).

import { DisplayFilterError } from "../lib/dsl/index.js";
import { open } from "../lib/table/capture.js";
import { filterMask } from "./fields-cmd.js";

export async function runCountCommand(argv: string[]): Promise<number> {
  let path: string | undefined, filter: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-Y" || a === "--filter") filter = argv[++i];
    else if (a === "-r") path = argv[++i];
    else if (!path && !a.startsWith("-")) path = a;
    else {
      process.stderr.write(`wirebook count: unexpected argument '${a}'\nusage: wirebook count CAPTURE [-Y FILTER]\n`);
      return 2;
    }
  }
  if (!path) {
    process.stderr.write("usage: wirebook count CAPTURE [-Y FILTER]\n");
    return 2;
  }
  let cap;
  try {
    cap = await open(path);
  } catch (e) {
    process.stderr.write(`wirebook: ${path}: ${(e as Error).message}\n`);
    return 1;
  }
  try {
    let n = cap.count;
    if (filter !== undefined) {
      const mask = filterMask(cap, filter);
      n = 0;
      for (let i = 0; i < mask.length; i++) n += mask[i];
    }
    process.stdout.write(`${n}\n`);
    return 0;
  } catch (e) {
    if (!(e instanceof DisplayFilterError)) throw e;
    process.stderr.write(`wirebook: invalid display filter: ${e.message}\n`);
    return 2;
  } finally {
    cap.close();
  }
}
