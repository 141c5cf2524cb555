/** `overparam report`: results files → an HTML page with SVG and PNG figures. */
import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { thresholdsFromResults, type MStarPoint } from '../experiments/analysis.js';
import { latestById, readResults } from '../experiments/results.js';
import { DataError, OptionError } from '../errors.js';
import { resultsPage } from '../report/results-page.js';
import { intOption } from './options.js';
import { pngScaleOption, reportJson, reportLines, writePage } from './report-output.js';
import { EXIT } from './run.js';
import { checkOutputDir } from '../io/atomic.js';

interface ReportCliOptions {
  out: string;
  delta: string;
  maxRuns: string;
  maxCertificates: string;
  pngScale?: string;
  title?: string;
  json?: boolean;
}

export function reportCommand(): Command {
  return new Command('report')
    .summary('write an HTML report (SVG + PNG figures) from results files')
    .description(
      'Reads one or more results files (JSON lines written by sweep, threshold or replicate; one run per line) and writes ' +
        'DIR/index.html, self-contained, beside DIR/figures/NAME.svg and NAME.png: the loss curves with the linearised ' +
        'prediction and the envelope of docs/theory.md §4 D, λ_min(H(W(k))) against λ/2 and the movement against R* (monitored runs), ' +
        '‖H(W(0)) − H^cts‖₂ and the largest movement against width, m*(n) on log-log axes with its fitted exponent, and ' +
        'the certificate of each monitored run. A figure whose data are absent is left out, and the page says why.',
    )
    .argument('<results...>', 'results files (.jsonl); runs found in several files count once')
    .requiredOption('--out <dir>', 'output directory (created; files in it are replaced)')
    .option('--delta <value>', 'm*(n) = smallest width whose success rate over seeds is ≥ 1 − δ', '0')
    .option('--max-runs <count>', 'monitored runs drawn in the per-run figures', '4')
    .option('--max-certificates <count>', 'certificate tables shown', '4')
    .option('--png-scale <factor>', 'PNG width as a multiple of the SVG width (default 2)')
    .option('--title <text>', 'page title')
    .option('--json', 'print what was written as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  overparam threshold --n 4,8,16 --seeds 3 --results thr.jsonl && overparam report thr.jsonl --out thr-report\n' +
        '  overparam sweep --width 256,1024,4096 --monitor-every 20 --results s.jsonl && overparam report s.jsonl --out s-report',
    )
    .action(async (files: string[], o: ReportCliOptions) => {
      process.exitCode = await runReport(files, o);
    });
}

async function runReport(files: string[], o: ReportCliOptions): Promise<number> {
  const delta = Number(o.delta);
  if (!(delta >= 0 && delta < 1) || o.delta.trim() === '') throw new OptionError(`--delta must lie in [0, 1), got '${o.delta}'`);
  const maxRuns = intOption('max-runs', o.maxRuns, 1);
  const maxCertificates = intOption('max-certificates', o.maxCertificates, 0);
  const pngScale = pngScaleOption(o.pngScale);
  checkOutputDir(o.out);
  const all = files.flatMap((f) => {
    if (!existsSync(f)) throw new DataError(`${f}: no such results file`);
    return readResults(f).results;
  });
  if (all.length === 0) throw new DataError(`${files.join(', ')}: no runs in the results file(s)`);
  const results = [...latestById(all).values()];
  const curves = thresholdsFromResults(results, delta);
  const rp = resultsPage(results, curves, { delta, maxRuns, maxCertificates, sources: files, ...(o.title ? { title: o.title } : {}) });
  const written = await writePage(o.out, rp, pngScale);
  if (o.json) {
    const thresholds = curves.map((c) => ({ activation: c.activation, init: c.init, points: c.points.map((p) => ({ n: p.n, mStar: p.mStar, mBelow: p.mBelow, censored: p.censored })), fit: c.fit, censored: c.censored, theory: c.theory }));
    process.stdout.write(JSON.stringify({ command: 'report', results: files, runs: results.length, delta, ...reportJson(o.out, rp, written), thresholds }, null, 2) + '\n');
  } else {
    const lines = [`overparam report: ${results.length} run(s) from ${files.join(', ')}; ${rp.monitoredRuns} monitored`, ...reportLines(rp, written)];
    for (const c of curves) {
      const pts = c.points.map((p) => `n=${p.n}: ${mStarBound(p)}`).join(', ');
      const bounds = c.censored.below + c.censored.above;
      const refused = bounds > 0 ? `, ${bounds} bound(s) left out` : '';
      const fit = c.fit
        ? `; fit exponent ${c.fit.exponent.toFixed(2)}${c.fit.ci ? ` (95% CI ${c.fit.ci[0].toFixed(2)}–${c.fit.ci[1].toFixed(2)})` : ''} over ${c.fit.points} uncensored n${refused}`
        : `; no fit: needs uncensored m* at two or more n${refused}`;
      lines.push(`  m*(n), ${c.activation}/${c.init} (δ = ${delta}): ${pts}${fit}`);
    }
    process.stdout.write(lines.join('\n') + '\n');
  }
  return EXIT.ok;
}

/** m*(n) as the report's text line shows it: a value when bracketed, "≤ m" when the smallest width run already succeeded, "> m" when none did. */
export function mStarBound(p: MStarPoint): string {
  if (p.censored === 'above' || p.mStar === null) return `>${p.widths.at(-1)?.m ?? '?'}`;
  return p.censored === 'below' ? `≤${p.mStar}` : String(p.mStar);
}
