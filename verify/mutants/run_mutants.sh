#!/usr/bin/env bash
# Mutation check of the claim harness (`make mutants`; verify/mutants/README.md). For each mutant of
# verify/mutants/mutants.txt (a plausible bug in the LIBRARY), apply it to a scratch copy of the tree, rebuild
# rtv-verify incrementally, run the quick harness, and record which claims fail. A mutant that no claim catches
# SURVIVED: the claims are blind to that bug.
#
#   run_mutants.sh [--build DIR] [--only M3,M7] [--seed S] [--threads T] [--jobs J] [--portable 0|1]
#                  [--timeout SECONDS] [--claim ID,ID]
#
#   --claim restricts the harness to some claims (a quick look at the runner; the table then says only what
#   those claims catch). Default: all claims, as `rtv-verify --quick` runs them.
#
#   DIR/src      the copy of the tree (made fresh on every run; build trees, out*/ and .git left out)
#   DIR/build    its build tree (configured and built once per run, then rebuilt incrementally per mutant)
#   DIR/runs/ID  per mutant: build.log, rtv-verify.log, out/ (report.json); DIR/runs/baseline likewise
#   DIR/table.md the table in markdown; the plain table goes to stdout, progress to stderr
#
# Exit status: 0 every counted mutant was caught; 1 a non-equivalent mutant survived, a mutant did not
# compile, a mutant marked equivalent changed the numbers, or the baseline (no mutant) failed; 2 bad usage or a
# stale/malformed mutant list (checked before anything is built).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
list="$here/mutants.txt"
helper="$here/mutants.py"

base_dir="build/mutants"
only=""
seed=2301
threads=2
jobs="$(nproc 2>/dev/null || echo 2)"
portable=0
timeout_s=0  # 0: 6 x the baseline's run time, at least 600 s
claims=()

usage() { sed -n '2,23p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --build) base_dir="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    --portable) portable="$2"; shift 2 ;;
    --timeout) timeout_s="$2"; shift 2 ;;
    --claim) claims=(--claim "$2"); shift 2 ;;
    -h|--help) usage ;;
    *) echo "run_mutants.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
for tool in python3 cmake tar timeout sha256sum; do
  command -v "$tool" >/dev/null || { echo "run_mutants.sh: needs $tool" >&2; exit 2; }
done

say() { echo "mutants: $*" >&2; }

# 1. The list: every mutant must apply to the current tree exactly once (stale = error, exit 2).
selected="$(python3 "$helper" check "$list" "$root" "$only")" || exit 2
n_sel=$(printf '%s\n' "$selected" | wc -l)
say "$n_sel mutant(s) of $(grep -c '^id: ' "$list") in $(basename "$list"), all applicable to the current tree"

mkdir -p "$base_dir"
base_dir="$(cd "$base_dir" && pwd)"
src="$base_dir/src" bld="$base_dir/build" runs="$base_dir/runs"
t_start=$(date +%s)

# 2. A fresh copy of the tree and a fresh build tree (a reused one could hold objects of an earlier run's mutant
#    that are newer than the copied sources' restored timestamps).
say "copying the tree to $src"
rm -rf "$src" "$bld" "$runs"
mkdir -p "$src" "$runs"
excludes=(--exclude=./.git --exclude=./build --exclude='./build-*' --exclude=./out --exclude='./out-*'
          --exclude=./install --exclude='*.tmp.*' --exclude=__pycache__)
case "$base_dir/" in  # the mutants folder itself, if it lies inside the tree
  "$root"/*) rel="${base_dir#"$root"/}"; excludes+=("--exclude=./${rel%%/*}") ;;
esac
(cd "$root" && tar "${excludes[@]}" -cf - .) | tar -C "$src" -xf -
# From here on the copy's list and helper are used: edits to the worktree during the run change nothing.
list="$src/verify/mutants/mutants.txt" helper="$src/verify/mutants/mutants.py"
python3 "$helper" check "$list" "$src" "$only" >/dev/null || exit 2

launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
portable_flag=OFF
case "$portable" in 1|ON|on|yes) portable_flag=ON ;; esac
say "configuring and building rtv-verify in $bld (once; then incrementally per mutant)"
if ! cmake -S "$src" -B "$bld" -DCMAKE_BUILD_TYPE=Release -DRTV_PORTABLE="$portable_flag" -DRTV_BUILD_TESTS=OFF \
       -DRTV_BUILD_BENCH=OFF "${launcher[@]}" >"$base_dir/configure.log" 2>&1; then
  tail -20 "$base_dir/configure.log" >&2; say "configure failed (log: $base_dir/configure.log)"; exit 1
fi
build() { cmake --build "$bld" --target rtv-verify -j "$jobs" </dev/null >"$1" 2>&1; }
if ! build "$base_dir/build.log"; then
  tail -30 "$base_dir/build.log" >&2; say "the unmutated tree does not build (log: $base_dir/build.log)"; exit 1
fi
exe="$bld/bin/rtv-verify"

run_harness() {  # run_harness DIR TIMEOUT -> exit status of rtv-verify (124: time limit)
  local dir="$1" limit="$2" rc=0
  mkdir -p "$dir"
  timeout --kill-after=30 "$limit" "$exe" --quick --seed "$seed" --threads "$threads" "${claims[@]}" --out "$dir/out" \
    </dev/null >"$dir/rtv-verify.log" 2>&1 || rc=$?
  return $rc
}

# 3. The baseline: without a mutant every claim must pass, otherwise "caught" would mean nothing.
say "baseline (no mutant): rtv-verify --quick --seed $seed --threads $threads ${claims[*]}"
t0=$(date +%s)
rc=0; run_harness "$runs/baseline" 7200 || rc=$?
t_base=$(( $(date +%s) - t0 ))
if [ $rc -ne 0 ]; then
  grep -E '^  [A-Z][0-9]+ +FAIL' "$runs/baseline/rtv-verify.log" >&2 || tail -20 "$runs/baseline/rtv-verify.log" >&2
  say "the baseline fails (exit $rc, log: $runs/baseline/rtv-verify.log): fix that first"; exit 1
fi
base_json="$runs/baseline/out/report.json"
base_sum="$(sha256sum "$exe" | cut -d' ' -f1)"
if [ "$timeout_s" -le 0 ]; then timeout_s=$(( 6 * t_base > 600 ? 6 * t_base : 600 )); fi
say "baseline: all claims pass (${t_base} s); time limit per mutant ${timeout_s} s"

# 4. The mutants, one at a time; the file is restored after each (also on interrupt).
results="$base_dir/results.tsv"
: >"$results"
current=""
restore_current() {
  if [ -n "$current" ]; then
    python3 "$helper" restore "$list" "$src" "$current" "$runs/$current/original" || true
    current=""
  fi
}
trap 'restore_current; say "interrupted"; exit 130' INT TERM
i=0
while IFS=$'\t' read -r id file equivalent; do
  i=$((i + 1))
  dir="$runs/$id"
  mkdir -p "$dir"
  tm=$(date +%s)
  printf 'mutants: [%d/%d] %s (%s): building' "$i" "$n_sel" "$id" "$file" >&2
  python3 "$helper" apply "$list" "$src" "$id" "$dir/original" || exit 2
  current="$id"
  if ! build "$dir/build.log"; then
    restore_current
    echo ", BUILD FAILED (log: $dir/build.log)" >&2
    printf '%s\tBUILD-FAILED\t\t\tdoes not compile (%s)\t%d\n' "$id" "$dir/build.log" $(( $(date +%s) - tm )) >>"$results"
    continue
  fi
  if [ "$(sha256sum "$exe" | cut -d' ' -f1)" = "$base_sum" ]; then
    # The same machine code as the baseline: the same numbers, without running.
    restore_current
    echo ", binary identical to the baseline's: same results" >&2
    printf '%s\tSURVIVED\t\t\tbinary identical to the baseline'"'"'s\t%d\n' "$id" $(( $(date +%s) - tm )) >>"$results"
    continue
  fi
  printf ', running' >&2
  rc=0; run_harness "$dir" "$timeout_s" || rc=$?
  restore_current
  line="$(python3 "$helper" classify "$base_json" "$dir" "$rc")"
  printf '%s\t%s\t%d\n' "$id" "$line" $(( $(date +%s) - tm )) >>"$results"
  # (cut, not read: a tab is IFS whitespace, so read would merge empty fields)
  status="$(cut -f1 <<<"$line")" failed="$(cut -f2 <<<"$line")" changed="$(cut -f3 <<<"$line")"
  note="$(cut -f4 <<<"$line")"
  case "$status" in
    CAUGHT) echo ", caught by ${failed//,/, } ($(( $(date +%s) - tm )) s)" >&2 ;;
    SURVIVED) echo ", SURVIVED$([ "$equivalent" = 1 ] && echo ' (marked equivalent)')${changed:+; numbers changed in ${changed//,/, }} ($(( $(date +%s) - tm )) s)" >&2 ;;
    *) echo ", $status: $note ($(( $(date +%s) - tm )) s)" >&2 ;;
  esac
done <<<"$selected"
trap - INT TERM

# 5. The table (stdout and markdown) and the exit status.
t_total=$(( $(date +%s) - t_start ))
rc=0
python3 "$helper" table "$list" "$results" "$base_dir/table.md" "$t_total" || rc=$?
say "table: $base_dir/table.md; per-mutant logs and reports: $runs/"
exit $rc
