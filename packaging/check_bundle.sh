#!/usr/bin/env bash
# Run the frozen bundle's self-test in a bare environment (only PATH, HOME, LANG) and check
# it: the sandbox job, QtMultimedia reading a video's duration, keyring's backends present.
set -euo pipefail
cd "$(dirname "$0")/.."
data=$(mktemp -d)
report=$(env -i PATH=/usr/bin:/bin HOME="$HOME" LANG=C.UTF-8 \
    dist/creatify-studio/creatify-studio --self-test --data-dir "$data" 2>"$data/stderr.txt") || {
    echo "frozen self-test failed:"; echo "$report"; tail -20 "$data/stderr.txt"; exit 1; }
echo "$report"
.venv/bin/python - "$report" <<'PY'
import json, sys
report = json.loads(sys.argv[1])
assert report["ok"] is True, report
assert report["multimedia"]["loaded"] and report["multimedia"]["duration_ms"] > 0, report
assert report["charts"]["loaded"], report
assert "SecretService" in report["keyring"]["backends_installed"], report["keyring"]
print("frozen bundle OK: keyring backend", report["keyring"]["backend"],
      "| QtMultimedia read", report["multimedia"]["duration_ms"], "ms")
PY
