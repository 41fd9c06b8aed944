# Shared by the scripts in jobs/: locate the project, build the job jar when missing, run a class locally.
#
# Two kinds of classes run from here:
#   - the job (EntraWatchJob, ReplayJob): from the job jar target/entrawatch.jar, as a cluster runs it,
#     plus target/classpath.txt (run_local);
#   - the tools around it: the traffic generator and Event Hubs feeder (io.entrawatch.generate), the demo's
#     alert table (io.entrawatch.demo) and the benchmarks (io.entrawatch.bench). They live in the test source
#     tree (src/test/java) so that the job jar holds the job only, and run from target/test-classes +
#     target/classes + target/test-classpath.txt, the test-scope dependency list the pom's
#     maven-dependency-plugin writes in process-test-classes (run_tool, tool_classpath).
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jar="$root/target/entrawatch.jar"
classpath_file="$root/target/classpath.txt"
test_classpath_file="$root/target/test-classpath.txt"

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
    [[ ! -f "$test_classpath_file" ]] || touch "$test_classpath_file"   # package compiled the tools too
  fi
}

# Compiles the main and test classes and writes target/test-classpath.txt (mvn process-test-classes: no
# tests run, no jar) when they are missing or older than a source file or the pom.
ensure_tools() {
  local stale=""
  if [[ -f "$test_classpath_file" && -d "$root/target/test-classes/io/entrawatch/generate" ]]; then
    stale=$(find "$root/src" "$root/pom.xml" -newer "$test_classpath_file" -type f -print -quit 2>/dev/null || true)
  fi
  if [[ ! -f "$test_classpath_file" || ! -d "$root/target/test-classes/io/entrawatch/generate" || -n "$stale" ]]; then
    echo "compiling the tools (mvn process-test-classes) ..." >&2
    (cd "$root" && mvn -B -q process-test-classes) >&2 || { echo "build failed" >&2; exit 1; }
    touch "$test_classpath_file"   # the stamp: the plugin may leave an unchanged list untouched
  fi
}

# tool_classpath: prints the classpath of the tools (after ensure_tools).
tool_classpath() {
  echo "$root/target/test-classes:$root/target/classes:$(cat "$test_classpath_file")"
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

# run_tool CLASS ARGS...: runs a tool class (see above) in the foreground, compiling it first if needed.
run_tool() {
  ensure_tools
  local log_dir="${ENTRAWATCH_LOG_DIR:-$root/target/logs}"
  mkdir -p "$log_dir"
  # shellcheck disable=SC2206
  local command=(java ${JAVA_OPTS:-} "${flink_jvm_opens[@]}"
    -Dlog4j2.configurationFile="$root/jobs/log4j2-local.properties" -Dentrawatch.log.dir="$log_dir"
    -cp "$(tool_classpath)" "$@")
  "${command[@]}"
}
