#!/usr/bin/env bash
# `npm run quickstart`: from a fresh machine to a graded exercise in one command.
# Installs the brokers and the CLI, starts Redis (and toxiproxy, which cuts the program's
# connection to it once), and grades the week-1 exercise's reference
# solution. Then try your own: `node bin/brokerlab.js check redis-pubsub-notifier`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install.sh
node bin/brokerlab.js up redis toxiproxy
node bin/brokerlab.js check redis-pubsub-notifier --solution reference
