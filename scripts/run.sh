#!/usr/bin/env bash
# The README's run command: installs what is missing, builds, and starts
# belayd on DATA_DIR (default ./data) at 127.0.0.1:8000. On the first start
# it creates the user admin and writes its token to DATA_DIR/admin.token.
# Extra arguments go to belayd (e.g. --listen 0.0.0.0:8000).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-deps.sh
bash scripts/build.sh
exec build/apps/belayd --data-dir "${BELAY_DATA_DIR:-data}" "$@"
