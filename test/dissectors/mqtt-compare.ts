// Frame-by-frame comparison of every mqtt.* field with tshark 4.0's, for the MQTT conformance tests (the loop itself
// is protocol-compare.ts). MQTT's own: the text forms, which tshark shows only with mqtt.show_msg_as_text on (a
// second, cached tshark question), "decode as" for a broker on another port, and frames whose lower layers we do
// not decode, counted under their reason.

import { mqtt } from "../../lib/dissectors/mqtt.js";
import { escapeText } from "../../lib/table/tshark-format.js";
import { tsharkFields } from "../oracle/tshark.js";
import { compareFrames, decodeAsArgs, report as reportOf, type DecodeAs, type Result } from "./protocol-compare.js";

export type { Mismatch } from "./protocol-compare.js";

/** The text forms: tshark shows them only with the preference on (and then instead of the bytes). */
const TEXT_FORMS = ["mqtt.msg_text", "mqtt.willmsg_text"];
/** Every field mqtt.ts declares, as tshark can be asked for it. */
export const MQTT_FIELDS = mqtt.fields.map((f) => f.abbrev).filter((a) => a !== "mqtt" && !TEXT_FORMS.includes(a));

export const REASONS = {
  lower: "the frame's IP/TCP layers are not decoded on our side yet (someone else's work in progress)",
} as const;
export type Reason = keyof typeof REASONS;
export type MqttResult = Result<Reason>;

/** Compares one capture; `port` decodes that TCP port as MQTT on both sides (decode as). */
export async function compareMqtt(file: string, port?: number): Promise<MqttResult> {
  const decodeAs: DecodeAs | undefined = port === undefined ? undefined : { table: "tcp.port", value: port, proto: "mqtt" };
  const asText = await tsharkFields(file, TEXT_FORMS, {
    args: [...decodeAsArgs(decodeAs), "-o", "mqtt.show_msg_as_text:TRUE"],
  });
  return compareFrames<Reason>(file, {
    fields: MQTT_FIELDS,
    theirContext: ["tcp.stream"],
    ourContext: ["tcp.stream", ...TEXT_FORMS],
    decodeAs,
    // tshark has a TCP stream where we decode no TCP: the MQTT above it is not ours to compare yet.
    leaveFrame: (f) => (!f.column("tcp.stream").has(f.i) && f.theirs("tcp.stream") !== "" ? { reason: "lower", count: 1 } : null),
    // The text forms: ours are given only where the bytes are text; each must be tshark's value, in order (found in
    // tshark's aggregated text one after the other: a comma inside a value defeats splitting on commas).
    after(f) {
      TEXT_FORMS.forEach((field, k) => {
        const mine = f.column(field).all(f.i).map((v) => escapeText(String(v)));
        if (mine.length === 0) return;
        f.compared();
        const theirs = asText[f.i]?.[k] ?? "";
        let at = 0;
        const ok = mine.every((m) => {
          const hit = theirs.indexOf(m, at);
          if (hit < 0 || (hit > 0 && theirs[hit - 1] !== ",")) return false;
          at = hit + m.length;
          return at === theirs.length || theirs[at] === ",";
        });
        if (!ok) f.mismatch(field, theirs, mine.join(","));
      });
    },
  });
}

export const report = (r: MqttResult): string => reportOf(r, { label: "MQTT", reasons: REASONS, clip: 50 });
