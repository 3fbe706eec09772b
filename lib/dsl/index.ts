// The display-filter language (tshark 4.0's, with the same meaning), compiled to predicates over a capture's columns:
//   const f = compileFilter("tcp.port == 1883 && mqtt.msgtype == 3");   // throws DisplayFilterError
//   const selected = f.run(filterColumns(capture, f.fields), capture.count);   // Uint8Array, 1 = frame selected
// Pipeline: scan.ts -> parse.ts -> check.ts -> codegen.ts -> compile.ts; functions.ts, messages.ts, raw.ts.

export { compileFilter, type CompiledFilter } from "./compile.js";
export { DisplayFilterError, type Span } from "./messages.js";
export { explain } from "./explain.js";
export { completeFilter, type Completion, type CompletionItem } from "./complete.js";
export { filterColumns, rawColumn } from "./raw.js";
export { isRawName, parseRawName } from "./raw-names.js";
export { FUNCTIONS } from "./functions.js";
