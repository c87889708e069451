/**
 * The files `brokerlab init` writes into a new workspace, as pure functions of what they
 * depend on (the brokerlab version, the exact package versions), so tests can read them.
 */
import { WORKSPACE_FORMAT_VERSION, type WorkspaceMarker } from './workspace.js';

/** The packages a learner's program may import, at the exact versions brokerlab uses. */
export const CLIENT_PACKAGES = ['kafkajs', 'amqplib', 'ioredis', '@aws-sdk/client-sqs', 'pg'] as const;
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

export function readme(version: string, firstExercise: string | undefined): string {
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
  seen. Commit it: the CI workflow grades the exercises it lists as started.
- \`.brokerlab/runs/\`: every graded run's artifacts (logs, history, results); not committed.
- \`node_modules\`: a link to brokerlab's own packages (kafkajs, amqplib, ioredis, the SQS
  client, pg), so your imports work with no install step. To have your own copy instead,
  delete the link and run \`npm install\`: package.json pins the same versions.
- \`tsconfig.json\`: for your editor (brokerlab runs your TypeScript as it is).
- \`.github/workflows/brokerlab.yml\`: push this folder to a GitHub repository and every push
  is graded there, with Redis, RabbitMQ and Kafka as services; the JUnit reports are kept as
  the run's artifacts.
`;
}

export interface WorkflowOptions {
  /** What `npm install` fetches brokerlab from. */
  brokerlabPackage: string;
}

/** The CI workflow: brokers as services, brokerlab's external runtime pointed at them, and
 *  `brokerlab check --junit` for every exercise the progress file lists as started. Service
 *  settings mirror compose/docker-compose.yml (same images, same Kafka KRaft settings). */
export function workflow(options: WorkflowOptions): string {
  return `# Grades your exercises on every push (made by \`brokerlab init\`; edit freely).
#
# The brokers run as services; brokerlab uses them through its "external" runtime (the
# BROKERLAB_* variables below) and grades every exercise that .brokerlab/progress.json lists
# as done or attempted: run \`brokerlab check <id>\` at least once locally and commit
# .brokerlab/progress.json to have an exercise graded here. The JUnit reports are uploaded as
# the run's artifacts.
name: brokerlab

on:
  push:
  pull_request:
  workflow_dispatch:

jobs:
  grade:
    runs-on: ubuntu-latest
    timeout-minutes: 30
    env:
      # Where npm gets brokerlab: a version, or a git URL or tarball of the brokerlab you use.
      BROKERLAB_PACKAGE: ${options.brokerlabPackage}
      BROKERLAB_RUNTIME: external
      BROKERLAB_REDIS_URL: redis://127.0.0.1:6379
      BROKERLAB_AMQP_URL: amqp://guest:guest@127.0.0.1:5672
      BROKERLAB_RABBITMQ_MANAGEMENT_URL: http://127.0.0.1:15672
      BROKERLAB_KAFKA_BROKERS: 127.0.0.1:9092
    services:
      redis:
        image: redis:7.0
        ports: ['6379:6379']
        options: >-
          --health-cmd "redis-cli ping" --health-interval 2s --health-timeout 3s --health-retries 30
      rabbitmq:
        image: rabbitmq:3.10-management
        ports: ['5672:5672', '15672:15672']
        env:
          # As brokerlab's own RabbitMQ: the management API refreshes its statistics every second.
          RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: -rabbit collect_statistics_interval 1000
        options: >-
          --health-cmd "rabbitmq-diagnostics -q check_port_connectivity" --health-interval 5s
          --health-timeout 10s --health-retries 24 --health-start-period 10s
      kafka:
        image: apache/kafka:3.9.2
        ports: ['9092:9092']
        env:
          # One node in KRaft mode (broker and controller), clients told 127.0.0.1:9092.
          CLUSTER_ID: YnJva2VybGFiLWthZmthMQ
          KAFKA_HEAP_OPTS: -Xms512m -Xmx512m
          KAFKA_LISTENERS: PLAINTEXT://0.0.0.0:9092,CONTROLLER://0.0.0.0:9093
          KAFKA_PROCESS_ROLES: broker,controller
          KAFKA_NODE_ID: '1'
          KAFKA_CONTROLLER_QUORUM_VOTERS: 1@127.0.0.1:9093
          KAFKA_CONTROLLER_LISTENER_NAMES: CONTROLLER
          KAFKA_INTER_BROKER_LISTENER_NAME: PLAINTEXT
          KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
          KAFKA_ADVERTISED_LISTENERS: PLAINTEXT://127.0.0.1:9092
          KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1'
          KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1'
          KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1'
          KAFKA_DEFAULT_REPLICATION_FACTOR: '1'
          KAFKA_MIN_INSYNC_REPLICAS: '1'
          KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '10'
          KAFKA_TRANSACTION_STATE_LOG_NUM_PARTITIONS: '10'
          KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0'
          KAFKA_BROKER_SESSION_TIMEOUT_MS: '3000'
          KAFKA_BROKER_HEARTBEAT_INTERVAL_MS: '1000'
          KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false'
          KAFKA_DELETE_TOPIC_ENABLE: 'true'
          KAFKA_NUM_PARTITIONS: '1'
        options: >-
          --health-cmd "/opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server 127.0.0.1:9092"
          --health-interval 5s --health-timeout 15s --health-retries 24 --health-start-period 10s
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
      - name: Install your packages and brokerlab
        run: |
          npm install --no-audit --no-fund
          npm install --no-save --no-audit --no-fund "$BROKERLAB_PACKAGE"
      - name: Grade the exercises you have started
        run: |
          mkdir -p brokerlab-junit
          ids=$(node -e '
            const fs = require("node:fs");
            const progress = fs.existsSync(".brokerlab/progress.json") ? JSON.parse(fs.readFileSync(".brokerlab/progress.json", "utf8")) : { exercises: {} };
            for (const [id, entry] of Object.entries(progress.exercises ?? {})) {
              if ((entry.status === "done" || entry.status === "attempted") && fs.existsSync("exercises/" + id)) console.log(id);
            }')
          if [ -z "$ids" ]; then
            echo "Nothing to grade yet: run 'brokerlab check <id>' locally, then commit .brokerlab/progress.json."
            exit 0
          fi
          failed=0
          for id in $ids; do
            ./node_modules/.bin/brokerlab check "$id" --junit "brokerlab-junit/$id.xml" || failed=1
          done
          exit $failed
      - name: Keep the JUnit reports
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: brokerlab-junit
          path: brokerlab-junit/
          if-no-files-found: ignore
`;
}
