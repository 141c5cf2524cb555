/** The width study's HTML report (report/width-study-page.ts), loaded only when asked for. */
import { checkOutputDir } from '../io/atomic.js';
import { warn } from './run.js';
import type { WidthStudyConfig, WidthStudyOutcome } from '../experiments/width-study.js';
import { writeReport } from '../report/page.js';
import { widthStudyPage } from '../report/width-study-page.js';

export async function writeStudyReport(dir: string, config: WidthStudyConfig, outcome: WidthStudyOutcome, command: string, pngScale?: number): Promise<string> {
  checkOutputDir(dir);
  const written = await writeReport(dir, widthStudyPage(config, outcome, { command }), { ...(pngScale !== undefined ? { pngScale } : {}), onWarning: warn });
  return written.indexPath;
}
