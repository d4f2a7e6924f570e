#!/usr/bin/env bash
# Every plugin in DIR exports exactly one dynamic symbol: hypersdk_plugin_entry_v1.
# Fails if DIR holds no plugin, so the check cannot pass by finding nothing.
set -euo pipefail
dir=$1
shopt -s nullglob
plugins=("$dir"/*.so)
if [ "${#plugins[@]}" -eq 0 ]; then
  echo "no plugins in $dir" >&2
  exit 1
fi
status=0
for plugin in "${plugins[@]}"; do
  exported=$(nm -D --defined-only "$plugin" | awk '{print $NF}' | sort)
  if [ "$exported" != "hypersdk_plugin_entry_v1" ]; then
    echo "$plugin exports more than hypersdk_plugin_entry_v1:" >&2
    echo "$exported" | head -n 10 >&2
    status=1
  else
    echo "ok: $(basename "$plugin")"
  fi
done
exit "$status"
