/**
 * The result GitHub Classroom's autograding reporter reads from a grader step: the step's
 * `result` output, base64 of a JSON document (written by `brokerlab grade` as classroom.b64,
 * classroom.json decoded for humans, and `result=<base64>` appended to GITHUB_OUTPUT).
 *
 * The shape, as verified in classroom-resources/autograding-grading-reporter and the graders
 * that feed it:
 * - the reporter's main.js decodes `<RUNNER>_RESULTS` with Buffer.from(value, "base64") and
 *   JSON.parse; it fails the job when `status` is "fail" (or "error");
 * - its notify-classroom.js sums `max_score` over runners and `tests[].score` for the points
 *   ("Points earned/max"), so each test carries its own points;
 * - its console output prints `tests[].name`, `status`, `message` (for "error"), `test_code`,
 *   and `line_no` when it is not 0;
 * - classroom-resources/autograding-io-grader writes
 *   `{ version: 1, status, max_score, tests: [{ name, status, message, test_code, filename,
 *   line_no, duration, score }] }`; other graders send `execution_time` instead of
 *   `duration`. The reporter reads neither; brokerlab sends `execution_time`, the exercise's
 *   run time (its checks are judged together, over one run).
 */
import type { ExerciseOutcome, GradeReport } from './grade-model.js';
import { checksToReport, seconds } from './grade-model.js';
import { statusOf } from './grade-results-json.js';

export interface ClassroomTest {
  name: string;
  status: 'pass' | 'fail' | 'error';
  message: string;
  test_code: string;
  filename: string;
  line_no: number;
  execution_time: string;
  score: number;
}

export interface ClassroomResult {
  version: 1;
  status: 'pass' | 'fail' | 'error';
  max_score: number;
  tests: ClassroomTest[];
}

function testsOf(outcome: ExerciseOutcome): ClassroomTest[] {
  const common = { filename: outcome.file, line_no: 0, execution_time: seconds(outcome.durationMs) };
  if (outcome.checks.length === 0) {
    return [{ name: `${outcome.title}: run`, status: 'error', message: outcome.summary, test_code: `${outcome.exercise}/run`, ...common, score: 0 }];
  }
  const reported = new Set(checksToReport(outcome));
  return outcome.checks.map((check) => ({
    name: `${outcome.title}: ${check.title}`,
    status: check.status === 'unknown' ? 'error' : check.status,
    message: reported.has(check) ? [`Expected: ${check.expected}.`, `Observed: ${check.observed}.`, check.hint ? `Hint: ${check.hint}` : ''].filter(Boolean).join('\n') : '',
    test_code: `${outcome.exercise}/${check.name}`,
    ...common,
    score: check.status === 'pass' ? check.weight : 0,
  }));
}

export function toClassroomResult(report: GradeReport): ClassroomResult {
  return {
    version: 1,
    status: statusOf(report.exercises.map((e) => e.verdict)),
    max_score: report.score.max,
    tests: report.exercises.flatMap(testsOf),
  };
}

export function encodeClassroomResult(result: ClassroomResult): string {
  return Buffer.from(JSON.stringify(result), 'utf8').toString('base64');
}
