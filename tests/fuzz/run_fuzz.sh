#!/bin/bash
# tests/fuzz/run_fuzz.sh: run the libFuzzer targets of a fuzz build (make fuzz, make fuzz-short; README "Fuzzing")
# and print one table: target, executions, coverage (cov and ft of libFuzzer's last stats line), exec/s, seconds,
# findings. Exit status 1 if any target found something (its input is in BUILD/fuzz-work/TARGET/artifacts/:
# replay it with BUILD/bin/fuzz_TARGET FILE, then keep it in tests/fuzz/crashes/TARGET/ once the reader is fixed).
#
#   run_fuzz.sh --build DIR (--runs N | --time SECONDS) [--jobs P] [--targets "npy csv ..."]
#
# Every target starts from the committed seed corpus (tests/fuzz/corpus/TARGET) and the crash inputs of
# tests/fuzz/crashes/TARGET (a known crash that crashes again is a finding), with its dictionary
# (tests/fuzz/dict/TARGET.dict); new inputs go to BUILD/fuzz-work/TARGET/corpus, never into the source tree.
# -rss_limit_mb=2048 (and libFuzzer's -malloc_limit_mb, which defaults to it) makes an over-allocation a finding;
# -timeout=10 a hang.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD= RUNS= TIME= JOBS=1 TARGETS="npy npz safetensors csv network_json deep_json"
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --time) TIME=$2; shift 2 ;;
    --jobs) JOBS=$2; shift 2 ;;
    --targets) TARGETS=$2; shift 2 ;;
    *) echo "run_fuzz.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
if [ -z "$BUILD" ] || { [ -z "$RUNS" ] && [ -z "$TIME" ]; }; then
  echo "usage: run_fuzz.sh --build DIR (--runs N | --time SECONDS) [--jobs P] [--targets \"npy ...\"]" >&2
  exit 2
fi
case "$RUNS$TIME$JOBS" in *[!0-9]*) echo "run_fuzz.sh: --runs, --time and --jobs take whole numbers" >&2; exit 2 ;; esac
BUILD=$(cd "$BUILD" && pwd) || exit 2

# Inputs longer than max_len are truncated by libFuzzer: long enough for the seed files and a structured input
# with a few KB of data, short enough to keep executions fast.
max_len() { case "$1" in network_json|deep_json) echo 8192 ;; *) echo 4096 ;; esac; }
# Comparison value profiles help solve the wrapping products (the structured front-ends compare 64-bit sizes).
extra() { case "$1" in npy|npz|safetensors) echo -use_value_profile=1 ;; esac; }

run_one() {
  local t=$1 w=$BUILD/fuzz-work/$1
  local exe=$BUILD/bin/fuzz_$t
  rm -f "$w.status"
  [ -x "$exe" ] || { echo "run_fuzz.sh: $exe not built" >&2; echo "missing" > "$w.status"; return; }
  rm -rf "$w"; mkdir -p "$w/corpus" "$w/artifacts"
  # The npz and csv targets write each input to a temporary file: on tmpfs (/dev/shm) that costs microseconds, on
  # a disk with discard milliseconds (csv: 6000 exec/s on /dev/shm, 240 on ext4).
  local tmp
  if [ -d /dev/shm ] && [ -w /dev/shm ]; then tmp=$(mktemp -d /dev/shm/rtv-fuzz-$t.XXXXXX); else tmp=$w/tmp; mkdir -p "$tmp"; fi
  local seeds=("$HERE/corpus/$t")
  [ -d "$HERE/crashes/$t" ] && [ -n "$(ls -A "$HERE/crashes/$t" 2>/dev/null)" ] && seeds+=("$HERE/crashes/$t")
  local budget
  if [ -n "$RUNS" ]; then budget=-runs=$RUNS; else budget=-max_total_time=$TIME; fi
  local start=$SECONDS
  TMPDIR=$tmp "$exe" $budget -max_len="$(max_len "$t")" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    -dict="$HERE/dict/$t.dict" -artifact_prefix="$w/artifacts/" $(extra "$t") "$w/corpus" "${seeds[@]}" \
    > "$w/log.txt" 2>&1
  echo "$? $((SECONDS - start))" > "$w.status"
  rm -rf "$tmp"
}

mkdir -p "$BUILD/fuzz-work"
export -f run_one max_len extra
export BUILD RUNS TIME HERE
printf '%s\n' $TARGETS | xargs -P "$JOBS" -I{} bash -c 'run_one {}'

total=0
printf '%-14s %12s %8s %8s %9s %8s  %s\n' target executions cov ft exec/s seconds findings
for t in $TARGETS; do
  w=$BUILD/fuzz-work/$t
  read -r rc secs < "$w.status" 2>/dev/null || { rc=missing secs=0; }
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$w/log.txt" 2>/dev/null | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$w/log.txt" 2>/dev/null | tail -1)
  last=$(grep -E '^#[0-9]+' "$w/log.txt" 2>/dev/null | tail -1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<< "$last"); ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<< "$last")
  if [ -z "$execs" ]; then  # a crash stops libFuzzer before its final stats: the last status line counts
    execs=$(sed -n 's/^#\([0-9]*\).*/\1/p' <<< "$last")
  fi
  found=$(find "$w/artifacts" -type f \( -name 'crash-*' -o -name 'oom-*' -o -name 'leak-*' -o -name 'timeout-*' \) \
          2>/dev/null | wc -l)
  if [ "$rc" != 0 ] && [ "$found" = 0 ]; then found="error (exit $rc, see $w/log.txt)"; total=$((total + 1))
  elif [ "$found" != 0 ]; then
    total=$((total + found))
    found="$found: $(find "$w/artifacts" -type f ! -name 'slow-unit-*' | head -3 | tr '\n' ' ')"
  fi
  printf '%-14s %12s %8s %8s %9s %8s  %s\n' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${rate:-?}" "$secs" "$found"
done
if [ "$total" != 0 ]; then
  echo "run_fuzz.sh: findings (the log of each is BUILD/fuzz-work/TARGET/log.txt)" >&2
  exit 1
fi
