// Wirebook's frame index alone: readCapture(path) from lib/capture/read.ts, run in a child process (see child.ts).

import { readCapture } from "../lib/capture/read.js";

/** readCapture(path): frames, and the index's size (its typed arrays, trimmed). */
export async function frameIndex(args: { path: string }): Promise<{ packets: number; fileBytes: number; indexBytes: number; sha256: string }> {
  const file = await readCapture(args.path);
  const r = { packets: file.index.count, fileBytes: file.info.fileSize, indexBytes: file.index.byteLength, sha256: file.info.sha256 };
  file.source.close();
  return r;
}
