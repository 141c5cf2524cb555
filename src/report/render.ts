/**
 * Vega-Lite spec → SVG (vega-lite compile, a headless vega View, toSVG) and SVG → PNG
 * (@resvg/resvg-js with a fixed font). The rendering packages are loaded on first use, so that
 * importing the library (and every CLI command) does not pay for them.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ResvgRenderOptions } from '@resvg/resvg-js';
import { OptionError } from '../errors.js';
import { loadAdvanceTable, textWidth } from './fontmetrics.js';
import type { FigureSpec } from './types.js';

export interface RenderSvgOptions {
  /** Receives vega-lite's and vega's warnings (by default they are dropped: the library never prints). */
  onWarning?: (message: string) => void;
}

type Vega = typeof import('vega');
type VegaLite = typeof import('vega-lite');
let modules: Promise<[Vega, VegaLite]> | undefined;

function loadVega(): Promise<[Vega, VegaLite]> {
  modules ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vl]) => {
    measureWithDejaVu(vega);
    return [vega, vl];
  });
  return modules;
}

interface TextItem {
  text?: unknown;
  fontSize?: number | string;
  fontWeight?: number | string;
}

/**
 * Makes vega measure text with DejaVu Sans's advance widths (the font of the PNGs) instead of its
 * 0.8 em-per-character guess, so that titles and legends get the room they need and no more.
 * This sets vega's module-wide `textMetrics.width`, the hook vega offers for this (vl-convert
 * uses it too). Left alone when DejaVu Sans is not installed.
 */
function measureWithDejaVu(vega: Vega): void {
  const files = dejaVuFiles();
  const regular = files.find((f) => f.endsWith('DejaVuSans.ttf'));
  const bold = files.find((f) => f.endsWith('DejaVuSans-Bold.ttf'));
  const table = regular === undefined ? undefined : loadAdvanceTable(regular);
  if (table === undefined) return;
  const boldTable = (bold === undefined ? undefined : loadAdvanceTable(bold)) ?? table;
  const metrics = (vega as unknown as { textMetrics: { width: (item: TextItem, text?: unknown) => number } }).textMetrics;
  metrics.width = (item, text) => {
    const size = item.fontSize != null ? +item.fontSize || 0 : 11;
    const s = String(text ?? '').trim();
    const w = item.fontWeight;
    const isBold = w === 'bold' || w === 'bolder' || (typeof w === 'number' && w >= 600) || (typeof w === 'string' && Number(w) >= 600);
    return textWidth(isBold ? boldTable : table, s, size);
  };
}

/** A vega-util LoggerInterface that forwards warnings and errors to a callback. */
function logger(onWarning: (message: string) => void) {
  let lvl = 2;
  const send = (...args: unknown[]) => onWarning(args.map(String).join(' '));
  const self = {
    level(v?: number) {
      if (v === undefined) return lvl;
      lvl = v;
      return self;
    },
    error(...args: unknown[]) {
      send(...args);
      return self;
    },
    warn(...args: unknown[]) {
      send(...args);
      return self;
    },
    info() {
      return self;
    },
    debug() {
      return self;
    },
  };
  return self;
}

/** Renders a Vega-Lite spec to an SVG document (a string starting with `<svg`). */
export async function renderSvg(spec: FigureSpec, options: RenderSvgOptions = {}): Promise<string> {
  const [vega, vl] = await loadVega();
  const log = logger(options.onWarning ?? (() => {}));
  const compiled = vl.compile(spec as unknown as Parameters<VegaLite['compile']>[0], { logger: log as never }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logger: log as never, logLevel: vega.Warn });
  try {
    // Clip-path and gradient ids count up per process; restart them so each SVG is reproducible.
    vega.resetSVGDefIds();
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Where the DejaVu fonts live on Debian/Ubuntu, Fedora, Arch and Alpine. */
const FONT_DIRS = ['/usr/share/fonts/truetype/dejavu', '/usr/share/fonts/dejavu-sans-fonts', '/usr/share/fonts/TTF', '/usr/share/fonts/dejavu'];
const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSans-Oblique.ttf'];

/** The DejaVu Sans files found on this machine (empty when none are installed). */
export function dejaVuFiles(): string[] {
  for (const dir of FONT_DIRS) {
    const files = FONT_FILES.map((f) => join(dir, f)).filter((p) => existsSync(p));
    if (files.length > 0) return files;
  }
  return [];
}

export interface RenderPngOptions {
  /** Output width in pixels; the height keeps the SVG's aspect ratio. Default: the SVG's own width × 2. */
  width?: number;
  /** Font files to use instead of DejaVu Sans. */
  fontFiles?: string[];
  /** Background colour (default white). */
  background?: string;
}

/** How `renderPng` sets up fonts: DejaVu Sans only when found (deterministic), else the system's fonts. */
export function fontOptions(fontFiles?: string[]): NonNullable<ResvgRenderOptions['font']> {
  const files = fontFiles ?? dejaVuFiles();
  if (files.length > 0) {
    return { loadSystemFonts: false, fontFiles: files, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' };
  }
  return { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' };
}

type Resvg = typeof import('@resvg/resvg-js');
let resvg: Resvg | undefined;

/** Rasterises an SVG document to PNG bytes. */
export function renderPng(svg: string, options: RenderPngOptions = {}): Uint8Array {
  if (options.width !== undefined && !(Number.isSafeInteger(options.width) && options.width > 0 && options.width <= 16384)) {
    throw new OptionError(`PNG width must be an integer in 1..16384, got ${options.width}`);
  }
  resvg ??= createRequire(import.meta.url)('@resvg/resvg-js') as Resvg;
  const width = options.width ?? 2 * svgSize(svg).width;
  const r = new resvg.Resvg(svg, {
    fitTo: { mode: 'width', value: width },
    background: options.background ?? 'white',
    font: fontOptions(options.fontFiles),
    logLevel: 'off',
  });
  return new Uint8Array(r.render().asPng());
}

/** The width and height attributes of an SVG's root element (pixels). */
export function svgSize(svg: string): { width: number; height: number } {
  const root = /<svg\b[^>]*>/.exec(svg)?.[0] ?? '';
  const width = Number(/\swidth="([\d.]+)"/.exec(root)?.[1]);
  const height = Number(/\sheight="([\d.]+)"/.exec(root)?.[1]);
  if (!(width > 0 && height > 0)) throw new OptionError('SVG root has no positive width and height');
  return { width, height };
}
