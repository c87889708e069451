/** Everything a run leaves in its run directory besides the history and learner logs. */
import { rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunResult } from '../runner/run.js';
import { toHtmlReport } from './html.js';
import { toJunitXml } from './junit.js';
import { type ResultsJson, toResultsJson } from './results-json.js';

export function writeArtifacts(result: RunResult): ResultsJson {
  // results.json picks its fields one by one, so the (large) history stays out of it.
  const json = toResultsJson(result);
  writeFileSync(path.join(result.runDir, 'results.json'), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(path.join(result.runDir, 'junit.xml'), toJunitXml(result));
  writeFileSync(path.join(result.runDir, 'report.html'), toHtmlReport(result, result.history));
  // The run is complete: `latest` names it now (an interrupted run, with no results, never does).
  const latest = path.join(path.dirname(result.runDir), 'latest');
  rmSync(latest, { force: true });
  try {
    symlinkSync(path.basename(result.runDir), latest);
  } catch {
    // a filesystem without symlinks just has no `latest`
  }
  return json;
}
