/** Everything a run leaves in its run directory besides the history and learner logs. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { toHtmlReport } from './html.js';
import { toJunitXml } from './junit.js';
import { toResultsJson } from './results-json.js';
export function writeArtifacts(result) {
    // results.json picks its fields one by one, so the (large) history stays out of it.
    const json = toResultsJson(result);
    writeFileSync(path.join(result.runDir, 'results.json'), `${JSON.stringify(json, null, 2)}\n`);
    writeFileSync(path.join(result.runDir, 'junit.xml'), toJunitXml(result));
    writeFileSync(path.join(result.runDir, 'report.html'), toHtmlReport(result, result.history));
    return json;
}
//# sourceMappingURL=artifacts.js.map