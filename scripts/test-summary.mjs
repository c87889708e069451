// The suite's closing lines, read from vitest's JSON report: one line per failed test (its
// file, its name and the first line of its failure, so the end of a CI log says what broke
// even when the log is cut), then the plain count any CI reads: "N passed, N failed".
import { readFileSync } from 'node:fs';

const MAX_FAILED_LINES = 40;
let report;
try {
  report = JSON.parse(readFileSync('.brokerlab/test-results.json', 'utf8'));
} catch (error) {
  console.log(`no test report to sum up (.brokerlab/test-results.json: ${error.message})`);
  process.exit(0);
}
const failed = report.testResults.flatMap((file) =>
  file.assertionResults
    .filter((test) => test.status === 'failed')
    .map((test) => {
      const first = (test.failureMessages?.[0] ?? '').replace(/\u001b\[[0-9;]*m/g, '').split('\n').find((line) => line.trim() !== '') ?? '';
      return `FAILED ${file.name.replace(`${process.cwd()}/`, '')} > ${test.fullName}: ${first.trim().slice(0, 240)}`;
    }),
);
for (const line of failed.slice(0, MAX_FAILED_LINES)) console.log(line);
if (failed.length > MAX_FAILED_LINES) console.log(`... and ${failed.length - MAX_FAILED_LINES} more failed tests (.brokerlab/test-results.json)`);
console.log(`${report.numPassedTests} passed, ${report.numFailedTests} failed` + (report.numPendingTests ? `, ${report.numPendingTests} skipped` : ''));
