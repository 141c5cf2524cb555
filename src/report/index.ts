/** The report layer: figure specs (Vega-Lite), SVG/PNG rendering, and the HTML page. */
export type * from './types.js';
export {
  lineChart,
  sanitizeSeries,
  thin,
  formatConventions,
  formatNumber,
  seriesNames,
  dropNotesOf,
  binaryLogTicks,
  PALETTE,
  FONT,
  type SanitizeReport,
  type SanitizedPoint,
  type LogTicks,
} from './chart.js';
export { describeConventions } from './conventions.js';
export {
  lossCurves,
  lambdaMinOverSteps,
  movementOverSteps,
  movementVsWidth,
  kernelDistanceVsWidth,
  thresholdVsN,
  flipsOverSteps,
  summarizeOverSeeds,
  type SeedSummary,
} from './figures.js';
export { renderSvg, renderPng, svgSize, fontOptions, dejaVuFiles, type RenderSvgOptions, type RenderPngOptions } from './render.js';
export { writeReport, certificateTable, tableHtml, scopeSvgIds, escapeHtml, type WriteReportOptions, type WrittenReport, type WrittenFigure } from './page.js';
