/**
 * brokerlab check <exercise> [--solution starter|reference|<path>] [--cmd "..."]
 *
 * Grades one exercise against the real brokers and prints the report. The exit code says
 * the verdict (0 pass, 1 not yet, 3 undecided); every run keeps its artifacts.
 */
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { findExercise } from '../../catalog/load.js';
import { ExitError } from '../../errors.js';
import { formatReport } from '../../reporters/console.js';
import { findWorkspace } from '../../workspace/workspace.js';
import { gradeExercise } from '../grade.js';
import { progressPrinter, stdout } from '../output.js';
import { SEED_HELP, parseSeedOption } from '../seed.js';
export function checkCommand() {
    return new Command('check')
        .description('grade an exercise against the real brokers')
        .argument('<exercise>', 'exercise id (see `brokerlab list`)')
        .option('--solution <which>', 'what to grade instead of your file: "reference", "starter" (the untouched starter), or a path')
        .option('--cmd <command>', 'grade any program: the shell command that starts it (any language)')
        .option('--json', 'print results.json (Exercism v3 shape, with per-check scores) instead of the report')
        .option('--junit <file>', 'also write JUnit XML to this file')
        .option('--seed <n>', SEED_HELP, parseSeedOption)
        .option('-q, --quiet', 'no progress lines')
        .action(async (exercise, options) => {
        const entry = findExercise(exercise);
        const { result, json } = await gradeExercise(findWorkspace(), entry, options, progressPrinter(options), options.seed);
        if (options.junit)
            copyFileSync(path.join(result.runDir, 'junit.xml'), options.junit);
        stdout(options.json ? JSON.stringify(json, null, 2) : formatReport(result));
        if (result.verdict !== 'pass')
            throw new ExitError(result.verdict === 'fail' ? 'fail' : 'unknown');
    });
}
//# sourceMappingURL=check.js.map