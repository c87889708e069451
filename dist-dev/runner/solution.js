import { UsageError } from '../errors.js';
import { commandForFile, commandForShell } from './learner.js';
/** Whether a run grades the learner's own work (and so counts towards progress). */
export function gradesLearnerWork(choice) {
    return choice.solution !== 'reference' && choice.solution !== 'starter';
}
export function resolveSolution(entry, choice, learnerFile = entry.starterPath) {
    if (choice.cmd !== undefined && choice.solution !== undefined) {
        throw new UsageError('give either --solution or --cmd, not both');
    }
    if (choice.cmd !== undefined)
        return commandForShell(choice.cmd);
    if (choice.solution === undefined)
        return commandForFile(learnerFile, entry.labDir);
    if (choice.solution === 'starter')
        return commandForFile(entry.starterPath, entry.labDir);
    if (choice.solution === 'reference')
        return commandForFile(entry.referencePath, entry.labDir);
    return commandForFile(choice.solution, entry.labDir);
}
//# sourceMappingURL=solution.js.map