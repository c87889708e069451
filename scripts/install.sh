#!/usr/bin/env bash
# Installs whatever brokerlab needs and is missing on this machine, then builds the CLI.
# Safe to run again: every step checks first. Brokers are installed, never started here
# (`brokerlab up` starts them, `brokerlab down` stops them).
#   Debian packages: redis-server, rabbitmq-server, postgresql,  (apt-get, needs root)
#                    prometheus
#                    chromium, tmux, libxml2-utils, shellcheck, for the tests (optional)
#   Maven Central:   Kafka (KRaft) and ElasticMQ jars             (mvn)
#                    Kafka's tools jar and RabbitMQ PerfTest, for `npm run bench`
#   Go modules:      toxiproxy server                             (go install)
#                    Pub/Sub emulator (pstest) from tools/pubsub-emulator (go build)
#   PyPI:            redis, pika, confluent-kafka in a venv, for .py solutions (pip)
#                    moto's server (SNS) in a venv of its own           (pip)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
# shellcheck source=versions.env
source "$here/versions.env"
home=${BROKERLAB_HOME:-$HOME/.brokerlab}
# Same rule as src/brokers/versions.ts: $BROKERLAB_VENDOR, else $BROKERLAB_HOME/vendor.
vendor=${BROKERLAB_VENDOR:-$home/vendor}
mkdir -p "$vendor"

say() { printf '==> %s\n' "$*"; }
need() { command -v "$1" >/dev/null 2>&1 || { echo "install.sh: '$1' is required but not installed ($2)" >&2; exit 1; }; }

# --- Debian packages -------------------------------------------------------------------
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || missing+=(rabbitmq-server)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
# Prometheus scrapes RabbitMQ and the learners' /metrics (the week-6 monitoring exercise).
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
# Kafka and ElasticMQ run on Java 17; Maven resolves their jars.
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "install.sh: missing Debian packages: ${missing[*]}. Run as root, or: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  say "apt-get install ${missing[*]}"
  # Keep the packages' maintainer scripts from starting system-wide services: brokerlab runs
  # its own broker processes with their data under $BROKERLAB_HOME.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"
    added_policy=1
    trap 'rm -f "$policy"' EXIT # removed again even if apt-get fails
  fi
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  if [ "${added_policy:-0}" = 1 ]; then rm -f "$policy"; trap - EXIT; fi
fi

# --- Test tools: Chromium (report.test.ts renders report.html in it), tmux -------------
# (menu.test.ts drives the interactive menu in a real terminal) and xmllint (the grade
# tests validate the JUnit XML against schemas/junit.xsd). brokerlab itself runs
# without them, so a missing one is reported, never fatal; those tests then fail saying what
# is missing. Chromium comes with its recommended fonts, which the report is rendered with.
test_tools=()
[ -x /usr/bin/chromium ] || test_tools+=(chromium)
command -v tmux >/dev/null 2>&1 || test_tools+=(tmux)
command -v xmllint >/dev/null 2>&1 || test_tools+=(libxml2-utils)
# shellcheck: test/unit/ci-templates.test.ts lints the CI scripts `brokerlab init` writes.
command -v shellcheck >/dev/null 2>&1 || test_tools+=(shellcheck)
if [ ${#test_tools[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "install.sh: missing test tools: ${test_tools[*]} (the report, menu and grade tests need them): sudo apt-get install -y ${test_tools[*]}" >&2
  else
    say "apt-get install ${test_tools[*]}"
    { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${test_tools[@]}" >/dev/null; } ||
      echo "install.sh: could not install ${test_tools[*]} (the report, menu and grade tests need them): apt-get install -y ${test_tools[*]}" >&2
  fi
fi

# --- Maven Central: Kafka and ElasticMQ ------------------------------------------------
copy_jars() { # name version pom-property
  local name=$1 version=$2 property=$3 dest="$vendor/$1-$2/lib"
  if [ -f "$dest/.complete" ]; then return; fi
  need java "a Java 17 runtime"; need mvn "Apache Maven"
  say "resolving $name $version with Maven"
  rm -rf "$dest"; mkdir -p "$dest"
  mvn -B -q -f "$here/vendor/$name.pom.xml" "-D$property=$version" \
    dependency:copy-dependencies -DincludeScope=runtime "-DoutputDirectory=$dest"
  touch "$dest/.complete"
}
copy_jars kafka "$KAFKA_VERSION" kafka.version
copy_jars elasticmq "$ELASTICMQ_VERSION" elasticmq.version
# The brokers' own load generators, which `npm run bench` compares `brokerlab bench` to:
# ProducerPerformance (kafka-tools, same version as the broker) and RabbitMQ PerfTest.
copy_jars kafka-tools "$KAFKA_VERSION" kafka.version
copy_jars perf-test "$PERF_TEST_VERSION" perf-test.version

# --- Go modules: toxiproxy ---------------------------------------------------------------
toxi="$vendor/toxiproxy-$TOXIPROXY_VERSION/bin"
if [ ! -x "$toxi/toxiproxy-server" ]; then
  need go "the Go toolchain"
  say "go install toxiproxy $TOXIPROXY_VERSION"
  mkdir -p "$toxi"
  GOBIN="$toxi" GOFLAGS=-mod=mod go install "github.com/Shopify/toxiproxy/v2/cmd/server@$TOXIPROXY_VERSION"
  mv "$toxi/server" "$toxi/toxiproxy-server"
fi

# --- Go modules: the Pub/Sub emulator ---------------------------------------------------------
# Google's own emulator comes with the Cloud SDK, which no package registry here serves; the
# Go client library's fake server (pstest) is a Go module, wrapped by tools/pubsub-emulator.
pubsub="$vendor/pubsub-emulator-$PUBSUB_VERSION/bin"
if [ ! -x "$pubsub/pubsub-emulator" ]; then
  need go "the Go toolchain"
  say "go build the Pub/Sub emulator (pstest $PUBSUB_VERSION)"
  mkdir -p "$pubsub"
  (cd "$repo/tools/pubsub-emulator" && GOFLAGS=-mod=mod go build -o "$pubsub/pubsub-emulator" .)
fi

# --- PyPI: the Python clients for .py solutions --------------------------------------------
# A venv of brokerlab's own under $BROKERLAB_HOME/python: `brokerlab check x --solution f.py`
# runs f.py with it, so a learner's Python needs no install of its own. Re-created when
# python-requirements.txt changes.
venv="$home/python"
if [ ! -f "$venv/.requirements" ] || ! cmp -s "$here/python-requirements.txt" "$venv/.requirements"; then
  need python3 "Python 3 with its venv module"
  say "pip install the Python clients into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$here/python-requirements.txt"
  cp "$here/python-requirements.txt" "$venv/.requirements"
fi

# --- PyPI: moto's server, which plays SNS -------------------------------------------------
# In a venv of its own under vendor/ (beside the jars and toxiproxy): the learners' Python and
# the emulator never pin each other's packages. Only the SNS and SQS parts of moto, plus the
# web server it runs on (moto[server] would bring every AWS service: twice the size).
moto="$vendor/moto-$MOTO_VERSION"
if [ ! -x "$moto/bin/moto_server" ]; then
  need python3 "Python 3 with its venv module"
  say "pip install moto $MOTO_VERSION (SNS) into $moto"
  rm -rf "$moto"
  python3 -m venv "$moto"
  "$moto/bin/pip" install -q --disable-pip-version-check "moto[sns,sqs]==$MOTO_VERSION" flask==3.1.3 flask-cors==6.0.5
fi

# --- the CLI itself ----------------------------------------------------------------------
cd "$repo"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci"
  npm ci --no-audit --no-fund >/dev/null
fi
say "building the CLI"
npm run -s build
say "ready: $(node bin/brokerlab.js --version 2>/dev/null || echo 'brokerlab built')"
