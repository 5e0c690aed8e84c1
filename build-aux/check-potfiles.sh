#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Checks po/POTFILES.in against the tree: every source, UI or data file
# with a translatable string is listed (else its strings never reach
# translators), every listed file exists (else xgettext fails), and
# xgettext reads every message whole: a message such as
# _("in %" G_GUINT64_FORMAT " items") is cut at the macro, which gettext
# does not know (PRIu64 it does), and can never be translated. Prints
# what is wrong and exits 1; silent and 0 when all is well.
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

# The keywords and format flags of meson's glib preset (po/meson.build).
warnings=$(xgettext --files-from=po/POTFILES.in --from-code=UTF-8 -o /dev/null \
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 --keyword=g_dcgettext:2 \
  --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
  --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
  --flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format \
  --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format \
  --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format \
  --flag=g_markup_printf_escaped:1:c-format --flag=g_print:1:c-format \
  --flag=g_printerr:1:c-format --flag=g_printf:1:c-format --flag=g_fprintf:2:c-format \
  --flag=g_snprintf:3:c-format 2>&1) || status=1
if [ -n "$warnings" ]; then
  echo "$warnings"
  status=1
fi
exit $status
