# Shared by the scripts in jobs/: locate the project, build the job jar when missing, run a class locally.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jar="$root/target/entrawatch.jar"
classpath_file="$root/target/classpath.txt"

# Flink's own JVM flags for Java 17 (flink-dist's env.java.opts.all), from deploy/local/jvm-flags.properties.
# shellcheck source=../deploy/local/lib.sh
source "$root/deploy/local/lib.sh"
load_jvm_flags flink_jvm_opens

# Builds the job jar when it is missing or older than a source file or the pom.
ensure_jar() {
  local stale=""
  if [[ -f "$jar" && -f "$classpath_file" ]]; then
    stale=$(find "$root/src/main" "$root/pom.xml" -newer "$jar" -type f -print -quit 2>/dev/null || true)
  fi
  if [[ ! -f "$jar" || ! -f "$classpath_file" || -n "$stale" ]]; then
    echo "building the job jar (mvn -DskipTests package) ..." >&2
    (cd "$root" && mvn -B -q -DskipTests package) >&2 || { echo "build failed" >&2; exit 1; }
  fi
}

# local_command CLASS ARGS...: sets LOCAL_COMMAND to the java command that runs a class of the job
# jar locally (Flink runs it on an embedded MiniCluster); logs go to $ENTRAWATCH_LOG_DIR.
local_command() {
  local log_dir="${ENTRAWATCH_LOG_DIR:-$root/target/logs}"
  mkdir -p "$log_dir"
  # shellcheck disable=SC2206
  LOCAL_COMMAND=(java ${JAVA_OPTS:-} "${flink_jvm_opens[@]}"
    -Dlog4j2.configurationFile="$root/jobs/log4j2-local.properties" -Dentrawatch.log.dir="$log_dir"
    -cp "$jar:$(cat "$classpath_file")" "$@")
}

# run_local CLASS ARGS...: runs it in the foreground.
run_local() {
  local_command "$@"
  "${LOCAL_COMMAND[@]}"
}
