#!/usr/bin/env bash
# The README's run command: installs what is missing, builds, and shows an
# event log. Until the server lands (issue "belayd"), it loads the demo
# session into DATA_DIR (default ./data) once and inspects it with the CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
data_dir="${1:-${BELAY_DATA_DIR:-data}}"
bash scripts/setup-deps.sh
bash scripts/build.sh
belay=build/apps/belay
if [ ! -e "$data_dir/CURRENT" ]; then
  "$belay" inspect import --input demo/demo-session.jsonl --data-dir "$data_dir"
fi
echo; echo "== belay inspect streams --data-dir $data_dir"
"$belay" inspect streams --data-dir "$data_dir"
echo; echo "== belay inspect stats --data-dir $data_dir"
"$belay" inspect stats --data-dir "$data_dir"
echo; echo "== belay inspect verify --data-dir $data_dir"
"$belay" inspect verify --data-dir "$data_dir"
