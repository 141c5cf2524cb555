import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { XMLValidator } from 'fast-xml-parser';
import { PNG } from 'pngjs';
import { renderPng, renderSvg, seriesNames, svgSize, writeReport, type WrittenReport } from '../../src/report/index.js';
import type { Page } from '../../src/report/types.js';
import { fullPage, svgTexts } from './fixtures.js';

describe('writeReport', () => {
  let dir: string;
  let page: Page;
  let result: WrittenReport;
  const warnings: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'overparam-report-'));
    page = fullPage();
    result = await writeReport(join(dir, 'out'), page, { onWarning: (w) => warnings.push(w), footer: 'footer text' });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const figures = () => page.sections.flatMap((s) => s.figures);

  it('writes index.html and an SVG and a PNG per figure, and nothing half-written', () => {
    const out = join(dir, 'out');
    assert.equal(result.indexPath, join(out, 'index.html'));
    assert.ok(existsSync(result.indexPath));
    const expected = figures().flatMap((f) => [`${f.name}.png`, `${f.name}.svg`]).sort();
    assert.deepEqual(readdirSync(join(out, 'figures')).sort(), expected);
    assert.deepEqual(readdirSync(out).sort(), ['figures', 'index.html']);
    assert.deepEqual(result.figures.map((f) => f.name), figures().map((f) => f.name));
    assert.deepEqual(warnings, []);
  });

  it('each SVG is well-formed XML and shows the title and every series name of its figure', () => {
    for (const f of figures()) {
      const svg = readFileSync(join(dir, 'out', 'figures', `${f.name}.svg`), 'utf8');
      assert.equal(XMLValidator.validate(svg), true, f.name);
      const texts = svgTexts(svg);
      const names = seriesNames(f.spec);
      assert.ok(names.length > 0, f.name);
      for (const name of names) assert.ok(texts.includes(name), `${f.name}: legend lacks '${name}'`);
      const title = (f.spec.title as { text: string }).text;
      assert.ok(texts.includes(title), `${f.name}: title missing`);
      assert.ok(texts.some((t) => t.startsWith('Conventions: ')), `${f.name}: conventions missing`);
    }
  });

  it('each PNG decodes, at twice the SVG size, with ink on it', () => {
    for (const f of result.figures) {
      const png = PNG.sync.read(readFileSync(f.pngPath));
      const svg = readFileSync(f.svgPath, 'utf8');
      const size = svgSize(svg);
      assert.equal(png.width, Math.round(2 * size.width), f.name);
      assert.ok(Math.abs(png.height - 2 * size.height) <= 1, `${f.name}: ${png.height} vs ${2 * size.height}`);
      assert.equal(png.width, f.pngWidth);
      assert.equal(png.height, f.pngHeight);
      // Dark pixels are text and axes; a PNG without fonts would have far fewer.
      let dark = 0;
      for (let i = 0; i < png.data.length; i += 4) if (png.data[i] < 80 && png.data[i + 1] < 80 && png.data[i + 2] < 80) dark++;
      assert.ok(dark > 10_000, `${f.name}: only ${dark} dark pixels`);
      // Opaque white background.
      assert.deepEqual([...png.data.subarray(0, 4)], [255, 255, 255, 255]);
    }
  });

  it('index.html is self-contained: inline SVGs with unique ids, PNG links, escaped text, no external resources', () => {
    const html = readFileSync(result.indexPath, 'utf8');
    assert.equal((html.match(/<svg\b/g) ?? []).length, figures().length);
    for (const f of figures()) {
      assert.ok(html.includes(`href="figures/${f.name}.png"`), f.name);
      assert.ok(html.includes(f.caption), f.name);
    }
    assert.ok(html.includes('<title>overparam report &lt;test&gt; &amp; check</title>'));
    assert.ok(html.includes('<code>code</code>'));
    assert.doesNotMatch(html, /<script|<link|@import|\b(src|href)="(https?:)?\/\//i);
    const urls = (html.match(/https?:\/\/[^\s"')]+/g) ?? []).filter((u) => !u.startsWith('http://www.w3.org/'));
    assert.deepEqual(urls, []);
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(new Set(ids).size, ids.length);
    assert.match(html, /✓ held/);
    assert.match(html, /✗ not held/);
    assert.match(html, /Table 2\. Raw numbers/);
    assert.match(html, /<td class="num">5\.9<\/td>/);
    assert.match(html, /footer text/);
  });

  it('rejects unsafe or duplicate figure names before writing anything', async () => {
    const spec = figures()[0].spec;
    const bad = (name: string): Page => ({ title: 't', intro: '', conventions: 'c', sections: [{ heading: 'h', figures: [{ name, spec, caption: '' }] }] });
    for (const name of ['../evil', 'a/b', '', '.hidden']) {
      await assert.rejects(writeReport(join(dir, 'bad'), bad(name)), /figure name/);
    }
    const twice: Page = { title: 't', intro: '', conventions: 'c', sections: [{ heading: 'h', figures: [{ name: 'x', spec, caption: '' }, { name: 'X', spec, caption: '' }] }] };
    await assert.rejects(writeReport(join(dir, 'bad'), twice), /used twice/);
    assert.equal(existsSync(join(dir, 'bad')), false);
  });
});

describe('renderSvg / renderPng', () => {
  it('renders the same spec to the same SVG every time', async () => {
    const spec = fullPage().sections[1].figures[2].spec;
    const a = await renderSvg(spec);
    const b = await renderSvg(spec);
    assert.equal(a, b);
  });

  it('renders a PNG at the requested width and rejects a bad one', async () => {
    const svg = await renderSvg(fullPage().sections[0].figures[3].spec);
    const png = PNG.sync.read(Buffer.from(renderPng(svg, { width: 300 })));
    assert.equal(png.width, 300);
    const { width, height } = svgSize(svg);
    assert.ok(Math.abs(png.height - (300 * height) / width) <= 1);
    assert.throws(() => renderPng(svg, { width: 0 }), /PNG width/);
  });
});
