// A minimal PNG encoder (RGBA, 8 bits, no interlace) and the kernel's logo: a packet with a header and payload
// rows. PNG: https://www.w3.org/TR/png/ (signature, IHDR, IDAT = zlib of filtered scanlines, IEND; CRC-32 per chunk).

import { deflateSync } from "node:zlib";

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 (ISO 3309) as PNG chunks use it. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** Encodes `rgba` (width*height*4 bytes, rows top to bottom) as a PNG file. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  if (rgba.length !== width * height * 4) throw new Error(`expected ${width * height * 4} bytes, got ${rgba.length}`);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // depth 8, colour type 6 (RGBA), deflate, filter 0, no interlace
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) raw.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), y * (width * 4 + 1) + 1);
  return Buffer.concat([SIGNATURE, chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw)), chunk("IEND", new Uint8Array(0))]);
}

type RGBA = readonly [number, number, number, number];
interface Shape { inside(x: number, y: number): boolean; color: RGBA }

const rect = (x0: number, y0: number, x1: number, y1: number, color: RGBA): Shape =>
  ({ inside: (x, y) => x >= x0 && x < x1 && y >= y0 && y < y1, color });

const rounded = (r: number, color: RGBA): Shape => ({
  inside: (x, y) => {
    const dx = Math.max(r - x, x - (1 - r), 0);
    const dy = Math.max(r - y, y - (1 - r), 0);
    return dx * dx + dy * dy <= r * r;
  },
  color,
});

/** The logo in unit coordinates, back to front: tile, packet body, header band, payload "bytes". */
function logoShapes(): Shape[] {
  const navy: RGBA = [31, 58, 95, 255];
  const paper: RGBA = [245, 247, 250, 255];
  const header: RGBA = [242, 140, 40, 255];
  const bytes: RGBA = [38, 150, 160, 255];
  const shapes = [rounded(0.18, navy), rect(0.17, 0.24, 0.83, 0.8, paper), rect(0.17, 0.24, 0.83, 0.39, header)];
  const rows = [[0.46, 5], [0.57, 4], [0.68, 3]] as const;
  for (const [y, n] of rows) for (let i = 0; i < n; i++) shapes.push(rect(0.23 + i * 0.11, y, 0.31 + i * 0.11, y + 0.06, bytes));
  return shapes;
}

/** The logo as a `size`×`size` PNG, anti-aliased by 4×4 supersampling. */
export function logoPng(size: number): Buffer {
  const shapes = logoShapes();
  const rgba = new Uint8Array(size * size * 4);
  const S = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const acc = [0, 0, 0, 0];
      for (let sy = 0; sy < S; sy++) for (let sx = 0; sx < S; sx++) {
        const x = (px + (sx + 0.5) / S) / size;
        const y = (py + (sy + 0.5) / S) / size;
        let c: RGBA = [0, 0, 0, 0];
        for (const s of shapes) if (s.inside(x, y)) c = s.color;
        for (let k = 0; k < 3; k++) acc[k] += c[k] * c[3];
        acc[3] += c[3];
      }
      const o = (py * size + px) * 4;
      for (let k = 0; k < 3; k++) rgba[o + k] = acc[3] ? Math.round(acc[k] / acc[3]) : 0;
      rgba[o + 3] = Math.round(acc[3] / (S * S));
    }
  }
  return encodePng(size, size, rgba);
}
