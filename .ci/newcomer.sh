#!/usr/bin/env bash
# The newcomer check: run the README's quick-start command verbatim (in the background),
# wait for /health, send an SMS with curl and the key it printed, see the virtual phone
# deliver it, then stop the server with SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/.."

cmd=$(sed -n '/<!-- quickstart:start -->/,/<!-- quickstart:end -->/p' README.md | grep -v -e '^<!--' -e '^```' | head -n 1)
if [ -z "$cmd" ]; then
  echo "newcomer check: the README has no quick-start command between its quickstart markers" >&2
  exit 1
fi
echo "newcomer check: running the README's quick start: $cmd"

rm -rf data
log=$(mktemp)
setsid bash -c "$cmd" >"$log" 2>&1 &
pid=$!
stop() {
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -rf data
}
fail() {
  echo "newcomer check FAILED: $1" >&2
  echo "--- server output ---" >&2
  cat "$log" >&2
  stop
  exit 1
}
trap stop EXIT

for _ in $(seq 1 600); do
  curl -sf http://localhost:3000/health >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || fail "the quick-start command exited before the server answered /health"
  sleep 1
done
curl -sf http://localhost:3000/health >/dev/null || fail "no answer on /health after 10 minutes"

key=$(grep -o 'uk_[A-Za-z0-9_-]*' "$log" | head -n 1)
[ -n "$key" ] || fail "the server printed no API key"
answer=$(curl -s -X POST http://localhost:3000/v1/messages/send \
  -H "x-api-key: $key" -H 'content-type: application/json' \
  -d '{"from":"+18005550199","to":"+18005550100","content":"Hello from the newcomer check"}')
id=$(printf '%s' "$answer" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{process.stdout.write(JSON.parse(s).data.id)}catch{}})')
[ -n "$id" ] || fail "the send was refused: $answer"

status=""
for _ in $(seq 1 100); do
  status=$(curl -s "http://localhost:3000/v1/messages/$id" -H "x-api-key: $key" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{process.stdout.write(JSON.parse(s).data.status)}catch{}})')
  [ "$status" = "delivered" ] && break
  sleep 0.3
done
[ "$status" = "delivered" ] || fail "message $id ended $status, not delivered"
echo "newcomer check: message $id was delivered by the virtual phone"
