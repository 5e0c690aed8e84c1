#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Regenerates the README's tool reference from the tools' declarations.
#   build-aux/update-tool-docs.sh [BUILDDIR]
set -eu
build=${1:-_build}
root=$(dirname "$0")/..
"$build/src/runner/sluice-run" --list-tools --format markdown > "$build/tools.md"
python3 - "$root/README.md" "$build/tools.md" <<'PY'
import re, sys
readme, tools = sys.argv[1], open(sys.argv[2]).read()
text = open(readme).read()
text = re.sub(r'(<!-- tools:begin[^\n]*-->\n).*?(<!-- tools:end -->)',
              lambda m: m.group(1) + tools + m.group(2), text, flags=re.S)
open(readme, 'w').write(text)
PY
