/**
 * Module hooks for a learner's TypeScript or JavaScript program, so that a solution file
 * runs wherever it is (`brokerlab check x --solution /some/file.ts`), not only inside the
 * repository or a workspace:
 *
 * - ESM: a .ts file outside any package with "type": "module" would be compiled to
 *   CommonJS by tsx, where top-level await fails; the learner's own .ts files are loaded
 *   as ES modules (what every starter is).
 * - the clients: a bare import ("kafkajs", "amqplib", "ioredis") that the file's folder
 *   cannot resolve is resolved from brokerlab's own dependencies.
 * - the given files: a relative import the folder does not have ("./ledger.js") is looked
 *   up among the exercise's given files (labs/<id>/), so a solution need not sit next to
 *   copies of them.
 *
 * Loaded in the learner's process with module.register (see learner.ts); runs before tsx's
 * own hooks, which still do the TypeScript part.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
let data = { root: process.cwd(), given: null };
export function initialize(init) {
    data = init;
}
const TYPESCRIPT = /\.(ts|mts|tsx)$/;
const inDependencies = (url) => url.includes('/node_modules/');
const notFound = (error) => ['ERR_MODULE_NOT_FOUND', 'ERR_PACKAGE_PATH_NOT_EXPORTED', 'MODULE_NOT_FOUND'].includes(error?.code ?? '');
const bare = (specifier) => !/^(\.{1,2}\/|\/|file:|node:|data:)/.test(specifier);
async function fallback(specifier, context, next, error) {
    const fromLearner = context.parentURL?.startsWith('file:') && !inDependencies(context.parentURL);
    if (!fromLearner)
        throw error;
    if (bare(specifier))
        return next(specifier, { ...context, parentURL: pathToFileURL(path.join(data.root, 'package.json')).href });
    // "./ledger.js" only (no subfolders): the given files all sit in the exercise's folder.
    if (data.given && /^\.\/[^/]+$/.test(specifier)) {
        try {
            return await next(pathToFileURL(path.join(data.given, specifier.slice(2))).href, context);
        }
        catch {
            throw error; // not a given file either: the error about the learner's own import
        }
    }
    throw error;
}
export async function resolve(specifier, context, next) {
    let result;
    try {
        result = await next(specifier, context);
    }
    catch (error) {
        if (!notFound(error))
            throw error;
        result = await fallback(specifier, context, next, error);
    }
    if (result.url.startsWith('file:') && !inDependencies(result.url) && TYPESCRIPT.test(new URL(result.url).pathname)) {
        return { ...result, format: 'module' };
    }
    return result;
}
//# sourceMappingURL=learner-hooks.js.map