// Notebook execution and HTML reports.
export { executeNotebook, type RunResult } from "./execute.js";
export { renderReport, scriptJson, type Provenance } from "./html.js";
export { renderMarkdown } from "./markdown.js";
export { injectParameters, parseNotebook, parseParam, type Notebook, type Cell, type Output } from "./notebook.js";
export { KernelClient } from "./kernel-client.js";
