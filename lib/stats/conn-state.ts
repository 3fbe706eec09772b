// Zeek's conn_state and history from the TCP flags of one connection's segments (time order).
// https://docs.zeek.org/en/master/scripts/base/protocols/conn/main.zeek.html#type-Conn::Info
// History letters: S syn, H syn-ack, A pure ack, D data, F fin, R rst; upper case from the originator, lower case
// from the responder; each letter is recorded the first time it happens in each direction (Zeek also repeats a
// letter at 1, 10, 100 … occurrences for some; not done here).

export interface Seg {
  ts: number;
  flags: number;
  len: number;
  /** "address|port" of the sender. */
  from: string;
}

const FIN = 0x01, SYN = 0x02, RST = 0x04, ACK = 0x10;

export function historyOf(segs: readonly Seg[], orig: string): string {
  let h = "";
  const seen = new Set<string>();
  const add = (c: string, isOrig: boolean) => {
    const l = isOrig ? c : c.toLowerCase();
    if (!seen.has(l)) { seen.add(l); h += l; }
  };
  for (const s of segs) {
    const o = s.from === orig, f = s.flags;
    if (f & SYN) add(f & ACK ? "H" : "S", o);
    if (s.len > 0) add("D", o);
    if (f & FIN) add("F", o);
    if (f & RST) add("R", o);
    if (f === ACK && s.len === 0) add("A", o);
  }
  return h;
}

/** S0 S1 SF REJ S2 S3 RSTO RSTR RSTOS0 RSTRH SH SHR OTH, as Zeek defines them. */
export function connState(segs: readonly Seg[], orig: string): string {
  let syn = false, synAck = false, finO = false, finR = false, rstO = false, rstR = false, rAny = false;
  for (const s of segs) {
    const o = s.from === orig, f = s.flags;
    if (!o) rAny = true;
    if (f & SYN) { if (f & ACK) { if (!o) synAck = true; } else if (o) syn = true; }
    if (f & FIN) { if (o) finO = true; else finR = true; }
    if (f & RST) { if (o) rstO = true; else rstR = true; }
  }
  const established = syn && synAck;
  if (!syn) return synAck ? (rstR ? "RSTRH" : finR ? "SHR" : "OTH") : "OTH";
  if (rstR && !synAck) return "REJ";
  if (rstO && !synAck) return "RSTOS0";
  if (!synAck) return finO ? "SH" : rAny ? "OTH" : "S0";
  if (rstO) return "RSTO";
  if (rstR) return "RSTR";
  if (finO && finR) return "SF";
  if (finO) return "S2";
  if (finR) return "S3";
  return established ? "S1" : "OTH";
}
