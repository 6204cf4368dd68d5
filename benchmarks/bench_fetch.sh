#!/usr/bin/env bash
# Fetch benchmark: digest beside newsboat, sfeed and the naive loop, on the
# loopback feed farm of ../shared/bench, in one run (cold, then warm runs).
#
#   benchmarks/bench_fetch.sh                       # 200 feeds, faults on
#   benchmarks/bench_fetch.sh --feeds 1000 --faults off --json out.json
#
# Extra arguments go to bench_fetch.py (see ../shared/bench/README.md).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bench="${DIGEST_BENCH_DIR:-$here/../../shared/bench}"
py="${PYTHON:-python3}"
# Compiled once, as an installed package is: with PYTHONDONTWRITEBYTECODE set
# (some shells and containers set it), every run would compile digest again.
"$py" -m compileall -q "$here/../digest"
default_cmd="$py -m digest --db {db} fetch --quiet --opml {opml}"
export DIGEST_CMD="${DIGEST_CMD:-$default_cmd}"
export DIGEST_COUNT_SQL="${DIGEST_COUNT_SQL:-SELECT count(*) FROM entries}"
exec "$py" "$bench/bench_fetch.py" --feeds 200 --faults on \
    --tools "${TOOLS:-digest,newsboat,sfeed,sfeed-etag}" "$@"
