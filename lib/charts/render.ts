// Vega-Lite → static SVG in Node: compile with vega-lite, render headless with vega (renderer "none"). Shared by the
// kernel's display (kernel/display.ts) and the chart builders. vega and vega-lite load on first use.

/** The SVG of a Vega-Lite spec. Renders from a copy: vega tags the data objects it ingests. */
export async function renderSvg(spec: object): Promise<string> {
  const [vega, vl] = await Promise.all([import("vega"), import("vega-lite")]);
  const copy = JSON.parse(JSON.stringify(spec)) as Parameters<typeof vl.compile>[0];
  const compiled = vl.compile(copy).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
