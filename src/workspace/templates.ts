/**
 * The files `brokerlab init` writes into a new workspace, as pure functions of what they
 * depend on (the brokerlab version, the exact package versions), so tests can read them.
 */
import { type CiChoice, GENERIC_SCRIPT_PATH, GITHUB_WORKFLOW_PATH, GITLAB_CI_PATH, RESULTS_DIR } from './ci-templates.js';
import { WORKSPACE_FORMAT_VERSION, type WorkspaceMarker } from './workspace.js';

/** The packages a learner's program may import, at the exact versions brokerlab uses. */
export const CLIENT_PACKAGES = ['kafkajs', 'amqplib', 'ioredis', '@aws-sdk/client-sqs', '@aws-sdk/client-sns', '@google-cloud/pubsub', 'pg', 'prom-client'] as const;
/** Type packages for the editor (the learner's files are TypeScript). */
export const TYPE_PACKAGES = ['@types/node', '@types/amqplib', '@types/pg', 'typescript'] as const;

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export function markerFile(version: string): string {
  const marker: WorkspaceMarker = { formatVersion: WORKSPACE_FORMAT_VERSION, createdWith: version };
  return json(marker);
}

// `node_modules` without a trailing slash: in a new workspace it is a symlink, and git
// treats a symlink as a file, which "node_modules/" (directories only) would not ignore.
export const GITIGNORE = `# brokerlab's run artifacts (every graded run keeps its logs here)
.brokerlab/runs/
# a link to brokerlab's own packages, or your own \`npm install\`
node_modules
# what \`brokerlab grade\` writes (CI keeps it as the run's artifact)
${RESULTS_DIR}/
`;

export function packageJson(dependencies: Record<string, string>, devDependencies: Record<string, string>): string {
  return json({
    name: 'brokerlab-workspace',
    private: true,
    type: 'module',
    description: 'My brokerlab exercises. See README.md.',
    dependencies,
    devDependencies,
  });
}

/** For the editor only (brokerlab runs the files with tsx): the same strictness as
 *  brokerlab's own exercises. */
export const TSCONFIG = json({
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['ES2023'],
    types: ['node'],
    strict: true,
    noUncheckedIndexedAccess: true,
    esModuleInterop: true,
    skipLibCheck: true,
    verbatimModuleSyntax: true,
    noEmit: true,
  },
  include: ['exercises'],
});

/** The README's line about the CI files `--ci` wrote (none for "none"). */
function ciReadmeLine(ci: CiChoice): string {
  switch (ci) {
    case 'github-services':
      return `- \`${GITHUB_WORKFLOW_PATH}\`: push this folder to a GitHub repository and every push
  is graded there (\`brokerlab grade\`), with Redis, RabbitMQ and Kafka as services; the results
  (\`${RESULTS_DIR}/\`) are kept as the run's artifact.
`;
    case 'github-native':
      return `- \`${GITHUB_WORKFLOW_PATH}\`: push this folder to a GitHub repository and every push
  is graded there (\`brokerlab grade\`), with Redis, RabbitMQ and Kafka installed on the runner;
  the results (\`${RESULTS_DIR}/\`) are kept as the run's artifact.
`;
    case 'generic':
      return `- \`${GENERIC_SCRIPT_PATH}\`: grades your exercises on any CI (or machine) with Node.js: it installs
  brokerlab, starts the brokers (or uses your CI's, named by BROKERLAB_* variables), runs
  \`brokerlab grade\` and exits with its code. \`${GITLAB_CI_PATH}\` runs it in GitLab CI.
`;
    case 'none':
      return '';
  }
}

export function readme(version: string, firstExercise: string | undefined, ci: CiChoice): string {
  const first = firstExercise ?? '<id>';
  return `# My brokerlab workspace

Made by \`brokerlab init\` (brokerlab ${version}). Every exercise is a folder in
\`exercises/\`: read its README.md, edit the file it names, and let brokerlab grade it
against real brokers (it runs your program, sends it traffic, kills it mid-message, and
tells you check by check what went right and what did not).

## How to work

Run these from anywhere inside this folder:

\`\`\`sh
brokerlab list                  # the exercises, week by week
brokerlab check ${first.padEnd(14)} # grade your file in exercises/${first}/
brokerlab hint ${first.padEnd(15)} # the next hint, one at a time
brokerlab watch ${first.padEnd(14)} # grade again every time you save
brokerlab progress              # the 14-week plan: what is done, what is next
brokerlab solution <id>         # the reference solution, once you have solved it
brokerlab reset <id>            # put an exercise's files back as they were handed out
\`\`\`

\`brokerlab up\` starts the brokers if they are not running (\`brokerlab status\` tells).

## What is here

- \`exercises/<id>/\`: one folder per exercise: README.md (the task), the starter file you
  edit, given code you import, hints.md.
- \`.brokerlab/progress.json\`: which exercises you have solved and how many hints you have
  seen. Commit it: CI grades the exercises it lists as started.
- \`.brokerlab/runs/\`: every graded run's artifacts (logs, history, results); not committed.
- \`node_modules\`: a link to brokerlab's own packages (kafkajs, amqplib, ioredis, the SQS,
  SNS and Pub/Sub clients, pg, prom-client), so your imports work with no install step. To have your own copy instead,
  delete the link and run \`npm install\`: package.json pins the same versions.
- \`tsconfig.json\`: for your editor (brokerlab runs your TypeScript as it is).
${ciReadmeLine(ci)}`;
}
