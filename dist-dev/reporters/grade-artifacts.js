/**
 * The files `brokerlab grade` writes: results.json, junit.xml, classroom.json and
 * classroom.b64 in the out directory, and in GitHub Actions the job summary and the step's
 * `result` output. Each file's content comes from a pure function in this folder.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodeClassroomResult, toClassroomResult } from './classroom.js';
import { stepSummary } from './github.js';
import { toGradeJunitXml } from './grade-junit.js';
import { toGradeResultsJson } from './grade-results-json.js';
export const GRADE_FILES = ['results.json', 'junit.xml', 'classroom.json', 'classroom.b64'];
export function writeGradeArtifacts(report, outDir, env = process.env) {
    const json = toGradeResultsJson(report);
    const classroom = toClassroomResult(report);
    const encoded = encodeClassroomResult(classroom);
    writeFileSync(path.join(outDir, 'results.json'), `${JSON.stringify(json, null, 2)}\n`);
    writeFileSync(path.join(outDir, 'junit.xml'), toGradeJunitXml(report));
    writeFileSync(path.join(outDir, 'classroom.json'), `${JSON.stringify(classroom, null, 2)}\n`);
    writeFileSync(path.join(outDir, 'classroom.b64'), `${encoded}\n`);
    // GitHub reads these files after the step; both are appended to, as every step may write.
    if (env.GITHUB_ACTIONS === 'true' && env.GITHUB_STEP_SUMMARY)
        appendFileSync(env.GITHUB_STEP_SUMMARY, stepSummary(report));
    if (env.GITHUB_OUTPUT)
        appendFileSync(env.GITHUB_OUTPUT, `result=${encoded}\n`);
    return json;
}
//# sourceMappingURL=grade-artifacts.js.map