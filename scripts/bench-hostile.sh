#!/usr/bin/env bash
# The hostile uploads of issue 26 against a release build of `onetable serve` under a 2 GiB
# memory cgroup: the same test as `cargo test -p onetable-cli --test hostile_uploads`, built with
# optimisations, so the times it prints are the server's, not a debug build's. Each upload's
# status and time, how many were told to come back, and the server's peak memory are printed.
# usage: scripts/bench-hostile.sh   (a release build of the workspace's tests: ~10 min the first time)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --release -p onetable-cli --test hostile_uploads -- --nocapture 2>&1 \
  | grep -E '^(the server runs|a header|XLS|24 ZIP|8 ZIP|[0-9]+ of 4|peak memory|no memory cgroup|test result)'
