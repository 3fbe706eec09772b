// Vega-Lite chart builders and their static SVG rendering.
export { Chart, VEGALITE_MIME, VEGALITE_SCHEMA, type Spec } from "./chart.js";
export { timeline, ioGraph, histogram, heatmap, ladder } from "./builders.js";
export { renderSvg } from "./render.js";
export { safeName } from "./data.js";
