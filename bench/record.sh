#!/usr/bin/env bash
# bench/record.sh FILE NAME < FIGURES
# Puts FIGURES, under a line giving the date, between `<!-- NAME:begin -->` and
# `<!-- NAME:end -->` in FILE: how the harnesses keep the dated figures of docs/ current.
set -euo pipefail
file=$1 name=$2
figures=$(mktemp)
{ echo "Last run: $(date -u +%Y-%m-%d)."; echo; cat; } >"$figures"
grep -q "<!-- $name:begin -->" "$file" || { echo "no <!-- $name:begin --> in $file" >&2; exit 2; }
awk -v begin="<!-- $name:begin -->" -v end="<!-- $name:end -->" -v figures="$figures" '
    $0 == begin { print; while ((getline line < figures) > 0) print line; skipping = 1; next }
    $0 == end { skipping = 0 }
    !skipping { print }
' "$file" >"$file.new"
mv "$file.new" "$file"
rm -f "$figures"
