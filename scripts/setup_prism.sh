#!/usr/bin/env bash
# setup_prism.sh CACHE_DIR [--check]
#
# Installs a pinned Prism mock server (@stoplight/prism-cli) into CACHE_DIR and
# extracts Twilio's Video v1 and Insights v1 OpenAPI descriptions
# (twilio_video_v1.json, twilio_insights_v1.json) from the npm package
# @twilio/cli-core WITHOUT installing cli-core's dependency tree (npm pack + tar
# extract of the two files: ~0.7 s instead of +11 s / +136 MB).
#
# Idempotent: does nothing (≈0.1 s) when CACHE_DIR already holds the pinned
# versions and the spec with the expected sha256.  Safe to run concurrently
# (flock on CACHE_DIR/.lock).  Fails loudly (exit 1, message on stderr).
#
# On success prints (stdout) shell-assignable lines:
#   PRISM_JS=<CACHE_DIR>/node_modules/@stoplight/prism-cli/dist/index.js
#   PRISM_SPEC=<CACHE_DIR>/spec/cli-core-8.3.2/twilio_video_v1.json
#   PRISM_INSIGHTS_SPEC=<CACHE_DIR>/spec/cli-core-8.3.2/twilio_insights_v1.json
# Start Prism with:  node "$PRISM_JS" mock -h 127.0.0.1 -p PORT "$PRISM_SPEC"
# (one Prism process per spec: each serves one OpenAPI description)
# Ready when its output contains:  "Prism is listening on http://127.0.0.1:PORT"
#
# --check additionally starts Prism on a free 127.0.0.1 port, waits for the
# ready line, does one authenticated GET /v1/Rooms and stops it again.
set -euo pipefail

PRISM_VERSION=5.14.2            # last prism-cli whose engines allow node 18/20/22 (5.15.x+ need node >= 24.14)
PRISM_CORE_VERSION=5.8.0        # prism-cli 5.14.2 asks for ^5.8.0; 5.15+/5.16 need node >= 24 -> pin via overrides
PRISM_HTTP_VERSION=5.12.0
PRISM_HTTP_SERVER_VERSION=5.12.2
CLI_CORE_VERSION=8.3.2          # engines node >= 20 (9.0.0 needs >= 22); we only take one JSON file from it
SPEC_MEMBER=package/src/services/twilio-api/twilio_video_v1.json
SPEC_SHA256=f3c1cd6b1b71eb3f0be94c3abf65ee95100a0360e18fb62c8abef6954bde5041
INSIGHTS_MEMBER=package/src/services/twilio-api/twilio_insights_v1.json
INSIGHTS_SHA256=bacea4951cd418b68b608a945155dd7df0553e6196cb76d30b37ccc1e608a58b
MIN_NODE=18.20.1

die() { echo "setup_prism.sh: ERROR: $*" >&2; exit 1; }
log() { echo "setup_prism.sh: $*" >&2; }

[ $# -ge 1 ] && [ -n "$1" ] || die "usage: $0 CACHE_DIR [--check]"
CHECK=0
[ "${2:-}" = "--check" ] && CHECK=1

command -v node >/dev/null || die "node not found on PATH"
command -v npm  >/dev/null || die "npm not found on PATH"
NODE_V=$(node -p 'process.versions.node')
node -e '
  const [a,b]=[process.argv[1],process.argv[2]].map(v=>v.split(".").map(Number));
  for (let i=0;i<3;i++){ if(a[i]>b[i]) process.exit(0); if(a[i]<b[i]) process.exit(1); } process.exit(0);
' "$NODE_V" "$MIN_NODE" || die "node $NODE_V too old; prism-cli $PRISM_VERSION needs >= $MIN_NODE"

mkdir -p "$1" || die "cannot create $1"
CACHE=$(cd "$1" && pwd)
PRISM_JS="$CACHE/node_modules/@stoplight/prism-cli/dist/index.js"
SPEC_DIR="$CACHE/spec/cli-core-$CLI_CORE_VERSION"
PRISM_SPEC="$SPEC_DIR/twilio_video_v1.json"
PRISM_INSIGHTS_SPEC="$SPEC_DIR/twilio_insights_v1.json"

exec 9>"$CACHE/.lock"
flock 9

pkg_version() { # prints version of an installed package or nothing
  local pj="$CACHE/node_modules/$1/package.json"
  [ -f "$pj" ] && node -p "require(process.argv[1]).version" "$pj" 2>/dev/null || true
}

prism_ok() {
  [ -f "$PRISM_JS" ] &&
  [ "$(pkg_version @stoplight/prism-cli)" = "$PRISM_VERSION" ] &&
  [ "$(pkg_version @stoplight/prism-core)" = "$PRISM_CORE_VERSION" ] &&
  [ "$(pkg_version @stoplight/prism-http)" = "$PRISM_HTTP_VERSION" ] &&
  [ "$(pkg_version @stoplight/prism-http-server)" = "$PRISM_HTTP_SERVER_VERSION" ]
}

sha_ok() { # FILE SHA256
  [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]
}

spec_ok() {
  sha_ok "$PRISM_SPEC" "$SPEC_SHA256" && sha_ok "$PRISM_INSIGHTS_SPEC" "$INSIGHTS_SHA256"
}

# ---- 1. Prism -------------------------------------------------------------
if prism_ok; then
  log "prism-cli $PRISM_VERSION already installed in $CACHE (skipping npm install)"
else
  log "installing @stoplight/prism-cli@$PRISM_VERSION into $CACHE ..."
  cat > "$CACHE/package.json" <<EOF
{
  "name": "vtctl-prism-cache",
  "private": true,
  "dependencies": {
    "@stoplight/prism-cli": "$PRISM_VERSION"
  },
  "overrides": {
    "@stoplight/prism-core": "$PRISM_CORE_VERSION",
    "@stoplight/prism-http": "$PRISM_HTTP_VERSION",
    "@stoplight/prism-http-server": "$PRISM_HTTP_SERVER_VERSION"
  }
}
EOF
  t0=$(date +%s)
  if ! npm install --prefix "$CACHE" --no-audit --no-fund --ignore-scripts \
         --loglevel=error >"$CACHE/npm-install.log" 2>&1; then
    cat "$CACHE/npm-install.log" >&2
    die "npm install of @stoplight/prism-cli@$PRISM_VERSION failed (is the npm registry reachable? log: $CACHE/npm-install.log)"
  fi
  prism_ok || { cat "$CACHE/npm-install.log" >&2; die "npm install finished but pinned prism versions are not in $CACHE/node_modules"; }
  log "prism installed in $(( $(date +%s) - t0 ))s"
fi

# ---- 2. Twilio Video v1 and Insights v1 specs (two files out of the cli-core tarball)
if spec_ok; then
  log "specs already present: $PRISM_SPEC $PRISM_INSIGHTS_SPEC"
else
  log "fetching twilio_video_v1.json and twilio_insights_v1.json from @twilio/cli-core@$CLI_CORE_VERSION (npm pack, no install) ..."
  TMP=$(mktemp -d "$CACHE/.pack.XXXXXX")
  trap 'rm -rf "$TMP"' EXIT
  if ! TGZ=$(cd "$TMP" && npm pack "@twilio/cli-core@$CLI_CORE_VERSION" --pack-destination "$TMP" \
               --silent --loglevel=error 2>"$TMP/npm-pack.err"); then
    cat "$TMP/npm-pack.err" >&2
    die "npm pack @twilio/cli-core@$CLI_CORE_VERSION failed (is the npm registry reachable?)"
  fi
  TGZ=$(echo "$TGZ" | tail -n1)
  [ -f "$TMP/$TGZ" ] || die "npm pack did not produce a tarball (got '$TGZ')"
  tar -xzf "$TMP/$TGZ" -C "$TMP" "$SPEC_MEMBER" "$INSIGHTS_MEMBER" \
    || die "$SPEC_MEMBER or $INSIGHTS_MEMBER not found in $TGZ"
  got=$(sha256sum "$TMP/$SPEC_MEMBER" | cut -d' ' -f1)
  [ "$got" = "$SPEC_SHA256" ] || die "twilio_video_v1.json sha256 mismatch: got $got, want $SPEC_SHA256"
  got=$(sha256sum "$TMP/$INSIGHTS_MEMBER" | cut -d' ' -f1)
  [ "$got" = "$INSIGHTS_SHA256" ] || die "twilio_insights_v1.json sha256 mismatch: got $got, want $INSIGHTS_SHA256"
  mkdir -p "$SPEC_DIR"
  mv "$TMP/$SPEC_MEMBER" "$PRISM_SPEC"
  mv "$TMP/$INSIGHTS_MEMBER" "$PRISM_INSIGHTS_SPEC"
  rm -rf "$TMP"; trap - EXIT
  log "specs extracted to $SPEC_DIR"
fi

# ---- 3. optional smoke test ------------------------------------------------
if [ "$CHECK" = 1 ]; then
  PORT=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();})')
  PLOG=$(mktemp)
  node "$PRISM_JS" mock -h 127.0.0.1 -p "$PORT" "$PRISM_SPEC" >"$PLOG" 2>&1 &
  PPID_=$!
  t0=$(date +%s%N); ready=0
  for _ in $(seq 1 300); do            # up to 30 s
    if grep -q "Prism is listening on http://127.0.0.1:$PORT" "$PLOG"; then ready=1; break; fi
    kill -0 "$PPID_" 2>/dev/null || break
    sleep 0.1
  done
  if [ "$ready" != 1 ]; then kill "$PPID_" 2>/dev/null || true; cat "$PLOG" >&2; rm -f "$PLOG"; die "prism did not become ready"; fi
  log "prism ready on 127.0.0.1:$PORT after $(( ($(date +%s%N) - t0) / 1000000 )) ms"
  code=$(curl -s -o /dev/null -w '%{http_code}' -u SKxxx:secret "http://127.0.0.1:$PORT/v1/Rooms?Status=in-progress&PageSize=50" || true)
  kill "$PPID_" 2>/dev/null || true; wait "$PPID_" 2>/dev/null || true
  if [ "$code" != 200 ] || grep -q "Request did not pass the validation rules" "$PLOG"; then
    cat "$PLOG" >&2; rm -f "$PLOG"; die "smoke request failed (HTTP $code)"
  fi
  rm -f "$PLOG"
  log "smoke test OK (GET /v1/Rooms -> 200, no validation errors)"
fi

echo "PRISM_JS=$PRISM_JS"
echo "PRISM_SPEC=$PRISM_SPEC"
echo "PRISM_INSIGHTS_SPEC=$PRISM_INSIGHTS_SPEC"
