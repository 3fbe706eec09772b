// A chart: a Vega-Lite v5 spec with its data inlined (never fetched), which displays itself in the kernel as the
// Vega-Lite mime type (live), a static SVG rendered here with vega, and plain text.

import { renderSvg } from "./render.js";

export const VEGALITE_MIME = "application/vnd.vegalite.v5+json";
export const VEGALITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

export type Spec = Record<string, unknown>;

export class Chart {
  constructor(readonly spec: Spec, readonly description: string) {}

  /** The static SVG of the chart. */
  svg(): Promise<string> { return renderSvg(this.spec); }

  /**
   * The display bundle (the kernel awaits it). The SVG also goes as a markdown image, as kernel/display.ts does for
   * bare specs: Debian's nbconvert 6.5 empties inline SVG (jupyter/nbconvert#1849).
   */
  async [Symbol.for("Jupyter.display")](): Promise<Record<string, unknown>> {
    const svg = await this.svg();
    const text = `<${this.description}>`;
    return { [VEGALITE_MIME]: JSON.parse(JSON.stringify(this.spec)), "image/svg+xml": svg,
      "text/markdown": `![${text.replace(/[\[\]<>]/g, "")}](data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")})`,
      "text/plain": text };
  }

  toJSON(): Spec { return this.spec; }
}
