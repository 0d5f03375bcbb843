# The sanitizer suites and clang-tidy, shared by scripts/check and .ci/run. Sourced after
# common.sh, not run.

# run_sanitized_suite PRESET [ctest args...]: builds the whole project under PRESET (asan: ASan +
# UBSan; tsan: ThreadSanitizer; both warnings-as-errors, see CMakePresets.json) and runs every test.
# Any sanitizer report fails the test that triggered it.
run_sanitized_suite() {
  local preset=$1
  shift
  echo "==> $preset: build"
  configure_and_build "$preset"
  echo "==> $preset: ctest"
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1:check_initialization_order=1} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
    TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1} \
    ctest --preset "$preset" -j "$(nproc)" "$@"
}

# run_clang_tidy: clang-tidy-14 with the committed .clang-tidy over src/ (include/ through
# HeaderFilterRegex), using build/dev/compile_commands.json. Prints the findings; fails if any.
run_clang_tidy() {
  cmake --preset dev >/dev/null
  local log=build/dev/clang-tidy.log
  echo "==> clang-tidy (log: $log)"
  local runner=run-clang-tidy-14
  command -v "$runner" >/dev/null || runner=run-clang-tidy
  "$runner" -p build/dev -quiet -j "$(nproc)" "$PWD/src/" 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >"$log" || true
  local findings
  findings=$(grep -E '^/.*: (warning|error): ' "$log" | sort -u || true)
  if [ -n "$findings" ]; then
    echo "$findings"
    echo "clang-tidy: $(echo "$findings" | wc -l) findings" >&2
    return 1
  fi
  echo "    clang-tidy: clean"
}
