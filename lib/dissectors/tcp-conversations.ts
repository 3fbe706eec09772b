// One summary per TCP stream of a capture (Wireshark's Statistics > Conversations > TCP; the raw material of a
// Zeek-like conn.log): the two endpoints, the first and last frame, and packets and bytes in each direction.
// Built from the layer table after the dissection pass: tcp.stream and the direction bit are in each tcp layer's
// aux (tcp-streams.ts), the addresses in the IP header that carried it.

import { frameChunks } from "../capture/chunks.js";
import type { DeriveSource } from "./field.js";
import { u16 } from "./bytes.js";
import type { LayerTable } from "../decode/layer-table.js";
import { AUX_DIR, AUX_QUOTED, flagsOf, hdrLen, TCP_NO_STREAM, tcpStreamOf, TH_ACK, TH_FIN, TH_RST, TH_SYN } from "./tcp-streams.js";

/** One side of a conversation. */
export interface Endpoint {
  /** "10.0.0.1" or "2001:db8::1" as bytes: 4 (IPv4) or 16 (IPv6); empty when the IP header was not found. */
  address: Uint8Array;
  port: number;
}

/** A TCP stream. Direction 0 is from `a` (the sender of the stream's first segment) to `b`. */
export interface TcpConversation {
  stream: number;
  a: Endpoint;
  b: Endpoint;
  /** 1-based frame numbers of the first and last segment, and their times (epoch seconds). */
  firstFrame: number;
  lastFrame: number;
  firstTime: number;
  lastTime: number;
  /** Segments sent a→b and b→a. */
  packets: [number, number];
  /** Frame lengths on the wire (frame.len) a→b and b→a, as Wireshark's conversation table counts them. */
  bytes: [number, number];
  /** TCP payload bytes (tcp.len) a→b and b→a, as Zeek's orig_bytes / resp_bytes count them (retransmissions included). */
  payload: [number, number];
  /** Flags seen at least once in the stream. */
  syn: boolean;
  synAck: boolean;
  fin: boolean;
  rst: boolean;
}

const IPV4_SRC = 12, IPV4_DST = 16, IPV6_SRC = 8, IPV6_DST = 24;

/**
 * Every TCP stream of the capture, indexed by tcp.stream. Reads the file once. Contract: never throws on packet
 * content; segments quoted in ICMP errors are not counted (a stream seen only there has no entry).
 */
export function tcpConversations(src: DeriveSource): TcpConversation[] {
  const layers = src.layers(), tcpId = src.protoId("tcp"), ip4 = src.protoId("ip"), ip6 = src.protoId("ipv6");
  const out: TcpConversation[] = [];
  const { index } = src.file;
  const bytesOf = (l: number, chunkBuf: Uint8Array, fo: number): Uint8Array => {
    const t = layers.bufOf(l);
    return t === 0 ? chunkBuf.subarray(fo + layers.offOf(l), fo + layers.endOf(l)) : layers.side[t - 1].subarray(layers.offOf(l), layers.endOf(l));
  };
  for (const chunk of frameChunks(src.file)) {
    for (let f = chunk.first; f < chunk.last; f++) {
      const fo = index.offset[f] - chunk.base;
      for (let l = layers.frameStart[f]; l < layers.frameStart[f + 1]; l++) {
        if (layers.proto[l] !== tcpId) continue;
        const aux = layers.aux[l], s = tcpStreamOf(aux);
        // A segment quoted in an ICMP error names its stream but is not traffic of it.
        if (s === TCP_NO_STREAM || aux & AUX_QUOTED) continue;
        const seg = bytesOf(l, chunk.buf, fo);
        let c = out[s];
        if (c === undefined) {
          c = out[s] = open(s, f, index.tsSec[f] + index.tsNsec[f] / 1e9, aux & AUX_DIR);
          const net = nearestIp(layers, l, layers.frameStart[f], ip4, ip6);
          if (net >= 0) {
            const h = bytesOf(net, chunk.buf, fo), v6 = layers.proto[net] === ip6;
            const [so, dof, n] = v6 ? [IPV6_SRC, IPV6_DST, 16] : [IPV4_SRC, IPV4_DST, 4];
            if (h.length >= dof + n) {
              c.a.address = h.slice(so, so + n);
              c.b.address = h.slice(dof, dof + n);
            }
          }
          c.a.port = u16(seg, 0);
          c.b.port = u16(seg, 2);
        }
        count(c, seg, layers.repOf(l), index.len[f], f, index.tsSec[f] + index.tsNsec[f] / 1e9, (aux & AUX_DIR) === dirOfA.get(c)! ? 0 : 1);
      }
    }
  }
  return out;
}

/** The direction bit (tcp-streams.ts numbering) of each conversation's endpoint a. */
const dirOfA = new WeakMap<TcpConversation, number>();

function open(stream: number, frame: number, time: number, dir: number): TcpConversation {
  const c: TcpConversation = {
    stream, a: { address: new Uint8Array(0), port: 0 }, b: { address: new Uint8Array(0), port: 0 },
    firstFrame: frame + 1, lastFrame: frame + 1, firstTime: time, lastTime: time,
    packets: [0, 0], bytes: [0, 0], payload: [0, 0], syn: false, synAck: false, fin: false, rst: false,
  };
  dirOfA.set(c, dir);
  return c;
}

function count(c: TcpConversation, seg: Uint8Array, rep: number, frameLen: number, f: number, time: number, d: 0 | 1): void {
  c.packets[d]++;
  c.bytes[d] += frameLen;
  c.lastFrame = f + 1;
  c.lastTime = time;
  if (seg.length < 14) return;
  const hl = hdrLen(seg, 0), fl = flagsOf(seg, 0);
  if (rep >= hl) c.payload[d] += rep - hl;
  if ((fl & (TH_SYN | TH_ACK)) === TH_SYN) c.syn = true;
  if ((fl & (TH_SYN | TH_ACK)) === (TH_SYN | TH_ACK)) c.synAck = true;
  if (fl & TH_FIN) c.fin = true;
  if (fl & TH_RST) c.rst = true;
}

/** The closest IPv4 or IPv6 layer before layer l in its frame, or -1. */
function nearestIp(layers: LayerTable, l: number, first: number, ip4: number, ip6: number): number {
  for (let k = l - 1; k >= first; k--) if (layers.proto[k] === ip4 || layers.proto[k] === ip6) return k;
  return -1;
}
