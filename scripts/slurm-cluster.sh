#!/usr/bin/env bash
# A private one-node Slurm cluster on this machine, for testing the guide's batch script
# (docs/guides/mpi.md, "On a cluster") for real: test/slurm/slurm.test.ts starts and stops it.
#
#   scripts/slurm-cluster.sh start   write the config, start munged, slurmctld and slurmd, wait
#                                    until the node is idle
#   scripts/slurm-cluster.sh env     print `export SLURM_CONF=...` for `eval "$(... env)"`
#   scripts/slurm-cluster.sh stop    stop the daemons that `start` started (safe to repeat)
#
# Everything lives in one state directory, ${PARAFIT_SLURM_DIR:-${TMPDIR:-/tmp}/parafit-slurm}:
# config, munge key and socket, spool, state, logs and pid files. Nothing in /etc is read or
# written, and the daemons get their own munge socket and ports, so a system Slurm or munged on
# the same machine is left alone. The daemons run as root (SlurmUser=root), as they must to start
# jobs for any user; so `start` needs root. Needs Debian's slurm-wlm and munge.
set -euo pipefail

dir="${PARAFIT_SLURM_DIR:-${TMPDIR:-/tmp}/parafit-slurm}"
conf="$dir/slurm.conf"
munge_socket="$dir/munge/munge.socket"
munge_pid="$dir/munge/munged.pid"

die() {
  echo "slurm-cluster: $*" >&2
  exit 1
}

require_tools() {
  local missing=()
  local tool
  for tool in slurmctld slurmd sinfo srun sbatch; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  # munged lives in /usr/sbin, which a non-login shell may not have on PATH.
  for tool in munged; do
    command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || missing+=("$tool")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    die "not installed: ${missing[*]} (apt-get install -y slurm-wlm munge)"
  fi
}

# The pid in a pid file, if that process is still alive.
live_pid() {
  local file=$1 pid
  [ -f "$file" ] || return 1
  pid=$(cat "$file" 2>/dev/null) || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# A TCP port nobody listens on, away from Slurm's defaults (6817/6818), so that two clusters (a
# system one, or a second test run with another state directory) do not collide; and below
# Linux's ephemeral range (32768 and up), where outgoing connections take their ports.
free_port() {
  local port listening
  listening=$(ss -Htln 2>/dev/null | awk '{print $4}' | sed 's/.*://' || true)
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 12000))
    if ! grep -qx "$port" <<<"$listening"; then
      echo "$port"
      return 0
    fi
  done
  die "no free TCP port found"
}

print_logs() {
  local log
  for log in "$dir"/log/*.log "$dir"/munge/munged.log; do
    [ -f "$log" ] || continue
    echo "----- $log (last 40 lines)" >&2
    tail -n 40 "$log" >&2
  done
}

# A failed start: say why (the daemons' logs), and stop what did start, so nothing lingers.
fail_start() {
  print_logs
  stop >&2 || true
  die "$@"
}

start_munge() {
  # munged insists on a key readable only by the user it runs as (0400), and on a socket directory
  # that every user can enter (clients run as any user) but no other user can write to (0755).
  # 1 KiB of random bytes is what mungekey creates, and what dd writes where it is missing.
  mkdir -p "$dir/munge"
  chmod 0755 "$dir/munge"
  if command -v mungekey >/dev/null 2>&1 || [ -x /usr/sbin/mungekey ]; then
    PATH="$PATH:/usr/sbin" mungekey --create --force --keyfile="$dir/munge/munge.key"
  else
    dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
  fi
  chown "$(id -u):$(id -g)" "$dir/munge/munge.key"
  chmod 0400 "$dir/munge/munge.key"
  # All of munged's paths in the state directory: the default socket and pid file in /run/munge
  # belong to the system's munged, if there is one.
  PATH="$PATH:/usr/sbin" munged \
    --socket="$munge_socket" \
    --key-file="$dir/munge/munge.key" \
    --pid-file="$munge_pid" \
    --log-file="$dir/munge/munged.log" \
    --seed-file="$dir/munge/munged.seed" ||
    fail_start "munged did not start"
}

write_conf() {
  local host cpus ctld_port slurmd_port
  host=$(hostname -s)
  cpus=$(nproc --all)
  ctld_port=$(free_port)
  slurmd_port=$(free_port)
  while [ "$slurmd_port" = "$ctld_port" ]; do slurmd_port=$(free_port); done
  mkdir -p "$dir/state" "$dir/spool" "$dir/log" "$dir/run" "$dir/tmp"
  # An unquoted here-document, for the variables: no backticks or \$( in its comments.
  cat >"$conf" <<EOF
# Written by scripts/slurm-cluster.sh: a one-node cluster for tests. Every path is in $dir.
ClusterName=parafit
# The address in parentheses: the host name need not resolve. Random free ports, not 6817/6818.
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
# The daemons run as root: they are started by the test, as root, and start jobs as their user.
SlurmUser=root
SlurmdUser=root
# Our own munged, not the system's (/run/munge/munge.socket.2). cred/munge reads AuthInfo too.
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$munge_socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
TmpFS=$dir/tmp
# No cgroups: containers rarely give a writable cgroup tree. Processes are tracked through /proc,
# and tasks are not pinned to cores (as mpirun --bind-to none).
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
# No accounting database, but a line per finished job (JobState=..., ExitCode=...) in a file:
# the job record itself is forgotten seconds after the job ends (MinJobAge below).
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/log/jobcomp.txt
SwitchType=switch/none
# How srun tells the ranks it starts who they are, so that they form one MPI job: pmix where
# Slurm has it. Debian's Open MPI 4.1 speaks only PMIx: under srun --mpi=pmi2 or none each rank
# fails in MPI_Init ("OMPI was not built with SLURM's PMI support"). pmi2 would suit MPICH.
MpiDefault=$MPI_DEFAULT
SchedulerType=sched/backfill
# No mail from tests (and no "MailProg is invalid" in the log where mail is not installed).
MailProg=/bin/true
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
# A node that was down comes back by itself when slurmd registers again.
ReturnToService=2
# Quick to give up on a dead step: the tests bound every wait.
KillWait=5
InactiveLimit=0
# "sbatch --wait" polls the job every 2 s, then 8 s, then 32 s, unless the poll would outlast half
# of MinJobAge (the finished job could be forgotten in between). A small MinJobAge keeps the poll
# at 2 s, so a test learns within 2 s that its job ended; the job's end state is in JobCompLoc.
MinJobAge=4
SlurmctldTimeout=30
SlurmdTimeout=30
# The node has $cpus real CPUs, but the tests start 3 ranks (rank 0 coordinates, 2 workers), as
# mpirun --oversubscribe does on a laptop. OverSubscribe=FORCE does not help: it lets *jobs*
# share CPUs, but one job's 3 tasks still need 3 CPUs (with CPUs=2 such a job pends forever,
# "Requested partition configuration not available now"). So the node declares at least 4 CPUs,
# and config_overrides makes slurmd report the configured count, not the one it detects (else
# the node drains with "Low CPUs"). Memory is small and not consumed (CR_Core): any machine has it.
SlurmdParameters=config_overrides
NodeName=$host NodeAddr=127.0.0.1 CPUs=$DECLARED_CPUS RealMemory=512 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=30:00 State=UP OverSubscribe=NO
EOF
}

# The best MPI plugin this srun has: PMIx (what Open MPI needs), else PMI-2, else none.
best_mpi_default() {
  local list
  list=$(SLURM_CONF="$conf" srun --mpi=list 2>&1 || true)
  if grep -qw pmix <<<"$list"; then echo pmix
  elif grep -qw pmi2 <<<"$list"; then echo pmi2
  else echo none
  fi
}

start() {
  require_tools
  [ "$(id -u)" -eq 0 ] || die "start needs root (the daemons run as root; SlurmUser=root)"
  if live_pid "$dir/run/slurmctld.pid" >/dev/null || live_pid "$dir/run/slurmd.pid" >/dev/null ||
    live_pid "$munge_pid" >/dev/null; then
    die "a cluster is already running in $dir (scripts/slurm-cluster.sh stop first)"
  fi
  mkdir -p "$dir"
  chmod 0755 "$dir"
  # The jobs' output files and the node's spool are recreated on every start.
  rm -rf "$dir/state" "$dir/spool" "$dir/log" "$dir/run" "$dir/tmp" "$dir/munge"
  local cpus
  cpus=$(nproc --all)
  DECLARED_CPUS=$((cpus < 4 ? 4 : cpus))
  # srun --mpi=list works without a running cluster, but needs a config to read: write one first,
  # then again with the MPI plugin it found.
  MPI_DEFAULT=none
  write_conf
  MPI_DEFAULT=$(best_mpi_default)
  write_conf

  start_munge
  export SLURM_CONF="$conf"
  # -c: a fresh cluster, ignoring any saved state. Both daemonise and write their pid files.
  slurmctld -c -f "$conf" || fail_start "slurmctld did not start"
  slurmd -f "$conf" || fail_start "slurmd did not start"

  # Bounded: the node registers within a second or two, or something is wrong (the logs say what).
  local state=""
  for _ in $(seq 1 60); do
    state=$(sinfo -h -N -o '%T' 2>/dev/null | head -n 1 || true)
    if [ "$state" = "idle" ]; then
      echo "slurm-cluster: node $(hostname -s) idle (MpiDefault=$MPI_DEFAULT, config $conf)"
      return 0
    fi
    sleep 0.5
  done
  sinfo -N -l >&2 || true
  fail_start "the node is not idle after 30 s (state: '${state:-no answer}')"
}

stop() {
  # Cancel what still runs (a test that timed out), so that no job step outlives the cluster.
  if live_pid "$dir/run/slurmctld.pid" >/dev/null; then
    SLURM_CONF="$conf" timeout 5 scancel --partition=debug 2>/dev/null || true
  fi
  # SIGTERM to all three at once (each takes a second or two to shut down), then a bounded wait,
  # then SIGKILL: a daemon that does not stop must not outlive the test. Pid files whose process
  # is gone (a second stop) are just removed.
  local pids=() name pid
  for name in "slurmd:$dir/run/slurmd.pid" "slurmctld:$dir/run/slurmctld.pid" "munged:$munge_pid"; do
    if pid=$(live_pid "${name#*:}"); then
      kill "$pid" 2>/dev/null || true
      pids+=("${name%%:*}:$pid")
    fi
    rm -f "${name#*:}"
  done
  for _ in $(seq 1 100); do
    local alive=0
    for name in "${pids[@]}"; do kill -0 "${name#*:}" 2>/dev/null && alive=1; done
    [ "$alive" -eq 0 ] && return 0
    sleep 0.1
  done
  for name in "${pids[@]}"; do
    if kill -0 "${name#*:}" 2>/dev/null; then
      echo "slurm-cluster: ${name%%:*} (pid ${name#*:}) ignored SIGTERM for 10 s; killing it" >&2
      kill -9 "${name#*:}" 2>/dev/null || true
    fi
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env)
    [ -f "$conf" ] || die "no cluster config in $dir (scripts/slurm-cluster.sh start first)"
    printf 'export SLURM_CONF=%q\n' "$conf"
    ;;
  *)
    echo "usage: $0 start|stop|env   (state in \$PARAFIT_SLURM_DIR, default \${TMPDIR:-/tmp}/parafit-slurm)" >&2
    exit 2
    ;;
esac
