#!/usr/bin/env bash
# parleyd's command line: bad values are refused with a clear message and exit status 2-ish
# (non-zero) before anything starts; --max-transactions replaces the configuration's limit.
# Usage: parleyd_command_line.sh <parleyd>. Runs inside the test network namespace (only
# loopback). Bounded: every start is stopped within seconds.
set -euo pipefail
parleyd=$1
work=$(mktemp -d)
pid=
trap '[[ -n $pid ]] && { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
      rm -rf "$work"' EXIT

refused() { # refused EXPECTED-MESSAGE ARGS...: parleyd exits non-zero, saying EXPECTED-MESSAGE
  local expected=$1
  shift
  if timeout 5 "$parleyd" "$@" >"$work/out" 2>"$work/err"; then
    echo "FAIL: parleyd $* was accepted"; exit 1
  fi
  grep -q -- "$expected" "$work/err" ||
    { echo "FAIL: parleyd $*: expected '$expected', got:"; cat "$work/err"; exit 1; }
  echo "refused: parleyd $* ($(head -1 "$work/err"))"
}
refused "at least 1" --max-transactions 0
refused "not a number up to" --max-transactions many
refused "not a number up to" --max-transactions 100000001
refused "needs a value" --max-transactions
refused "not a number up to" --shards 300
refused "unknown option" --no-such-option

# Accepted: the limit it runs with is the one given.
"$parleyd" --listen 127.0.0.1:0 --shards 2 --null-media --max-transactions 3000000 \
  --control "$work/ctl" >"$work/out" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q "running with" "$work/out" && break; sleep 0.05; done
grep -q "running with 2 shard(s), at most 3000000 transactions" "$work/out" ||
  { echo "FAIL: the limit was not applied"; cat "$work/out"; exit 1; }
kill -TERM "$pid"; wait "$pid" || true; pid=
echo "accepted: --max-transactions 3000000 on 2 shards"
