/**
 * The report page: `dir/index.html` (self-contained: SVGs inlined, a small stylesheet, no external
 * URLs) beside `dir/figures/NAME.svg` and `NAME.png`. Every file is written atomically (temporary
 * sibling, then rename), and index.html last, so a page never links a figure that is not there.
 */
import { join, resolve } from 'node:path';
import { OptionError } from '../errors.js';
import { writeFileAtomic, writeFilesAtomic } from '../io/atomic.js';
import { conventionValue, formatConventions, formatNumber } from './chart.js';
import { renderPng, renderSvg, svgSize } from './render.js';
import type { Cell, CertificateRow, FigureConventions, FigureSpec, Page, Table } from './types.js';

export interface WriteReportOptions {
  /** PNG width in pixels as a multiple of the SVG's width (default 2). */
  pngScale?: number;
  /** Font files for the PNGs (default: DejaVu Sans when installed). */
  fontFiles?: string[];
  /** Shown in the footer when given (e.g. a date and the package version); omitted by default so pages are reproducible. */
  footer?: string;
  /** Receives rendering warnings (the library never prints). */
  onWarning?: (message: string) => void;
}

export interface WrittenFigure {
  name: string;
  svgPath: string;
  pngPath: string;
  /** SVG size (CSS pixels) and PNG size (pixels). */
  svgWidth: number;
  svgHeight: number;
  pngWidth: number;
  pngHeight: number;
  /** Milliseconds spent on spec → SVG and SVG → PNG. */
  svgMs: number;
  pngMs: number;
}

export interface WrittenReport {
  indexPath: string;
  figures: WrittenFigure[];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Paragraphs separated by blank lines; `backticks` become <code>. */
function paragraphs(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map((p) => `<p>${escapeHtml(p).replace(/`([^`]+)`/g, '<code>$1</code>')}</p>`)
    .join('\n');
}

function cellHtml(c: Cell): string {
  if (c === null) return '<td class="none">—</td>';
  if (typeof c === 'number') return `<td class="num">${escapeHtml(formatNumber(c))}</td>`;
  if (typeof c === 'string') return `<td>${escapeHtml(c)}</td>`;
  return `<td${c.tone ? ` class="${c.tone}"` : ''}>${escapeHtml(c.text)}</td>`;
}

export function tableHtml(t: Table): string {
  for (const [i, row] of t.rows.entries()) {
    if (row.length !== t.columns.length) throw new OptionError(`table '${t.caption}': row ${i + 1} has ${row.length} cells, expected ${t.columns.length}`);
  }
  const head = t.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const body = t.rows.map((r) => `<tr>${r.map(cellHtml).join('')}</tr>`).join('\n');
  return `<table>\n<caption>${escapeHtml(t.caption)}</caption>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

function holds(r: CertificateRow): boolean {
  if (!Number.isFinite(r.measured) || Number.isNaN(r.threshold)) return false;
  switch (r.comparison) {
    case '≤':
      return r.measured <= r.threshold;
    case '<':
      return r.measured < r.threshold;
    case '≥':
      return r.measured >= r.threshold;
    case '>':
      return r.measured > r.threshold;
  }
}

/** The a-posteriori certificate as a table: condition, measured, comparison, threshold, ✓/✗, reference. */
export function certificateTable(rows: readonly CertificateRow[], caption = 'Conditions of the convergence argument, checked on the run'): Table {
  return {
    caption,
    columns: ['condition', 'measured', 'needed', 'threshold', 'held', 'reference'],
    rows: rows.map((r) => {
      const held = r.held ?? holds(r);
      // a NaN is a quantity the run never measured (or a threshold λ ≤ 0 cannot give): neither held nor failed
      const verdict: Cell = Number.isNaN(r.measured) ? { text: '– not measured' } : Number.isNaN(r.threshold) ? { text: '– no threshold' } : held ? { text: '✓ held', tone: 'good' } : { text: '✗ not held', tone: 'bad' };
      return [r.condition, Number.isNaN(r.measured) ? null : r.measured, r.comparison, Number.isNaN(r.threshold) ? null : r.threshold, verdict, r.ref];
    }),
  };
}

/** Prefixes every id in an SVG (and its references) so that several SVGs can be inlined in one page. */
export function scopeSvgIds(svg: string, prefix: string): string {
  return svg
    .replace(/\sid="([^"]+)"/g, ` id="${prefix}-$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${prefix}-$1)`)
    .replace(/(\s(?:xlink:)?href)="#([^"]+)"/g, `$1="#${prefix}-$2"`);
}

const CSS = `
body { font: 16px/1.5 "DejaVu Sans", system-ui, sans-serif; color: #222; background: #fff; margin: 0; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
h1 { font-size: 1.7rem; margin: 0 0 .5rem; } h2 { font-size: 1.3rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; }
.conventions { background: #f6f6f4; border-left: 4px solid #4e79a7; padding: .5rem 1rem; font-size: .93rem; }
nav ol { padding-left: 1.4rem; } code { font-family: "DejaVu Sans Mono", monospace; font-size: .9em; background: #f3f3f3; padding: 0 .2em; }
figure { margin: 1.5rem 0; } figure svg { max-width: 100%; height: auto; display: block; }
figcaption { font-size: .93rem; color: #444; margin-top: .3rem; } figcaption a { color: #4e79a7; }
table { border-collapse: collapse; margin: 1.2rem 0; font-size: .93rem; } caption { text-align: left; font-weight: bold; padding-bottom: .3rem; }
th, td { border: 1px solid #ddd; padding: .25rem .6rem; text-align: left; vertical-align: top; } th { background: #f3f3f3; }
td.num { text-align: right; font-variant-numeric: tabular-nums; } td.good { color: #1b7a2f; } td.bad { color: #b3261e; font-weight: bold; } td.none { color: #999; }
footer { margin-top: 3rem; font-size: .85rem; color: #777; }
`.trim();

/**
 * Renders every figure of `page` and writes the report into `dir` (created if needed). Figure
 * names must be unique and file-name safe. Returns the paths, sizes and timings.
 */
export async function writeReport(dir: string, page: Page, options: WriteReportOptions = {}): Promise<WrittenReport> {
  const scale = options.pngScale ?? 2;
  if (!(scale > 0 && scale <= 8)) throw new OptionError(`the PNG scale must be in (0, 8], got ${scale}`, { field: 'pngScale' });
  const seen = new Set<string>();
  for (const s of page.sections) {
    for (const f of s.figures) {
      if (!NAME.test(f.name)) throw new OptionError(`figure name '${f.name}' must be letters, digits, '.', '_' or '-' (at most 100, not starting with '.', '_' or '-')`);
      if (seen.has(f.name.toLowerCase())) throw new OptionError(`figure name '${f.name}' is used twice`);
      seen.add(f.name.toLowerCase());
    }
  }
  const root = resolve(dir);
  const figDir = join(root, 'figures');

  const written: WrittenFigure[] = [];
  const files: { name: string; data: string | Uint8Array }[] = [];
  const inline = new Map<string, string>();
  for (const s of page.sections) {
    for (const f of s.figures) {
      const t0 = performance.now();
      const svg = await renderSvg(f.spec, { onWarning: options.onWarning });
      const t1 = performance.now();
      const size = svgSize(svg);
      const pngWidth = Math.max(1, Math.round(size.width * scale));
      const png = renderPng(svg, { width: pngWidth, fontFiles: options.fontFiles });
      const t2 = performance.now();
      const svgPath = join(figDir, `${f.name}.svg`);
      const pngPath = join(figDir, `${f.name}.png`);
      files.push({ name: `${f.name}.svg`, data: svg }, { name: `${f.name}.png`, data: png });
      // PNG height from IHDR (bytes 20..23), as resvg rounded it.
      const pngHeight = new DataView(png.buffer, png.byteOffset, png.byteLength).getUint32(20);
      written.push({ name: f.name, svgPath, pngPath, svgWidth: size.width, svgHeight: size.height, pngWidth, pngHeight, svgMs: t1 - t0, pngMs: t2 - t1 });
      // the page states the conventions once, in its box: the figure drawn inline leaves its own out
      const bare = withoutConventions(f.spec);
      const pageSvg = bare === f.spec ? svg : await renderSvg(bare, { onWarning: options.onWarning });
      inline.set(f.name, scopeSvgIds(pageSvg, `fig-${f.name.replace(/\./g, '_')}`));
    }
  }

  // all figures, or none of them, replace the old ones (a full disk leaves the old report whole)
  writeFilesAtomic(figDir, files);
  const indexPath = join(root, 'index.html');
  writeFileAtomic(indexPath, pageHtml(page, inline, options.footer));
  return { indexPath, figures: written };
}

/** The spec with the subtitle's conventions lines (chart.ts, usermeta.overparam.conventionLines) taken out; the same object when it has none. */
function withoutConventions(spec: FigureSpec): FigureSpec {
  const lines = (spec.usermeta as { overparam?: { conventionLines?: string[] } } | undefined)?.overparam?.conventionLines ?? [];
  const title = spec.title as { text: string; subtitle?: string[]; anchor?: string } | undefined;
  if (lines.length === 0 || !title?.subtitle) return spec;
  const subtitle = title.subtitle.filter((l) => !lines.includes(l));
  return { ...spec, title: subtitle.length > 0 ? { ...title, subtitle } : { text: title.text, anchor: title.anchor } };
}

function conventionsHtml(c: FigureConventions): string {
  if (typeof c === 'string') return `<p>${escapeHtml(c)}</p>`;
  const items = Object.entries(c)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(conventionValue(v))}</dd>`);
  return items.length > 0 ? `<dl>${items.join('')}</dl>` : `<p>${escapeHtml(formatConventions(c))}</p>`;
}

function pageHtml(page: Page, inline: Map<string, string>, footer: string | undefined): string {
  let figNo = 0;
  let tabNo = 0;
  const sections = page.sections.map((s, i) => {
    const figs = s.figures.map((f) => {
      figNo++;
      const svg = inline.get(f.name) ?? '';
      const a = escapeHtml(encodeURI(`figures/${f.name}`));
      return `<figure id="figure-${escapeHtml(f.name)}">\n${svg}\n<figcaption><strong>Figure ${figNo}.</strong> ${escapeHtml(f.caption)} <a href="${a}.png">PNG</a> · <a href="${a}.svg">SVG</a></figcaption>\n</figure>`;
    });
    const tables = (s.tables ?? []).map((t) => {
      tabNo++;
      return tableHtml({ ...t, caption: `Table ${tabNo}. ${t.caption}` });
    });
    return `<section id="section-${i + 1}">\n<h2>${escapeHtml(s.heading)}</h2>\n${s.text ? paragraphs(s.text) : ''}\n${figs.join('\n')}\n${tables.join('\n')}\n</section>`;
  });
  const toc = page.sections.map((s, i) => `<li><a href="#section-${i + 1}">${escapeHtml(s.heading)}</a></li>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
<style>
${CSS}
dl { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; margin: .3rem 0; } dt { font-weight: bold; } dd { margin: 0; }
</style>
</head>
<body>
<main>
<h1>${escapeHtml(page.title)}</h1>
${paragraphs(page.intro)}
<div class="conventions"><strong>Conventions</strong>${conventionsHtml(page.conventions)}</div>
${page.sections.length > 1 ? `<nav><ol>${toc}</ol></nav>` : ''}
${sections.join('\n')}
${footer ? `<footer>${escapeHtml(footer)}</footer>` : ''}
</main>
</body>
</html>
`;
}
