#!/usr/bin/env node
// Markdown tables for docs/width-study.md from the JSON of `overparam study --json` (one or more files):
// per model and protocol the thresholds m½ and m_{1−δ} of each event with their 95% intervals, and
// the fitted exponents with theirs. Usage: node scripts/width-study-tables.mjs a.json [b.json …]
import { readFileSync } from 'node:fs';

const fmt = (v) => (v === null || v === undefined ? 'open' : v >= 100 ? v.toFixed(0) : v.toPrecision(3));
function threshold(t, rates) {
  // the widths at which some run decided the event (budget-limited widths decide nothing)
  const decided = rates.filter((r) => r.trials > 0).map((r) => r.m);
  const lo = decided.length ? Math.min(...decided) : '?';
  const hi = decided.length ? Math.max(...decided) : '?';
  if (t.status === 'censored-below') return `≤ ${lo}`;
  if (t.status === 'censored-above') return `> ${hi}`;
  if (t.status === 'insufficient' || t.m === null) return '–';
  return `${fmt(t.m)} [${fmt(t.ci?.[0])}, ${fmt(t.ci?.[1])}]`;
}
const protocol = (p) => (p === 'd=n' ? 'd = n' : `d = ${p}`);
for (const file of process.argv.slice(2)) {
  const s = JSON.parse(readFileSync(file, 'utf-8'));
  const q = 1 - s.config.delta;
  console.log(`\n<!-- ${file}: ${s.runs} runs, complete: ${s.complete} -->`);
  for (const model of s.config.models) {
    for (const p of s.config.protocols) {
      const cells = s.cells.filter((c) => c.cell.model.activation === model.activation && c.cell.model.init === model.init && c.cell.protocol === p);
      if (cells.length === 0) continue;
      const events = cells[0].curves.map((c) => c.event);
      console.log(`\n**${model.activation}/${model.init}, ${protocol(p)}**\n`);
      console.log(`| n | λ | ${events.map((e) => `m_${e} (½) | m_${e} (${q})`).join(' | ')} | relative kernel change at m_lazy (½) | widths run |`);
      console.log(`|---:|---:|${events.map(() => '---:|---:|').join('')}---:|---|`);
      for (const c of cells) {
        const cols = c.curves.map((cv) => `${threshold(cv.half, cv.rates)} | ${threshold(cv.high, cv.rates)}`);
        const w = c.curves[0].rates;
        const limited = c.curves.find((cv) => cv.event === 'int')?.rates.reduce((a, r) => a + r.undetermined, 0) ?? 0;
        const drift = c.relativeDriftAtLazy ? `${c.relativeDriftAtLazy.median.toPrecision(2)} (m = ${c.relativeDriftAtLazy.m})` : '–';
        console.log(`| ${c.cell.n} | ${c.lambda === null ? '–' : c.lambda.toPrecision(3)} | ${cols.join(' | ')} | ${drift} | ${w.length} (${w[0]?.m}…${w[w.length - 1]?.m})${limited ? `, ${limited} budget-limited` : ''} |`);
      }
    }
  }
  console.log(`\n| model | protocol | event | q | against | exponent b | 95% interval | half-width | n used | left out |`);
  console.log(`|---|---|---|---:|---|---:|---|---:|---|---|`);
  for (const f of s.fits) {
    const b = f.fit ? f.fit.exponent.toFixed(2) : '–';
    const ci = f.fit?.ci ? `[${f.fit.ci[0].toFixed(2)}, ${f.fit.ci[1].toFixed(2)}]` : '–';
    const hw = f.fit?.ci ? ((f.fit.ci[1] - f.fit.ci[0]) / 2).toFixed(2) : '–';
    const left = f.refused.map((r) => `${r.n} (${r.why})`).join(', ') || '–';
    console.log(`| ${f.model.activation}/${f.model.init} | ${protocol(f.protocol)} | m_${f.event} | ${f.q} | ${f.against} | ${b} | ${ci} | ${hw} | ${f.used.join(', ') || '–'} | ${left} |`);
  }
}
