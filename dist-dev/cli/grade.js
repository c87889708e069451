import { runsDir } from '../paths.js';
import { writeArtifacts } from '../reporters/artifacts.js';
import { runScenario } from '../runner/run.js';
import { gradesLearnerWork, resolveSolution } from '../runner/solution.js';
import { loadProgress, recordRun, saveProgress } from '../workspace/progress.js';
import { learnerFile } from '../workspace/workspace.js';
import { interruptSignal } from './interrupt.js';
export async function gradeExercise(workspace, entry, choice, progress, seed) {
    const command = resolveSolution(entry, choice, learnerFile(workspace, entry));
    const result = await runScenario(entry, command, { runsDir: runsDir(workspace.root), signal: interruptSignal, progress, ...(seed === undefined ? {} : { seed }) });
    const json = writeArtifacts(result);
    if (gradesLearnerWork(choice) && result.verdict !== 'error') {
        saveProgress(workspace, recordRun(loadProgress(workspace), entry.scenario.id, result.verdict, new Date()));
    }
    return { result, json };
}
//# sourceMappingURL=grade.js.map