#!/usr/bin/env bash
# The whole test suite: the type check (one test: the runners below run TypeScript without
# checking its types), the lint (one test: ESLint and Prettier's check, so a slip in style fails
# here, not in the next session's review), the build (one test), unit, API and CLI tests (node's
# runner, over real servers and files) and the browser tests (Playwright), each runner's counts
# summed. Ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

export LOG_LEVEL="${LOG_LEVEL:-error}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
passed=0
failed=0

if npm run --silent typecheck; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
if npm run --silent lint; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
# The build (dist/ and the studio), one check of its own: the tests start the server and the CLI
# from it, as `npm start` does (each process then starts in half the time: no TypeScript to
# compile in it and its worker threads; a test file run by hand runs the sources through tsx).
if npm run --silent build; then
  passed=$((passed + 1))
  export ASSET_REGISTRY_TEST_BUILT=1
else
  failed=$((failed + 1))
fi

mapfile -t files < <(find test -name '*.test.ts' -not -path 'test/e2e/*' | sort)
if ((${#files[@]})); then
  node --import tsx --test --test-concurrency=3 --test-timeout=300000 \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$out/node.tap" \
    "${files[@]}"
  node_status=$?
  p=$(grep -E '^# pass ' "$out/node.tap" | tail -1 | awk '{print $3}')
  f=$(grep -E '^# fail ' "$out/node.tap" | tail -1 | awk '{print $3}')
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
  if [[ $node_status -ne 0 && ${f:-0} -eq 0 ]]; then failed=$((failed + 1)); fi
fi

# Browser tests: the studio built above, Debian's Chromium, the real server.
if [[ "${SKIP_E2E:-}" != "1" ]]; then
  bash scripts/ensure-chromium.sh
  results=test-output/e2e/results.json
  rm -f "$results"
  npx playwright test
  e2e_status=$?
  if [[ -f $results ]]; then
    read -r p f < <(node -e 'const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).stats;
      console.log(s.expected + s.flaky, s.unexpected)' "$results")
  else
    p=0 f=0
  fi
  passed=$((passed + p))
  failed=$((failed + f))
  if [[ $e2e_status -ne 0 && $f -eq 0 ]]; then failed=$((failed + 1)); fi
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
