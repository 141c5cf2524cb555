/** Writes a report page for a command and says what was written (shared by report, train --report, replicate). */
import { relative } from 'node:path';
import { writeReport, type WrittenReport } from '../report/index.js';
import type { ResultsPage } from '../report/results-page.js';
import { positiveOption } from './options.js';
import { warn } from './run.js';
import { provenance } from '../io/provenance.js';

export function pngScaleOption(v: string | undefined): number {
  return v === undefined ? 2 : positiveOption('png-scale', v);
}

export async function writePage(dir: string, rp: ResultsPage, pngScale: number): Promise<WrittenReport> {
  // what made the page, without a date: the same checkout and command give the same page
  const p = provenance(['overparam', ...process.argv.slice(2)]);
  const footer = `Made by overparam ${p.overparam}${p.git ? ` (git ${p.git})` : ''} on Node.js ${p.node}: ${p.command!.join(' ')}`;
  return writeReport(dir, rp.page, { pngScale, footer, onWarning: (m) => warn(`rendering: ${m}`) });
}

/** The JSON description of a written report (for --json). */
export function reportJson(dir: string, rp: ResultsPage, written: WrittenReport) {
  return {
    out: dir,
    index: written.indexPath,
    figures: written.figures.map((f) => ({ name: f.name, svg: f.svgPath, png: f.pngPath, pngWidth: f.pngWidth, pngHeight: f.pngHeight })),
    skipped: rp.skipped,
    monitoredRuns: rp.monitoredRuns,
    shownRuns: rp.shownRuns,
    certificateRuns: rp.certificateRuns,
  };
}

/** Human-readable lines: the page, each figure's PNG, and each skipped figure with its reason. */
export function reportLines(rp: ResultsPage, written: WrittenReport): string[] {
  const rel = (p: string) => relative(process.cwd(), p) || p;
  const lines = [`  wrote ${rel(written.indexPath)} with ${written.figures.length} figure(s) (SVG + PNG in ${rel(written.indexPath).replace(/index\.html$/, '')}figures/)`];
  for (const f of written.figures) lines.push(`    ${f.name.padEnd(28)} ${rel(f.pngPath)} (${f.pngWidth}×${f.pngHeight})`);
  for (const s of rp.skipped) lines.push(`    not drawn: ${s.name}: ${s.reason}`);
  return lines;
}
