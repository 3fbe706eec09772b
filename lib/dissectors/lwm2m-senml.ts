// SenML (RFC 8428) in JSON (CoAP Content-Format 110) and CBOR (112), and the OMA LwM2M 1.0 JSON format (11543,
// OMA-TS-LightweightM2M-V1_0 section 6.4.4: {"bn": …, "e": [{"n", "v" | "sv" | "bv" | "ov"}]}), reduced to one
// (name, value text) pair per record, the base name applied. The CBOR reader is small and bounded (RFC 8949 major
// types 0-7, definite and indefinite lengths, nesting and item counts capped). Never throws.

/** One decoded record: full name (base name + name) and its value as text ("" when it carries none). */
export interface SenmlRecord { name: string; value: string }

const MAX_DEPTH = 16, MAX_ITEMS = 10000;
const utf8 = new TextDecoder("utf-8");

// SenML CBOR labels (RFC 8428 section 6).
const L_BN = -2, L_BV = -5, L_N = 0, L_V = 2, L_VS = 3, L_VB = 4, L_VD = 8;

/** Records of a SenML JSON, SenML CBOR or LwM2M JSON payload; [] when it does not parse. */
export function senmlRecords(format: "senml+json" | "senml+cbor" | "lwm2m+json", b: Uint8Array): SenmlRecord[] {
  if (format === "senml+cbor") {
    const r = new CborReader(b), top = r.item(0);
    return r.ok && Array.isArray(top) ? fromSenml(top.map(labelled)) : [];
  }
  let top: unknown;
  try { top = JSON.parse(utf8.decode(b)); } catch { return []; }
  if (format === "lwm2m+json") return fromLwm2mJson(top);
  return Array.isArray(top) ? fromSenml(top) : [];
}

/** A CBOR map with integer labels turned into a SenML JSON-style record. */
function labelled(m: unknown): unknown {
  if (!(m instanceof Map)) return undefined;
  const o: Record<string, unknown> = {};
  const names: Record<number, string> = { [L_BN]: "bn", [L_BV]: "bv", [L_N]: "n", [L_V]: "v", [L_VS]: "vs", [L_VB]: "vb", [L_VD]: "vd" };
  for (const [k, v] of m) if (typeof k === "number" && names[k]) o[names[k]] = v;
  return o;
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

function valueText(v: unknown, base: number): string | undefined {
  if (typeof v === "number") return String(v + base);
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return v ? "true" : "false";
  if (v instanceof Uint8Array) return Buffer.from(v).toString("base64url");
  return undefined;
}

function fromSenml(records: unknown[]): SenmlRecord[] {
  const out: SenmlRecord[] = [];
  let bn = "", bv = 0;
  for (const r of records) {
    if (!isObj(r)) continue;
    if (typeof r.bn === "string") bn = r.bn;
    if (typeof r.bv === "number") bv = r.bv;
    const n = typeof r.n === "string" ? r.n : undefined;
    const v = typeof r.v === "number" ? valueText(r.v, bv) : valueText(r.vs ?? r.vb ?? r.vd, 0);
    if (n === undefined && v === undefined) continue;
    out.push({ name: bn + (n ?? ""), value: v ?? "" });
  }
  return out;
}

function fromLwm2mJson(top: unknown): SenmlRecord[] {
  if (!isObj(top) || !Array.isArray(top.e)) return [];
  const bn = typeof top.bn === "string" ? top.bn : "", out: SenmlRecord[] = [];
  for (const r of top.e) {
    if (!isObj(r)) continue;
    const v = valueText(r.v ?? r.sv ?? r.bv ?? r.ov, 0);
    out.push({ name: bn + (typeof r.n === "string" ? r.n : ""), value: v ?? "" });
  }
  return out;
}

/** A bounded CBOR decoder: maps become Map, byte strings Uint8Array, tags are dropped. `ok` false on any error. */
export class CborReader {
  ok = true;
  private p = 0;
  private items = 0;
  constructor(private readonly b: Uint8Array) {}

  /** The next data item, or undefined (and ok = false) when it is cut short, too deep or too large. */
  item(depth: number): unknown {
    const b = this.b;
    if (!this.ok || depth > MAX_DEPTH || ++this.items > MAX_ITEMS || this.p >= b.length) return this.fail();
    const ib = b[this.p++], major = ib >> 5, info = ib & 31;
    if (major === 7) return this.simple(info);
    const indefinite = info === 31;
    const arg = indefinite ? -1 : this.arg(info);
    if (!this.ok) return undefined;
    switch (major) {
      case 0: return arg;
      case 1: return -1 - arg;
      case 2: case 3: {
        const bytes = indefinite ? this.chunks(major) : this.take(arg);
        if (bytes === undefined) return undefined;
        return major === 3 ? utf8.decode(bytes) : bytes;
      }
      case 4: {
        const a: unknown[] = [];
        for (let k = 0; indefinite ? !this.brk() : k < arg; k++) { a.push(this.item(depth + 1)); if (!this.ok) return undefined; }
        return a;
      }
      case 5: {
        const m = new Map<unknown, unknown>();
        for (let k = 0; indefinite ? !this.brk() : k < arg; k++) {
          const key = this.item(depth + 1), v = this.item(depth + 1);
          if (!this.ok) return undefined;
          m.set(key, v);
        }
        return m;
      }
      default: return this.item(depth + 1); // tag 6: the tagged item itself
    }
  }

  private fail(): undefined { this.ok = false; return undefined; }

  private arg(info: number): number {
    const b = this.b, n = info < 24 ? 0 : info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : -1;
    if (n < 0 || this.p + n > b.length) { this.fail(); return 0; }
    if (n === 0) return info;
    let v = 0;
    for (let k = 0; k < n; k++) v = v * 256 + b[this.p + k];
    this.p += n;
    return v;
  }

  private take(n: number): Uint8Array | undefined {
    if (n > this.b.length - this.p) return this.fail();
    const v = this.b.subarray(this.p, this.p + n);
    this.p += n;
    return v;
  }

  /** An indefinite-length string: definite chunks of the same major type up to the break. */
  private chunks(major: number): Uint8Array | undefined {
    const parts: Uint8Array[] = [];
    while (!this.brk()) {
      if (!this.ok || this.p >= this.b.length || this.b[this.p] >> 5 !== major || (this.b[this.p] & 31) === 31) return this.fail();
      const info = this.b[this.p++] & 31, len = this.arg(info), part = this.ok ? this.take(len) : undefined;
      if (part === undefined) return undefined;
      parts.push(part);
    }
    return this.ok ? Uint8Array.from(parts.flatMap((x) => [...x])) : undefined;
  }

  /** Consumes a break byte (0xff) if one is next; a missing break at the end fails the read. */
  private brk(): boolean {
    if (this.p >= this.b.length) { this.fail(); return true; }
    if (this.b[this.p] === 0xff) { this.p++; return true; }
    return false;
  }

  private simple(info: number): unknown {
    const dv = new DataView(this.b.buffer, this.b.byteOffset, this.b.byteLength);
    const need = info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : info === 24 ? 1 : 0;
    if (this.p + need > this.b.length || info === 31 || (info > 27 && info < 31)) return this.fail();
    const at = this.p;
    this.p += need;
    switch (info) {
      case 20: return false;
      case 21: return true;
      case 22: case 23: return null;
      case 25: return half(dv.getUint16(at));
      case 26: return dv.getFloat32(at);
      case 27: return dv.getFloat64(at);
      default: return null;
    }
  }
}

/** IEEE 754 half precision (RFC 8949 appendix D). */
function half(h: number): number {
  const e = (h >> 10) & 0x1f, m = h & 0x3ff, s = h & 0x8000 ? -1 : 1;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m === 0 ? s * Infinity : NaN;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}
