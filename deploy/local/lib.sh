# deploy/local/lib.sh: the helpers deploy/local/services and deploy/local/flink/flink share
# (jobs/lib.sh reads the JVM flags through it too). Definitions only: sourcing it sets no shell
# option; a script calls init_script first. The scripts set, once they know their run dir:
#   RUN      the run dir, where services.env lies
#   OWN_DIR  the folder every command line of the script's processes names (pid_of)

LOCAL_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
JVM_FLAGS_FILE="$LOCAL_LIB_DIR/jvm-flags.properties"

# The script's exit status when a port it was given is already taken.
EXIT_PORT_IN_USE=3

# init_script NAME, at the top of a script that sourced this file: strict mode, umask 022, and
#   PROG    NAME, which messages start with
#   HERE    the script's folder (its pom.xml says what `fetch` downloads), SELF the script
#   TARGET  where `fetch` puts what Maven downloads
init_script() {
  set -euo pipefail
  shopt -s inherit_errexit
  umask 022
  PROG=$1
  HERE="$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd -P)"
  SELF="$HERE/$(basename "${BASH_SOURCE[1]}")"
  TARGET="$HERE/target"
}

die() { echo "${PROG:-entrawatch}: error: $*" >&2; exit 1; }
info() { echo "${PROG:-entrawatch}: $*" >&2; }

# load_jvm_flags ARRAY: the JVM flags Flink needs on Java 17, one an element, from jvm-flags.properties
load_jvm_flags() {
  local -n into=$1
  mapfile -t into < <(sed -n 's/^[[:space:]]*\(--add-[a-z]*=[^[:space:]\\]*\).*/\1/p' "$JVM_FLAGS_FILE")
  (( ${#into[@]} )) || die "no JVM flags in $JVM_FLAGS_FILE"
}

# need_arg OPTION [VALUE...]: an option's value must follow it
need_arg() { [[ $# -ge 2 && -n $2 ]] || die "$1 needs a value"; }

# common_option ARG...: takes the first argument if both scripts know it (--run-dir, --port, --timeout,
# --owner-pid, --force, --help, a positional word; an unknown option is an error), sets OPT_* or
# POSITIONAL, and sets TOOK to the number of words it used (the caller shifts them).
common_option() {
  TOOK=2
  case $1 in
    --run-dir) need_arg "$@"; OPT_RUN_DIR=$2 ;;
    --port) need_arg "$@"; OPT_PORT=$2 ;;
    --timeout) need_arg "$@"; [[ $2 =~ ^[0-9]+$ ]] || die "--timeout takes seconds"; OPT_TIMEOUT=$2 ;;
    --owner-pid) need_arg "$@"; [[ $2 =~ ^[0-9]+$ ]] || die "--owner-pid takes a pid"; OPT_OWNER_PID=$2 ;;
    --force) POSITIONAL+=(force); TOOK=1 ;;
    -h | --help) usage; exit 0 ;;
    -*) die "unknown option $1 (see: $PROG help)" ;;
    *) POSITIONAL+=("$1"); TOOK=1 ;;
  esac
}

# ---------------------------------------------------------------- fetch

# fetch_with_maven FORCE WHAT CHECK: mvn -f $HERE/pom.xml package, unless CHECK (a command) says an
# earlier fetch, newer than the pom, is complete; FORCE=force fetches again. Several callers (tests
# starting services at once) may fetch together: one fetches, the others wait for it.
fetch_with_maven() {
  local force=$1 what=$2 check=$3
  mkdir -p "$TARGET"
  exec 8>"$TARGET/.fetch.lock"
  flock -w 1200 8 || die "timed out waiting for another fetch (lock $TARGET/.fetch.lock)"
  if [[ $force != force && -f "$TARGET/.fetched" && "$TARGET/.fetched" -nt "$HERE/pom.xml" ]] && "$check"; then
    exec 8>&-
    return 0
  fi
  command -v mvn >/dev/null || die "mvn is not on PATH; it is needed to fetch $what"
  info "fetching $what (mvn -f $HERE/pom.xml package)"
  rm -f "$TARGET/.fetched"
  mvn -q -B -f "$HERE/pom.xml" package >&2 || die "mvn -f $HERE/pom.xml package failed"
  touch "$TARGET/.fetched"
  "$check" || die "fetch finished but $TARGET is incomplete"
  exec 8>&-
}

# ---------------------------------------------------------------- Java

java_major() { # JAVA_HOME -> major version
  local home=$1 v=""
  [[ -x "$home/bin/java" ]] || return 1
  if [[ -f "$home/release" ]]; then
    v=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release")
  fi
  if [[ -z $v ]]; then
    v=$("$home/bin/java" -XshowSettings:properties -version 2>&1 |
        sed -n 's/^ *java\.specification\.version = //p')
  fi
  v=${v#1.}
  v=${v%%[.+-]*}
  [[ $v =~ ^[0-9]+$ ]] || return 1
  echo "$v"
}

path_java_home() { # -> the JAVA_HOME of the java on PATH, or nothing
  local j
  j=$(command -v java 2>/dev/null) || return 0
  j=$(readlink -f "$j")
  dirname "$(dirname "$j")"
}

find_jdk() { # MIN_MAJOR CANDIDATE... -> first JAVA_HOME with major >= MIN_MAJOR
  local min=$1 c m
  shift
  for c in "$@"; do
    [[ -n $c && -d $c ]] || continue
    m=$(java_major "$c") || continue
    if (( m >= min )); then
      echo "$c"
      return 0
    fi
  done
  return 1
}

# ---------------------------------------------------------------- ports

port_in_use() {
  local p=$1
  if command -v ss >/dev/null; then
    [[ -n $(ss -Htln "( sport = :$p )" 2>/dev/null) ]] && return 0
  fi
  (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null
}

check_port() { # PORT WHAT: exits with EXIT_PORT_IN_USE when the port is taken
  local p=$1 what=$2
  [[ $p =~ ^[0-9]+$ ]] && (( p >= 1 && p <= 65535 )) || die "$what port '$p' is not a port number"
  if port_in_use "$p"; then
    echo "${PROG:-entrawatch}: error: $what port $p on 127.0.0.1 is already in use:" >&2
    ss -Htlnp "( sport = :$p )" >&2 2>/dev/null || true
    exit $EXIT_PORT_IN_USE
  fi
}

# ---------------------------------------------------------------- processes

# a zombie (killed, not yet reaped by its new parent) counts as gone
pid_alive() {
  [[ -n ${1:-} ]] && kill -0 "$1" 2>/dev/null && [[ $(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1) != Z ]]
}

# A pid file's process counts as ours only while its command line names $OWN_DIR
# (guards against a recycled pid after a reboot or a crash).
pid_of() { # PIDFILE -> pid of our live process, or nothing
  local f=$1 pid
  [[ -f $f ]] || return 0
  pid=$(tr -dc '0-9' <"$f")
  [[ -n $pid ]] && pid_alive "$pid" || return 0
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$OWN_DIR/" || return 0
  echo "$pid"
}

stop_pid() { # NAME PID TIMEOUT [kill]: SIGTERM (SIGKILL with kill), SIGKILL after TIMEOUT
  local name=$1 pid=$2 timeout=$3 signal=TERM deadline
  [[ ${4:-} == kill ]] && signal=KILL
  kill "-$signal" "$pid" 2>/dev/null || return 0
  deadline=$((SECONDS + timeout))
  while pid_alive "$pid"; do
    if (( SECONDS >= deadline )); then
      info "$name (pid $pid) still running after ${timeout}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
  # wait for the kernel to reap it so the ports are free when we return
  deadline=$((SECONDS + 10))
  while pid_alive "$pid" && (( SECONDS < deadline )); do sleep 0.1; done
  info "$name (pid $pid) stopped (SIG$signal)"
}

# start_watchdog OWNER_PID FILES COMMAND...: once process OWNER_PID has ended, runs COMMAND (a stop);
# the watchdog's pid goes to FILES.pid, its output to FILES.log. No OWNER_PID: no watchdog.
start_watchdog() {
  local owner=$1 files=$2
  shift 2
  [[ -z $owner ]] && return 0
  pid_alive "$owner" || die "--owner-pid $owner is not a running process"
  setsid bash -c 'owner=$1; shift; while kill -0 "$owner" 2>/dev/null; do sleep 2; done; exec "$@"' \
    "${PROG:-entrawatch}-watchdog" "$owner" "$@" >>"$files.log" 2>&1 </dev/null &
  echo $! >"$files.pid"
}

stop_watchdog() { # FILES: the watchdog start_watchdog started with these FILES
  local f="$1.pid" pid
  [[ -f $f ]] || return 0
  pid=$(tr -dc '0-9' <"$f")
  rm -f "$f"
  # the watchdog itself runs the stop command (same pid after exec): do not kill ourselves
  if [[ -n $pid && $pid != "$$" ]] && pid_alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
  fi
}

show_log_tail() { # FILE [LINES]
  local f=$1 n=${2:-40}
  [[ -f $f ]] || return 0
  echo "---- last $n lines of $f ----" >&2
  tail -n "$n" "$f" >&2
  echo "----" >&2
}

# ---------------------------------------------------------------- run dir and services.env

# resolve_run_dir DIR COMMAND: sets RUN to DIR's real path (made if missing). For stop and status
# a missing DIR means nothing runs there: the script exits 0.
resolve_run_dir() {
  local dir=$1 command=$2
  if [[ ($command == stop || $command == status) && ! -d $dir ]]; then
    info "no run dir $dir: nothing runs there"
    exit 0
  fi
  mkdir -p "$dir"
  RUN=$(cd "$dir" && pwd -P)
  [[ $RUN =~ ^[A-Za-z0-9._/@+,-]+$ ]] || die "run dir '$RUN' must be a path without spaces or special characters"
}

# services.env, shared by both scripts: KEY=VALUE lines; a key set again replaces its old line.
set_env() { # KEY VALUE [KEY VALUE...]
  local env="$RUN/services.env" tmp
  (
    flock -w 30 7 || die "cannot lock $RUN/.env.lock"
    touch "$env"
    tmp=$(mktemp "$RUN/.services.env.XXXXXX")
    local args=("$@") i pattern=""
    for ((i = 0; i < ${#args[@]}; i += 2)); do
      pattern+="${pattern:+|}^${args[i]}="
    done
    grep -Ev "$pattern" "$env" >"$tmp" || true
    for ((i = 0; i < ${#args[@]}; i += 2)); do
      if [[ -n ${args[i + 1]} ]]; then
        printf '%s=%q\n' "${args[i]}" "${args[i + 1]}" >>"$tmp"
      else
        printf '%s=\n' "${args[i]}" >>"$tmp"
      fi
    done
    chmod 644 "$tmp"
    mv "$tmp" "$env"
  ) 7>"$RUN/.env.lock"
}

print_env() { # KEY... -> the lines of services.env for these keys
  local key
  for key in "$@"; do
    grep -E "^$key=" "$RUN/services.env" | tail -n 1
  done
}
