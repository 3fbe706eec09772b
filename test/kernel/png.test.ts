// The PNG encoder and logo (kernel/png.ts), checked by decoding with zlib here.

import { test } from "node:test";
import assert from "node:assert/strict";
import { inflateSync } from "node:zlib";
import { crc32, encodePng, logoPng } from "../../kernel/png.js";

test("crc32 matches the standard check value", () => {
  assert.equal(crc32(Buffer.from("123456789")), 0xcbf43926);
});

test("encodePng writes signature, IHDR, IDAT and IEND with valid CRCs", () => {
  const rgba = new Uint8Array([255, 0, 0, 255, 0, 255, 0, 128]);
  const png = encodePng(2, 1, rgba);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const chunks: { type: string; data: Buffer }[] = [];
  for (let o = 8; o < png.length;) {
    const len = png.readUInt32BE(o);
    const type = png.toString("latin1", o + 4, o + 8);
    const data = png.subarray(o + 8, o + 8 + len);
    assert.equal(png.readUInt32BE(o + 8 + len), crc32(png.subarray(o + 4, o + 8 + len)), `${type} CRC`);
    chunks.push({ type, data });
    o += 12 + len;
  }
  assert.deepEqual(chunks.map((c) => c.type), ["IHDR", "IDAT", "IEND"]);
  assert.equal(chunks[0].data.readUInt32BE(0), 2);
  assert.equal(chunks[0].data[9], 6, "RGBA");
  assert.deepEqual([...inflateSync(chunks[1].data)], [0, ...rgba]);
});

test("the logos are 32 and 64 pixels square", () => {
  for (const size of [32, 64]) {
    const png = logoPng(size);
    assert.equal(png.readUInt32BE(16), size);
    assert.equal(png.readUInt32BE(20), size);
  }
});
