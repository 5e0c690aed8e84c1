#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Checks po/POTFILES.in against the tree: every source, UI or data file
# with a translatable string is listed (else its strings never reach
# translators), and every listed file exists (else xgettext fails).
# Prints what is wrong and exits 1; silent and 0 when all is well.
set -u

cd "${1:-$(dirname "$0")/..}" || exit 1

listed=$(mktemp) found=$(mktemp)
trap 'rm -f "$listed" "$found"' EXIT

grep -v -e '^#' -e '^[[:space:]]*$' po/POTFILES.in | sort -u > "$listed"
grep -rlE --include='*.c' --include='*.h' --include='*.ui' --include='*.blp' \
     '(^|[^A-Za-z0-9_])(N?_|C_|NC_)\("|g_dn?gettext *\(|ngettext *\(|translatable="yes"' \
     src ui 2>/dev/null | sort -u > "$found"

status=0
for file in $(comm -23 "$found" "$listed"); do
  echo "po/POTFILES.in: $file has translatable strings and is not listed"
  status=1
done
while read -r file; do
  if [ ! -f "$file" ]; then
    echo "po/POTFILES.in: $file does not exist"
    status=1
  fi
done < "$listed"
exit $status
