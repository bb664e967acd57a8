#!/usr/bin/env bash
# A one-machine Slurm for the sweep tests (issue 6: "test it for real against a one-machine
# Slurm"): munged, slurmctld and slurmd on localhost, started directly (containers have no
# systemd). Idempotent; needs root and Debian's slurm-wlm + munge (installer/install-deps.sh --with-tests).
#   slurm_localhost.sh          write the config if needed, start what is not running, wait for
#                               the node to be idle (60 s)
#   slurm_localhost.sh --stop   stop the daemons this script starts
# Exit codes: 0 ready / stopped, 77 cannot run here (not root, packages missing, a foreign
# slurm.conf) -- ctest reports that as skipped -- and 1 a daemon did not come up.
set -uo pipefail

CONF_DIR=/etc/slurm
CONF=$CONF_DIR/slurm.conf
MARKER="# embedscope-ci: written by tests/support/slurm_localhost.sh"
SPOOL=/var/spool/slurmd
STATE=/var/spool/slurmctld
LOG_DIR=/var/log/slurm
RUN_DIR=/run/slurm

say() { echo "slurm_localhost: $*"; }
skip() {
    say "SKIP: $*"
    exit 77
}

pid_alive() { [[ -s "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

stop_daemon() { # name pidfile
    if pid_alive "$2"; then
        local pid
        pid=$(cat "$2")
        kill "$pid" 2>/dev/null
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
        say "stopped $1 (pid $pid)"
    else
        say "$1 not running"
    fi
    rm -f "$2"
}

if [[ "${1:-}" == "--stop" ]]; then
    [[ $(id -u) -eq 0 ]] || skip "not root: nothing of ours to stop"
    stop_daemon slurmd $RUN_DIR/slurmd.pid
    stop_daemon slurmctld $RUN_DIR/slurmctld.pid
    # munged stays up: other users of munge on this machine may rely on it; it is harmless.
    exit 0
fi

[[ $(id -u) -eq 0 ]] || skip "not root (uid $(id -u)): a one-machine Slurm needs root to start slurmd; run the tests as root after installer/install-deps.sh --with-tests"
for cmd in munged slurmctld slurmd sbatch squeue sinfo scontrol; do
    command -v "$cmd" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin command -v "$cmd" >/dev/null 2>&1 ||
        skip "$cmd not found: install slurm-wlm and munge (installer/install-deps.sh --with-tests)"
done
export PATH=$PATH:/usr/sbin:/sbin

if [[ -e $CONF ]] && ! grep -qF "$MARKER" "$CONF"; then
    skip "$CONF exists and was not written by this script; not touching a real cluster's config"
fi

mkdir -p $CONF_DIR $SPOOL $STATE $LOG_DIR $RUN_DIR
cpus=$(nproc)
mem_mb=$(awk '/^MemTotal:/ {print int($2 / 1024 * 0.9)}' /proc/meminfo)
new_conf=$(
    cat <<EOF
$MARKER
ClusterName=embedscope-ci
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
SlurmctldPort=6817
SlurmdPort=6818
SlurmctldPidFile=$RUN_DIR/slurmctld.pid
SlurmdPidFile=$RUN_DIR/slurmd.pid
SlurmctldLogFile=$LOG_DIR/slurmctld.log
SlurmdLogFile=$LOG_DIR/slurmd.log
SlurmdSpoolDir=$SPOOL
StateSaveLocation=$STATE
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
MinJobAge=300
NodeName=localhost CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
)
# No cgroup.conf: with proctrack/linuxproc and task/none no cgroup plugin is loaded.
if [[ ! -e $CONF ]] || [[ "$(cat $CONF)" != "$new_conf" ]]; then
    printf '%s\n' "$new_conf" >$CONF
    chmod 644 $CONF
    say "wrote $CONF (CPUs=$cpus RealMemory=${mem_mb}MB)"
    conf_changed=1
else
    say "$CONF up to date"
    conf_changed=0
fi

# munge: a key (the package usually makes one), then the daemon.
if [[ ! -s /etc/munge/munge.key ]]; then
    mkdir -p /etc/munge
    if command -v mungekey >/dev/null 2>&1; then
        mungekey --create --force --keyfile=/etc/munge/munge.key >/dev/null
    else
        dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none
    fi
    chown munge:munge /etc/munge/munge.key 2>/dev/null
    chmod 400 /etc/munge/munge.key
    say "created /etc/munge/munge.key"
fi
mkdir -p /run/munge /var/lib/munge /var/log/munge
chown munge:munge /run/munge /var/lib/munge /var/log/munge 2>/dev/null
if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    say "munged already running"
else
    # --force: start even over a stale socket left by a killed container.
    if id munge >/dev/null 2>&1; then
        runuser -u munge -- munged --force || munged --force
    else
        munged --force
    fi
    for _ in $(seq 50); do
        munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break
        sleep 0.1
    done
    munge -n 2>/dev/null | unmunge >/dev/null 2>&1 || {
        say "munged did not start (see /var/log/munge/munged.log)"
        exit 1
    }
    say "started munged"
fi

if [[ $conf_changed -eq 1 ]]; then
    # A running daemon would keep the old configuration.
    pid_alive $RUN_DIR/slurmd.pid && stop_daemon slurmd $RUN_DIR/slurmd.pid
    pid_alive $RUN_DIR/slurmctld.pid && stop_daemon slurmctld $RUN_DIR/slurmctld.pid
fi
if pid_alive $RUN_DIR/slurmctld.pid; then
    say "slurmctld already running (pid $(cat $RUN_DIR/slurmctld.pid))"
else
    # -c: a clean start, without jobs left in the state directory by an earlier run.
    slurmctld -c || {
        say "slurmctld failed to start; tail of $LOG_DIR/slurmctld.log:"
        tail -n 20 $LOG_DIR/slurmctld.log 2>/dev/null
        exit 1
    }
    say "started slurmctld"
fi
if pid_alive $RUN_DIR/slurmd.pid; then
    say "slurmd already running (pid $(cat $RUN_DIR/slurmd.pid))"
else
    slurmd -N localhost || {
        say "slurmd failed to start; tail of $LOG_DIR/slurmd.log:"
        tail -n 20 $LOG_DIR/slurmd.log 2>/dev/null
        exit 1
    }
    say "started slurmd"
fi

# The node registers as idle once slurmd has talked to slurmctld; a node left down/drained by an
# earlier run is resumed.
for i in $(seq 60); do
    state=$(sinfo -h -n localhost -o %T 2>/dev/null | head -n 1)
    case "$state" in
    idle* | mixed* | allocated*)
        say "node localhost is $state after ${i}s (sinfo)"
        exit 0
        ;;
    down* | drain*)
        scontrol update nodename=localhost state=resume >/dev/null 2>&1
        ;;
    esac
    sleep 1
done
say "node localhost not idle after 60 s (last sinfo state: '${state:-none}'); logs:"
tail -n 10 $LOG_DIR/slurmctld.log $LOG_DIR/slurmd.log 2>/dev/null
exit 1
