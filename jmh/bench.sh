#!/usr/bin/env bash
# ./weft bench [ARGS]: builds jmh/target/benchmarks.jar (skipping tests) when it is missing or older
# than the sources, then runs dev.weft.jmh.Bench with the JVM flags Weft needs.
#   ./weft bench                     switch benchmarks, quick profile, default backend
#   ./weft bench --backend all       ... on every backend this machine has (nio and epoll here)
#   ./weft bench --full              longer warm-up and measurement, 2 forks
#   ./weft bench --ci                one short iteration of one fiber benchmark and the raw baseline
#                                    (a smoke test that the benchmarks build and run: not a measurement)
#   ./weft bench echo [ARGS]         the echo comparison (see dev.weft.jmh.echo.EchoBench)
#   ./weft bench http [ARGS]         wrk against hello-world HTTP servers (see dev.weft.jmh.http.HttpBench)
#   ./weft bench tls-burst [ARGS]    N clients connecting at once over TLS (see dev.weft.jmh.burst.BurstBench)
#   ./weft bench multicore [ARGS]    Weft 1/2 hubs vs Netty 1/2 loops vs Go vs JDK virtual threads, HTTP and
#                                    echo, not pinned (see dev.weft.jmh.multicore.MulticoreBench)
#   ./weft bench fanout [ARGS]       Socket.IO broadcast to 1,000 clients in one room: Weft vs netty-socketio vs
#                                    Node's socket.io (see dev.weft.jmh.fanout.FanoutBench; --help)
#   ./weft bench connections [ARGS]  N concurrent connections on one hub: heap per connection, time to
#                                    open them (see dev.weft.jmh.connections.ConnectionsBench; --help)
#   -Dweft.hub=NAME is honoured too (as --backend NAME); other -D options and -Xmx/-Xms go to the JVM
#   (./weft bench --memory --count 1000000 -Xmx1g: a million parked fibers in 1 GiB of heap).
# Called by ./weft with JAVA_HOME set to a JDK >= 21.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
jar=jmh/target/benchmarks.jar
if [ ! -f "$jar" ] || [ -n "$(find pom.xml */pom.xml */src/main -newer "$jar" -print -quit 2>/dev/null)" ]; then
  echo "weft bench: building $jar ..."
  ${WEFT_MVN:-mvn -B -ntp} -q -DskipTests -pl jmh -am package
fi
jvm=(--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED --enable-native-access=ALL-UNNAMED)
# JMH 1.37 calls sun.misc.Unsafe, which JDK 24+ warns about (the option exists from JDK 23 on).
major=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$JAVA_HOME/release" 2>/dev/null || true)
if [ "${major:-0}" -ge 23 ]; then jvm+=(--sun-misc-unsafe-memory-access=allow); fi
args=()
for a in "$@"; do
  case "$a" in
    -Dweft.hub=*) args+=(--backend "${a#-Dweft.hub=}") ;;
    -D*|-Xmx*|-Xms*) jvm+=("$a") ;;
    *) args+=("$a") ;;
  esac
done
if [ "${args[0]:-}" = echo ]; then
  # The load generator runs on CPU 1, each server JVM on CPU 0 (EchoBench pins them).
  pin=()
  if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then pin=(taskset -c 1); export WEFT_ECHO_PIN=1; fi
  exec "${pin[@]}" "$JAVA_HOME/bin/java" "${jvm[@]}" -cp "$jar" dev.weft.jmh.echo.EchoBench "${args[@]:1}"
fi
if [ "${args[0]:-}" = http ]; then
  # Same pinning as echo: wrk (a child of this JVM) on CPU 1, each server JVM on CPU 0.
  pin=()
  if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then pin=(taskset -c 1); export WEFT_ECHO_PIN=1; fi
  exec "${pin[@]}" "$JAVA_HOME/bin/java" "${jvm[@]}" -cp "$jar" dev.weft.jmh.http.HttpBench "${args[@]:1}"
fi
if [ "${args[0]:-}" = tls-burst ]; then
  # Same pinning as echo: the load generator on CPU 1, each server JVM on CPU 0.
  pin=()
  if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then pin=(taskset -c 1); export WEFT_ECHO_PIN=1; fi
  exec "${pin[@]}" "$JAVA_HOME/bin/java" "${jvm[@]}" -cp "$jar" dev.weft.jmh.burst.BurstBench "${args[@]:1}"
fi
if [ "${args[0]:-}" = fanout ]; then
  # Same pinning as echo: the Node load client (a child of this JVM) on CPU 1, each server on CPU 0.
  pin=()
  if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then pin=(taskset -c 1); export WEFT_ECHO_PIN=1; fi
  exec "${pin[@]}" "$JAVA_HOME/bin/java" "${jvm[@]}" -cp "$jar" dev.weft.jmh.fanout.FanoutBench "${args[@]:1}"
fi
if [ "${args[0]:-}" = multicore ]; then
  # Not pinned: a 2-hub server may use every core, and the load generators (wrk -t2, two echo load
  # threads in this JVM) share them; the bench reports server CPU per request beside requests/s.
  exec "$JAVA_HOME/bin/java" "${jvm[@]}" -cp "$jar" dev.weft.jmh.multicore.MulticoreBench "${args[@]:1}"
fi
if [ "${args[0]:-}" = connections ]; then
  # Not pinned: the server and client JVMs it starts share the machine (it measures memory and
  # time to open, not per-request CPU).
  exec "$JAVA_HOME/bin/java" "${jvm[@]}" -Xmx256m -cp "$jar" dev.weft.jmh.connections.ConnectionsBench "${args[@]:1}"
fi
exec "$JAVA_HOME/bin/java" "${jvm[@]}" -jar "$jar" "${args[@]}"
