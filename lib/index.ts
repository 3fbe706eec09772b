// Wirebook's public API: what a notebook cell has in scope and what `import … from "wirebook"` gives.

export { open, Capture, type OpenOptions } from "./table/capture.js";
export { FrameView } from "./table/frame-view.js";
export type { MessageOptions } from "./table/messages.js";
export { summarize, summaryText, type CaptureSummary, type HierarchyNode } from "./table/summary.js";
export { toTable, type ColumnTable } from "./table/to-arquero.js";
export { WirebookError } from "./table/errors.js";
export { readCapture } from "./capture/read.js";
export { lookupField, completeField, allFields, lookupProtocol } from "./dissectors/registry.js";
export type { FieldDef, FieldType } from "./dissectors/field.js";
export type { Column } from "./decode/column.js";
export * as aq from "arquero";
export * from "./stats/index.js";
export * from "./charts/index.js";
