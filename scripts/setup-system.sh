#!/usr/bin/env bash
# Part of npm run setup: the system programs the tests drive, from Debian's archive (never a
# downloaded browser): chromium for the docs test, redis-server for the Redis tests.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "setup: installing ${missing[*]} from Debian's archive"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "error: missing ${missing[*]}" >&2
  echo "  fix: install them (Debian: sudo apt-get install -y ${missing[*]}), then run npm run setup again" >&2
  exit 1
fi
