// The progress line of a capture read: its text, its throttling (fake clock), and openWithProgress around an open().

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ProgressLine, UPDATE_EVERY_MS, formatCount, formatDone, formatReading, formatSeconds, openWithProgress,
  type ProgressSink, type ReadProgress,
} from "../../kernel/progress.js";

type Shown = { kind: "display" | "update"; id: string; data: Record<string, string> };

/** A sink that records what would be published, rendering each value's own bundle. */
function recorder(): ProgressSink & { shown: Shown[] } {
  const shown: Shown[] = [];
  const bundle = (v: unknown) => (v as Record<symbol, () => Record<string, string>>)[Symbol.for("Jupyter.display")]();
  return {
    shown,
    display(value, id) {
      const displayId = id ?? `id${shown.length}`;
      shown.push({ kind: "display", id: displayId, data: bundle(value) });
      return displayId;
    },
    updateDisplay(id, value) {
      shown.push({ kind: "update", id, data: bundle(value) });
    },
  };
}

test("counts, durations and the two lines read as the issue asks", () => {
  assert.equal(formatCount(812), "812");
  assert.equal(formatCount(4_530), "4.5 k");
  assert.equal(formatCount(45_300), "45 k");
  assert.equal(formatCount(1_234_567), "1.2 M");
  assert.equal(formatCount(23_456_789), "23 M");
  assert.equal(formatSeconds(0.42), "0.4 s");
  assert.equal(formatSeconds(12.4), "12 s");
  assert.equal(formatSeconds(185), "3 min 5 s");
  const p: ReadProgress = { bytes: 680e6, total: 1511e6, frames: 1_200_000 };
  assert.equal(formatReading("big.pcap", p, 2000), "Reading big.pcap: 1.2 M packets, 340 MB/s, 45%, ~2.4 s left");
  assert.equal(formatReading("x.pcap", { bytes: 10, total: 10, frames: 3 }, 1000), "Reading x.pcap: 3 packets, 0 MB/s, 100%");
  assert.equal(formatReading("x.pcap", { bytes: 0, total: 0, frames: 0 }, 0), "Reading x.pcap: 0 packets, 0 MB/s");
  assert.equal(formatDone("big.pcap", 3_000_000, 4420), "Read big.pcap: 3000000 packets in 4.4 s");
});

test("a read faster than the threshold shows nothing, not even the final line", () => {
  let t = 0;
  const sink = recorder();
  const line = new ProgressLine("small.pcap", sink, () => t, 500);
  for (t = 0; t < 500; t += 100) line.update({ bytes: t, total: 1000, frames: t });
  line.done(499);
  assert.equal(line.shown, false);
  assert.deepEqual(sink.shown, []);
});

test("a slow read shows one line, updates it at most every UPDATE_EVERY_MS, and ends with a summary", () => {
  let t = 0;
  const sink = recorder();
  const line = new ProgressLine("a<b>.pcap", sink, () => t, 500);
  for (t = 0; t <= 2000; t += 10) line.update({ bytes: t * 1000, total: 2_000_000, frames: t * 10 });
  line.done(20_000);
  const [first, ...rest] = sink.shown;
  assert.equal(first.kind, "display");
  assert.match(first.data["text/plain"], /^Reading a<b>\.pcap: 5\.0 k packets, 1 MB\/s, 25%, ~1\.5 s left$/);
  assert.ok(rest.every((s) => s.kind === "update" && s.id === first.id), "every update carries the display id");
  const updates = rest.length - 1; // the last one is the summary
  assert.ok(updates <= Math.ceil(1500 / UPDATE_EVERY_MS), `${updates} updates in 1.5 s`);
  assert.ok(updates >= 5, `${updates} updates in 1.5 s`);
  assert.equal(rest.at(-1)!.data["text/plain"], "Read a<b>.pcap: 20000 packets in 2.0 s");
  assert.equal(rest.at(-1)!.data["text/html"], '<pre class="wirebook-progress">Read a&lt;b&gt;.pcap: 20000 packets in 2.0 s</pre>');
});

test("openWithProgress passes the caller's options and onProgress through, and reports a failure", async () => {
  const sink = recorder();
  const seen: number[] = [];
  const slow = async (path: string, options?: Record<string, unknown> & { onProgress?: (p: ReadProgress) => void }) => {
    assert.equal(path, "/tmp/dir/cap.pcapng");
    assert.equal(options?.extra, 7);
    for (let i = 1; i <= 3; i++) {
      await new Promise((r) => setTimeout(r, 60));
      options?.onProgress?.({ bytes: i, total: 3, frames: i });
    }
    return { count: 3 };
  };
  const cap = await openWithProgress(sink, slow, "/tmp/dir/cap.pcapng", { extra: 7, onProgress: (p) => seen.push(p.frames) });
  assert.deepEqual(cap, { count: 3 });
  assert.deepEqual(seen, [1, 2, 3]);
  assert.equal(sink.shown.length, 0, "180 ms is under the threshold");

  const failing = async (_p: string, o?: { onProgress?: (p: ReadProgress) => void }) => {
    await new Promise((r) => setTimeout(r, 550));
    o?.onProgress?.({ bytes: 1, total: 2, frames: 1 });
    throw new Error("disk gone");
  };
  await assert.rejects(openWithProgress(sink, failing, "cap.pcap"), /disk gone/);
  assert.deepEqual(sink.shown.map((s) => [s.kind, s.data["text/plain"].split(":")[0]]),
    [["display", "Reading cap.pcap"], ["update", "Reading cap.pcap failed"]]);
});
