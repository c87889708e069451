/**
 * Creating a learner's workspace (`brokerlab init`) and adding exercises that are new in this
 * brokerlab to an existing one (`brokerlab init --update`).
 *
 * Safe by construction: init only ever adds files. An exercise folder that exists is left as
 * it is (reset restores it on request), and with --force in a folder that already has files,
 * brokerlab's files are written only where no file of that name exists.
 */
import { chmodSync, existsSync, lstatSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { makeDir } from '../dirs.js';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { CatalogEntry } from '../catalog/load.js';
import { UsageError } from '../errors.js';
import { versions } from '../brokers/versions.js';
import { PACKAGE_ROOT } from '../paths.js';
import { copyTree } from './files.js';
import { emptyProgress, saveProgress } from './progress.js';
import { CI_BROKERS, type CiChoice, type ComposeFile, type ComposeService, DEFAULT_CI, ciFiles } from './ci-templates.js';
import { CLIENT_PACKAGES, GITIGNORE, TSCONFIG, TYPE_PACKAGES, markerFile, packageJson, readme } from './templates.js';
import { WORKSPACE_MARKER, type Workspace, isWorkspace, workspaceAt } from './workspace.js';

export const DEFAULT_WORKSPACE_DIR = 'brokerlab-workspace';

interface PackageJson {
  version?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

function readPackageJson(file: string): PackageJson | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PackageJson;
  } catch {
    return undefined;
  }
}

export function brokerlabVersion(): string {
  return readPackageJson(path.join(PACKAGE_ROOT, 'package.json'))?.version ?? '0.0.0';
}

/** The node_modules folder brokerlab's own programs resolve the broker clients from: the first
 *  one at or above brokerlab's package root that has them (npm may hoist them above it). */
export function brokerlabNodeModules(): string | undefined {
  let dir = PACKAGE_ROOT;
  for (;;) {
    const candidate = path.join(dir, 'node_modules');
    if (CLIENT_PACKAGES.every((name) => existsSync(path.join(candidate, name, 'package.json')))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** name -> exact installed version; falls back to brokerlab's own range without ^ or ~ when
 *  the package is not installed next to brokerlab (it then still names a real release). */
export function exactVersions(names: readonly string[], nodeModules: string | undefined): Record<string, string> {
  const own = readPackageJson(path.join(PACKAGE_ROOT, 'package.json'));
  const versions: Record<string, string> = {};
  for (const name of names) {
    const installed = nodeModules ? readPackageJson(path.join(nodeModules, name, 'package.json'))?.version : undefined;
    const range = own?.dependencies?.[name] ?? own?.devDependencies?.[name];
    const version = installed ?? range?.replace(/^[\^~]/, '');
    if (version) versions[name] = version;
  }
  return versions;
}

/** What the CI templates reuse of compose/docker-compose.yml: the brokers' pinned images and
 *  settings, so CI runs the same brokers as a learner's Docker. */
export function readComposeFile(file = path.join(PACKAGE_ROOT, 'compose', 'docker-compose.yml')): ComposeFile {
  // yaml is required here, not imported at the top: only init and its tests read compose.
  const { parse } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  const shown = path.relative(process.cwd(), file);
  let raw: { services?: Record<string, ComposeService>; configs?: Record<string, { content?: string }> } | null;
  try {
    raw = parse(readFileSync(file, 'utf8')) as typeof raw;
  } catch (error) {
    // As a broken scenario.json is (catalog/load.ts): the file and the first line of why.
    throw new UsageError(`${shown}: ${(error as Error).message.split('\n')[0]}`, 'The CI templates are made from it; restore it from brokerlab\'s package (or use --ci none).');
  }
  const services = {} as ComposeFile['services'];
  for (const broker of CI_BROKERS) {
    const service = raw?.services?.[broker];
    if (!service?.image) throw new UsageError(`${shown} has no image for the ${broker} service`, 'The CI templates are made from it; restore it from brokerlab\'s package (or use --ci none).');
    services[broker] = service;
  }
  return { services, rabbitmqConf: raw?.configs?.['rabbitmq-conf']?.content ?? '' };
}

/** A path as the learner typed it or would: relative to the current directory when inside it. */
export function displayPath(target: string): string {
  const relative = path.relative(process.cwd(), target);
  if (relative === '') return '.';
  return relative.startsWith('..') || path.isAbsolute(relative) ? target : relative;
}

export interface InitOptions {
  /** Create the workspace in a folder that has other files. */
  force?: boolean;
  /** The folder is a workspace already: add the exercise folders it lacks. */
  update?: boolean;
  /** Which CI files to write into a new workspace (default github-services). */
  ci?: CiChoice;
  /** A progress line ("created exercises/<id>/"). */
  progress?: (message: string) => void;
}

export interface InitResult {
  workspace: Workspace;
  /** Every catalog exercise, now present in the workspace. */
  exercises: string[];
  /** The exercises whose folders this call created (all of them for a new workspace). */
  added: string[];
  /** True for --update of an existing workspace. */
  updated: boolean;
  /** The CI files written (relative paths); none for --update or --ci none. */
  ciFiles: string[];
  /** What node_modules is: a new link to brokerlab's packages, one that was there already, or
   *  missing (brokerlab's packages were not found: the learner runs `npm install`). */
  nodeModules: 'linked' | 'kept' | 'missing';
}

/** Adds the exercise folders the workspace lacks; never touches existing ones. */
function addMissingExercises(workspace: Workspace, catalog: readonly CatalogEntry[], progress: (message: string) => void): string[] {
  const added: string[] = [];
  for (const entry of catalog) {
    const dir = path.join(workspace.exercisesDir, entry.scenario.id);
    if (existsSync(dir)) continue;
    copyTree(entry.labDir, dir);
    added.push(entry.scenario.id);
    progress(`created exercises/${entry.scenario.id}/`);
  }
  return added;
}

/** Writes `content` to root/relative unless a file is there already; true when written. */
function addFile(root: string, relative: string, content: string, progress: (message: string) => void): boolean {
  const file = path.join(root, relative);
  if (existsSync(file)) return false;
  makeDir(path.dirname(file));
  writeFileSync(file, content);
  progress(`created ${relative}`);
  return true;
}

function refuseIfInsideWorkspace(target: string): void {
  let dir = path.dirname(target);
  for (;;) {
    if (isWorkspace(dir)) {
      throw new UsageError(
        `${displayPath(target)} would be inside the brokerlab workspace ${displayPath(dir)}`,
        `Work in that one (\`brokerlab progress\` there), or create the new workspace somewhere else.`,
      );
    }
    const parent = path.dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}

export function initWorkspace(dir: string, catalog: readonly CatalogEntry[], options: InitOptions = {}): InitResult {
  const root = path.resolve(dir);
  const shown = displayPath(root);
  const progress = options.progress ?? (() => {});
  const allIds = catalog.map((entry) => entry.scenario.id);

  if (existsSync(root) && !statSync(root).isDirectory()) {
    throw new UsageError(`${shown} is a file, not a folder`, 'Give `brokerlab init` the name of a new folder.');
  }
  if (isWorkspace(root)) {
    if (!options.update) {
      throw new UsageError(
        `${shown} is already a brokerlab workspace`,
        `Work in it (${shown === '.' ? '' : `cd ${shown}, then `}brokerlab progress). To add the exercises that are new in this brokerlab: brokerlab init ${shown} --update`,
      );
    }
    const workspace = workspaceAt(root);
    const added = addMissingExercises(workspace, catalog, progress);
    return { workspace, exercises: allIds, added, updated: true, ciFiles: [], nodeModules: 'kept' };
  }
  if (options.update) {
    throw new UsageError(`${shown} is not a brokerlab workspace (it has no ${WORKSPACE_MARKER})`, `Create one with: brokerlab init ${shown}`);
  }
  refuseIfInsideWorkspace(root);
  if (existsSync(root) && readdirSync(root).length > 0 && !options.force) {
    throw new UsageError(
      `${shown} is not empty and is not a brokerlab workspace`,
      'Give `brokerlab init` a new folder, or add --force to add the workspace to this one (brokerlab only adds files; it never overwrites yours).',
    );
  }

  // Everything that can fail on brokerlab's side (its compose file, for the CI templates) is
  // read before the first file is written: a failed init leaves no half-made workspace.
  const version = brokerlabVersion();
  const ci = options.ci ?? DEFAULT_CI;
  const templates = ci === 'none' ? [] : ciFiles(ci, { brokerlabPackage: `brokerlab@${version}`, compose: readComposeFile(), toxiproxyVersion: versions().toxiproxy });
  makeDir(root);
  const workspace = workspaceAt(root);
  const nodeModulesDir = brokerlabNodeModules();
  const added = addMissingExercises(workspace, catalog, progress);
  if (!existsSync(workspace.progressPath)) {
    saveProgress(workspace, emptyProgress());
    progress('created .brokerlab/progress.json');
  }
  addFile(root, '.gitignore', GITIGNORE, progress);
  addFile(root, 'package.json', packageJson(exactVersions(CLIENT_PACKAGES, nodeModulesDir), exactVersions(TYPE_PACKAGES, nodeModulesDir)), progress);
  addFile(root, 'tsconfig.json', TSCONFIG, progress);
  addFile(root, 'README.md', readme(version, allIds[0], ci), progress);
  const written: string[] = [];
  for (const file of templates) {
    const relative = path.join(...file.path.split('/'));
    if (!addFile(root, relative, file.content, progress)) continue;
    if (file.executable) chmodSync(path.join(root, relative), 0o755);
    written.push(file.path);
  }

  let nodeModules: InitResult['nodeModules'] = 'missing';
  const link = path.join(root, 'node_modules');
  if (lstatExists(link)) {
    nodeModules = 'kept';
  } else if (nodeModulesDir) {
    // 'junction' matters on Windows only (no admin rights needed); elsewhere it is a symlink.
    symlinkSync(nodeModulesDir, link, 'junction');
    nodeModules = 'linked';
    progress(`linked node_modules -> ${nodeModulesDir}`);
  }
  // The marker last: a workspace interrupted half-way is not mistaken for a finished one, and
  // running init again (with --force) completes it.
  writeFileSync(path.join(root, WORKSPACE_MARKER), markerFile(version));
  return { workspace, exercises: allIds, added, updated: false, ciFiles: written, nodeModules };
}

/** True when something (even a dangling symlink) is at `file`. */
function lstatExists(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}
