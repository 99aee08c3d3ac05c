#!/usr/bin/env bash
# Load test of the storefront example, from a fresh checkout:
#   1. builds the service and the CLI (release),
#   2. generates the `small` world and trains a model (MODEL_KIND, default blend),
#   3. starts the service on 127.0.0.1 (loopback only) and waits for /healthz,
#   4. measures GET recommendations over many promoters with wrk (req/s, p50, p99),
#   5. measures again while a model reload is POSTed every 0.5 s, and counts non-2xx
#      responses (there must be none: a reload never interrupts a request),
#   6. stops the service (also on Ctrl-C or error).
#
# Usage: bash scripts/load-storefront.sh
# Knobs (environment): DURATION (default 20s), CONNECTIONS (32), WRK_THREADS (2),
# SERVICE_THREADS (2), PORT (18080), SCALE (small), MODEL_KIND (blend), NIGHTLY (unset;
# NIGHTLY=200 ranks every promoter's top 200 with `kocrank rank --all` first and serves
# with --candidates, so requests re-rank those lists instead of the whole catalogue).
# Needs wrk (Debian: apt-get install wrk) and curl.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kocrank-target}"
DURATION="${DURATION:-20s}"
CONNECTIONS="${CONNECTIONS:-32}"
WRK_THREADS="${WRK_THREADS:-2}"
SERVICE_THREADS="${SERVICE_THREADS:-2}"
PORT="${PORT:-18080}"
SCALE="${SCALE:-small}"
MODEL_KIND="${MODEL_KIND:-blend}"
ADDR="127.0.0.1:${PORT}"
URL="http://${ADDR}"

step() { printf '\n== %s (%s)\n' "$1" "$(date +%H:%M:%S)"; }
for tool in wrk curl; do
  if ! command -v "$tool" >/dev/null; then
    echo "$tool is missing (Debian: apt-get install -y $tool)" >&2
    exit 2
  fi
done
if curl -s -o /dev/null "$URL/healthz"; then
  echo "something already answers on $ADDR; set PORT to a free port" >&2
  exit 2
fi

WORK="$(mktemp -d)"
SERVER_PID=""
RELOAD_PID=""
cleanup() {
  [[ -n "$RELOAD_PID" ]] && kill "$RELOAD_PID" 2>/dev/null || true
  if [[ -n "$SERVER_PID" ]]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

step "build (release)"
cargo build --release --example storefront --bin kocrank
BIN="$CARGO_TARGET_DIR/release"

step "world ($SCALE) and model ($MODEL_KIND)"
"$BIN/kocrank" --quiet generate --scale "$SCALE" --seed 1 --out "$WORK/world"
"$BIN/kocrank" --quiet train --data "$WORK/world" --model "$MODEL_KIND" --out "$WORK/model.kocrank"
ls -l "$WORK/model.kocrank" | awk '{printf "model file: %.1f MB\n", $5 / 1e6}'

NIGHTLY_ARGS=()
if [[ -n "${NIGHTLY:-}" ]]; then
  step "nightly candidate lists (top $NIGHTLY)"
  "$BIN/kocrank" --quiet rank --model "$WORK/model.kocrank" --all --k "$NIGHTLY" --format csv \
    --out "$WORK/nightly"
  NIGHTLY_ARGS=(--candidates "$WORK/nightly")
fi

step "service on $ADDR"
"$BIN/examples/storefront" --model "$WORK/model.kocrank" "${NIGHTLY_ARGS[@]}" --addr "$ADDR" \
  --threads "$SERVICE_THREADS" 2>"$WORK/server.log" &
SERVER_PID=$!
for _ in $(seq 1 100); do
  curl -sf "$URL/healthz" >/dev/null && break
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    cat "$WORK/server.log" >&2
    echo "the service did not start" >&2
    exit 2
  fi
  sleep 0.2
done
echo "healthz: $(curl -sf "$URL/healthz")"
echo "sample:  $(curl -sf "$URL/v1/promoters/P000001/recommendations?k=3")"

# The request mix: a known promoter picked at random from promoters.csv for 95% of
# requests (k = 20 mostly, some 10 and 50), a newcomer of a random channel and tier
# for the rest. `done` prints one line of figures.
cat >"$WORK/mix.lua" <<'LUA'
local ids = {}
local f = assert(io.open(os.getenv("PROMOTERS_CSV"), "r"))
f:read("*l") -- header
for line in f:lines() do
  ids[#ids + 1] = line:match("^([^,]+)")
end
f:close()
local channels = { "mother", "reseller", "courier", "service_worker", "shop_guide", "other" }
local ks = { 20, 20, 20, 20, 20, 20, 10, 10, 50, 50 }
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("seed", counter)
end

function init(args)
  math.randomseed(seed or 1)
end

function request()
  local k = ks[math.random(#ks)]
  local path
  if math.random() < 0.95 then
    path = "/v1/promoters/" .. ids[math.random(#ids)] .. "/recommendations?k=" .. k
  else
    path = "/v1/promoters/new-" .. math.random(1000000) .. "/recommendations?k=" .. k
      .. "&channel=" .. channels[math.random(#channels)] .. "&city_tier=" .. math.random(6)
  end
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d req/s=%.0f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f "
      .. "non2xx=%d connect_err=%d read_err=%d write_err=%d timeouts=%d promoters=%d\n",
    summary.requests, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    e.status, e.connect, e.read, e.write, e.timeout, #ids))
end
LUA
export PROMOTERS_CSV="$WORK/world/promoters.csv"
WRK=(wrk -t "$WRK_THREADS" -c "$CONNECTIONS" --timeout 5s -s "$WORK/mix.lua")

step "warm-up (3 s)"
"${WRK[@]}" -d 3s "$URL" | grep RESULT

step "GET mix: $DURATION, $WRK_THREADS wrk threads, $CONNECTIONS connections"
"${WRK[@]}" -d "$DURATION" --latency "$URL" | tee "$WORK/plain.txt" | grep -E "RESULT|Non-2xx" || true

step "GET mix while the model is reloaded every 0.5 s"
# The reload loop is bounded: twice the seconds of the run, plus a few.
SECONDS_RUN="${DURATION%s}"
RELOADS=$((SECONDS_RUN * 2 + 4))
(
  ok=0
  bad=0
  for _ in $(seq 1 "$RELOADS"); do
    code="$(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL/v1/admin/reload" || echo 000)"
    if [[ "$code" == 200 ]]; then ok=$((ok + 1)); else bad=$((bad + 1)); fi
    sleep 0.5
  done
  echo "reloads: $ok answered 200, $bad did not" >"$WORK/reloads.txt"
) &
RELOAD_PID=$!
"${WRK[@]}" -d "$DURATION" --latency "$URL" | tee "$WORK/reload.txt" | grep -E "RESULT|Non-2xx" || true
wait "$RELOAD_PID" || true
RELOAD_PID=""
cat "$WORK/reloads.txt"
echo "healthz: $(curl -sf "$URL/healthz")"

step "summary"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "plain:  $(grep RESULT "$WORK/plain.txt")"
echo "reload: $(grep RESULT "$WORK/reload.txt")"
clean="non2xx=0 connect_err=0 read_err=0 write_err=0 timeouts=0"
if ! grep -q "$clean" "$WORK/plain.txt" || ! grep -q "$clean" "$WORK/reload.txt" \
  || ! grep -q ", 0 did not" "$WORK/reloads.txt"; then
  echo "FAIL: some requests were not answered 2xx" >&2
  exit 1
fi
echo "OK: every request answered 2xx"
