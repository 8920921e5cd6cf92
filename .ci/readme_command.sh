#!/usr/bin/env bash
# Prints the N-th (1-based) ```bash block of README.md's "## Two commands" section,
# so that CI runs the README's commands exactly as they are written there.
set -euo pipefail
awk -v want="$1" '
    /^## / { in_section = ($0 == "## Two commands") }
    in_section && /^```bash$/ { block++; inside = 1; next }
    inside && /^```$/ { inside = 0; next }
    inside && block == want { print }
' "$(dirname "$0")/../README.md"
