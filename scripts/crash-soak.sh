#!/usr/bin/env sh
# Crash-safety soak: runs test/integration/crashSafety.int.spec.ts with many kill -9 rounds.
#   scripts/crash-soak.sh                    # 50 rounds, a fresh seed (printed)
#   CRASH_ROUNDS=200 CRASH_SEED=7 scripts/crash-soak.sh
# Extra arguments go to jest. A failure prints the seed; rerun with CRASH_SEED=<seed> to replay the
# same traffic and kill moments (what each kill cuts depends on timing, so retries may differ).
set -eu
cd "$(dirname "$0")/.."
CRASH_ROUNDS="${CRASH_ROUNDS:-50}"
CRASH_SEED="${CRASH_SEED:-$(( $(od -An -N4 -tu4 /dev/urandom | tr -d ' ') % 1000000 ))}"
export CRASH_ROUNDS CRASH_SEED
echo "crash soak: CRASH_ROUNDS=$CRASH_ROUNDS CRASH_SEED=$CRASH_SEED"
exec npx jest test/integration/crashSafety.int.spec.ts --selectProjects integration "$@"
