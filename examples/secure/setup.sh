#!/bin/sh
# Generates everything a secured Cohort installation needs, into one directory:
#
#   tls/        a throwaway CA, the NATS server certificate (127.0.0.1, localhost)
#               and client certificates for cohortd, admin, web, handlers and the operators (openssl)
#   keys/       the Cohort issuer key, the operator's signing key + certificate
#   nodes/      (empty) node keys are created here by cohortd on first start
#   policies/   actionpolicy files: rpcutil open to every trusted caller, echo
#               for the operator only, everything else denied
#   nats-server.conf   TLS with client certificates required + users with
#                      passwords and subject permissions
#   server.yaml        cohortd config (signed mode, issuer trust, policies, audit)
#   client.yaml        cohort config (signing key, TLS, credentials, reply checks)
#   admin.yaml         cohort as the NATS admin, for cohort bus init only
#   web.yaml, web-client.yaml   cohort web as NATS user web (console users: the operators)
#   handlers-client.yaml        cohort handlers run as NATS user handlers
#
# Usage: examples/secure/setup.sh [DIR]        (default: ./cohort-secure)
# Then:  nats-server -c DIR/nats-server.conf
#        cohortd --config DIR/server.yaml --identity web1
#        COHORT_CONFIG=DIR/client.yaml cohort ping
#
# Everything here is for trying things out: the CA key sits next to the
# certificates and the passwords are in the files. See docs/security.md for a
# real rollout (issuer key offline, one signing key per operator).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${1:-./cohort-secure}
port=${COHORT_SECURE_PORT:-4222}
mkdir -p "$out"
out=$(cd "$out" && pwd)
cohort="node $repo/packages/cli/bin/cohort.cjs"
umask 077
mkdir -p "$out/tls" "$out/keys" "$out/nodes" "$out/policies"

command -v openssl >/dev/null 2>&1 || { echo "setup.sh: openssl is needed (Debian: apt-get install -y openssl)" >&2; exit 1; }

# --- TLS: CA, server and client certificates (EC P-256) ----------------------
tls=$out/tls
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 365 \
  -subj "/CN=Cohort example CA" -keyout "$tls/ca-key.pem" -out "$tls/ca.pem" 2>/dev/null

cert() { # name, subject, extensions
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "$2" \
    -keyout "$tls/$1-key.pem" -out "$tls/$1.csr" 2>/dev/null
  printf '%s\n' "$3" > "$tls/$1.ext"
  openssl x509 -req -in "$tls/$1.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca-key.pem" -CAcreateserial \
    -days 365 -extfile "$tls/$1.ext" -out "$tls/$1.pem" 2>/dev/null
  rm -f "$tls/$1.csr" "$tls/$1.ext"
}
cert server "/CN=nats-server" "subjectAltName=IP:127.0.0.1,DNS:localhost
extendedKeyUsage=serverAuth"
operators=${COHORT_SECURE_OPERATORS:-operator}
for who in cohortd admin web handlers $operators; do cert "$who" "/CN=$who" "extendedKeyUsage=clientAuth"; done

# --- NATS users: least privilege ------------------------------------------------
# Nobody but the admin may create, change, purge or delete streams; each operator
# reads only its own replies, inboxes and jobs (everything under md5(callerid)).
pw() { openssl rand -hex 16; }
md5of() { printf '%s' "$1" | openssl dgst -md5 -r | cut -d' ' -f1; }
cohortd_pw=$(pw)
admin_pw=$(pw)
web_pw=$(pw)
handlers_pw=$(pw)
# Stream and bucket names come from @cohort/core (the helpers cohortd and cohort use; collective cohort):
# <name>_b is a bucket (its subjects are $KV.<bucket>.<key> or $O.<bucket>.>), <name> its stream.
[ -f "$repo/packages/core/dist/index.js" ] || { echo "setup.sh: build the repository first (pnpm build)" >&2; exit 1; }
eval "$(node -e '
import(process.argv[1]).then((c) => {
  const k = "cohort";
  const names = {
    registry_b: c.registryBucket(k), jobs: c.jobStreamName(k), checks_b: c.checksBucket(k), checkdefs_b: c.checkDefinitionsBucket(k),
    events: c.checkEventsStream(k), mine_b: c.mineBucket(k), webjobs_b: c.defaultWebJobsBucket, web_inbox: c.callerInboxPrefix("user=web"),
    handlers_inbox: c.serviceInboxPrefix("handlers"), minedefs_b: c.mineDefinitionsBucket(k), kv_b: c.defaultKvBucket(k),
    packs_b: c.pluginObjectsBucket(k), manifests_b: c.pluginManifestsBucket(k), rollout_b: c.pluginRolloutBucket(k),
  };
  for (const [n, v] of Object.entries(names)) console.log(`${n}=${v}`);
});' "$repo/packages/core/dist/index.js")"
registry=KV_$registry_b checks=KV_$checks_b checkdefs=KV_$checkdefs_b mine=KV_$mine_b minedefs=KV_$minedefs_b kvs=KV_$kv_b
packs=OBJ_$packs_b manifests=KV_$manifests_b rollout=KV_$rollout_b webjobs=KV_$webjobs_b
# The event handlers service (examples/handlers.yaml): its durable consumer and its own two buckets.
handlers_consumer=cohort-handlers handlers_b=cohort_handlers_cohort
api='$JS.API'
# Reading a bucket: its info, direct and stored-message gets, watches (consumers, flow control).
# Reading an object (a plugin pack) also looks its stream up by subject: $JS.API.STREAM.NAMES (names only).
reads() { # stream
  printf '"%s", ' "$api.STREAM.INFO.$1" "$api.DIRECT.GET.$1.>" "$api.STREAM.MSG.GET.$1" "$api.CONSUMER.CREATE.$1" "$api.CONSUMER.CREATE.$1.>" \
    "$api.CONSUMER.DELETE.$1.>" "\$JS.FC.$1.>" | sed 's/, $//'
}

operator_user() { # name password
  h=$(md5of "user=$1")
  cat <<USER
    # $1 (caller id user=$1, md5 $h): send requests; read only its own replies (cohort.reply.$h),
    # inboxes (_INBOX.$h) and async jobs; read the registry, the check states and events; write fleet-wide
    # check definitions (signed; nodes verify and authorize them). No stream administration.
    # The mine: read the values (cohort mine get/ls/export), read and write fleet-wide definitions
    # (cohort mine define/undefine: signed, nodes verify and authorize them). The key-value store: read and
    # write the collective's bucket $kv_b (cohort kv; other buckets need grants of their own).
    # Plugins: push (packs and signed manifests; nodes install only what a trusted, authorized signer pushed),
    # list and roll back; read the rollout slots (nodes take and give them back).
    { user: $1, password: "$2",
      permissions: {
        publish: ["cohort.broadcast.agent.>", "cohort.node.>", "cohort.reply.$h.job.>",
                  "$api.INFO", "$api.STREAM.INFO.$jobs", "$api.STREAM.INFO.$registry",
                  "$api.CONSUMER.CREATE.$jobs.*.cohort.reply.$h.>",
                  "$api.CONSUMER.CREATE.$registry.*.\$KV.$registry_b.>",
                  "$api.CONSUMER.MSG.NEXT.$jobs.*", "$api.CONSUMER.DELETE.$jobs.*", "$api.CONSUMER.DELETE.$registry.*",
                  "\$JS.FC.$registry.>",
                  "$api.STREAM.INFO.$checks", "$api.CONSUMER.CREATE.$checks.>", "$api.CONSUMER.DELETE.$checks.>", "$api.DIRECT.GET.$checks.>", "$api.STREAM.MSG.GET.$checks", "\$JS.FC.$checks.>",
                  "$api.STREAM.INFO.$events", "$api.CONSUMER.CREATE.$events.>", "$api.CONSUMER.DELETE.$events.>", "$api.CONSUMER.MSG.NEXT.$events.>", "\$JS.FC.$events.>",
                  "$api.STREAM.INFO.$checkdefs", "\$KV.$checkdefs_b.>",
                  $(reads "$mine"),
                  $(reads "$minedefs"), "\$KV.$minedefs_b.>",
                  $(reads "$kvs"), "\$KV.$kv_b.>",
                  $(reads "$packs"), "\$O.$packs_b.>", "$api.STREAM.NAMES",
                  $(reads "$manifests"), "\$KV.$manifests_b.>",
                  $(reads "$rollout")]
        subscribe: ["cohort.reply.$h.>", "cohort.lifecycle.>", "_INBOX.$h.>"] } }
USER
}

# The long-running services: the subjects each was seen to use (nats-server -V) running against this
# setup, nothing more. Watching a bucket or stream: its info, an ordered consumer (created, deleted when
# the watch ends or restarts) and flow control of its deliveries.
watches() { # stream
  printf '"%s", ' "$api.STREAM.INFO.$1" "$api.CONSUMER.CREATE.$1.>" "$api.CONSUMER.DELETE.$1.>" "\$JS.FC.$1.>" | sed 's/, $//'
}

web_user() { # the console's users are the operators: each runs requests signed with its own key
  replies=""
  for who in $operators; do replies="$replies\"cohort.reply.$(md5of "user=$who").>\", "; done
  cat <<USER
    # The web console (cohort web --config web.yaml; docs/web.md), for console users named like the
    # operators ($operators) and signing with their keys: sends their requests (to each node found in the
    # registry; broadcast discovery only when the registry cannot answer) and reads their replies
    # (cohort.reply.md5(callerid)); its own inbox ($web_inbox: callerid user=web in web-client.yaml).
    # Watches the registry, the check states and the mine values; follows the check events (a pull
    # consumer); keeps its job history in $webjobs_b (list, read, write). Nothing else: no other writes,
    # no stream administration.
    { user: web, password: "$web_pw",
      permissions: {
        publish: ["cohort.broadcast.agent.>", "cohort.node.>", "$api.INFO",
                  $(watches "$registry"), $(watches "$checks"), $(watches "$mine"),
                  $(watches "$events"), "$api.CONSUMER.MSG.NEXT.$events.>",
                  "$api.STREAM.INFO.$webjobs", "$api.CONSUMER.CREATE.$webjobs", "\$JS.FC.$webjobs.>", "$api.DIRECT.GET.$webjobs.>",
                  "\$KV.$webjobs_b.>"]
        subscribe: [$replies"$web_inbox.>"] } }
USER
}

handlers_user() {
  ev="$api.CONSUMER"
  cat <<USER
    # The event handlers service (cohort handlers run --config handlers.yaml; docs/handlers.md) with
    # consumer $handlers_consumer and bucket $handlers_b, as in examples/handlers.yaml: its durable consumer
    # on the check events (info, create or update it, pull, ack); its own two buckets, which it creates
    # ($handlers_b lists its keys at start; ${handlers_b}_delivery), and its own inbox ($handlers_inbox).
    # Never publishes events (so it cannot forge one), never sends requests, no other stream.
    { user: handlers, password: "$handlers_pw",
      permissions: {
        publish: ["$api.INFO", "$api.STREAM.INFO.$events",
                  "$ev.INFO.$events.$handlers_consumer", "$ev.CREATE.$events.$handlers_consumer.>",
                  "$ev.MSG.NEXT.$events.$handlers_consumer", "\$JS.ACK.$events.$handlers_consumer.>",
                  "$api.STREAM.INFO.KV_$handlers_b", "$api.STREAM.CREATE.KV_$handlers_b", "$api.DIRECT.GET.KV_$handlers_b.>",
                  "$api.CONSUMER.CREATE.KV_$handlers_b", "\$JS.FC.KV_$handlers_b.>", "\$KV.$handlers_b.>",
                  "$api.STREAM.INFO.KV_${handlers_b}_delivery", "$api.STREAM.CREATE.KV_${handlers_b}_delivery",
                  "$api.DIRECT.GET.KV_${handlers_b}_delivery.>", "\$KV.${handlers_b}_delivery.>"]
        subscribe: ["$handlers_inbox.>"] } }
USER
}

{
cat <<CONF
# Generated by examples/secure/setup.sh
listen: 127.0.0.1:$port
jetstream { store_dir: "$out/jetstream" }   # the registry, jobs, checks, mine, key-value store and plugins live here
tls {
  cert_file: "$tls/server.pem"
  key_file: "$tls/server-key.pem"
  ca_file: "$tls/ca.pem"
  verify: true          # every client must present a certificate signed by the CA
  timeout: 2
}
authorization {
  users = [
    # Nodes: take requests, reply (cohortd itself replies only on the caller's reply subject), lifecycle
    # events, their registry record in the existing bucket (and watch it, to rewrite it when someone else
    # replaced it); their check states (write, and read back their own after a restart), check events
    # into the existing events stream, and watch the fleet-wide check definitions (read only);
    # their mine values (write only) and the fleet-wide mine definitions (read only); pushed plugins
    # (read the manifests and packs; take and give back rollout slots); the key-value store and the
    # registry for templates (read only; services travel in the registry record);
    # never send requests, never administer streams.
    { user: cohortd, password: "$cohortd_pw",
      permissions: {
        publish: ["cohort.reply.>", "cohort.lifecycle.>", "\$KV.$registry_b.>", "$api.INFO", "$api.STREAM.INFO.$registry",
                  "\$KV.$checks_b.>", "$api.STREAM.INFO.$checks", "$api.DIRECT.GET.$checks.>", "$api.STREAM.MSG.GET.$checks",
                  "cohort.check-event.>", "$api.STREAM.INFO.$events",
                  "$api.STREAM.INFO.$checkdefs", "$api.CONSUMER.CREATE.$checkdefs.>", "$api.CONSUMER.DELETE.$checkdefs.>", "\$JS.FC.$checkdefs.>",
                  "\$KV.$mine_b.>", "$api.STREAM.INFO.$mine",
                  $(reads "$minedefs"),
                  $(reads "$manifests"),
                  $(reads "$packs"), "$api.STREAM.NAMES",
                  $(reads "$rollout"), "\$KV.$rollout_b.>",
                  $(reads "$kvs"),
                  "$api.CONSUMER.CREATE.$registry.>", "$api.CONSUMER.DELETE.$registry.>", "\$JS.FC.$registry.>"]
        subscribe: ["cohort.broadcast.agent.>", "cohort.node.>", "_INBOX.node.>", "\$KV.$registry_b.>"] } }
    # The administrator: creates every stream and bucket of the collective once (cohort bus init --config
    # admin.yaml: the registry, jobs, checks, mine, key-value store, plugins and web console buckets).
    { user: admin, password: "$admin_pw",
      permissions: { publish: ["$api.>"], subscribe: ["_INBOX.>"] } }
CONF
for who in $operators; do
  eval "${who}_pw=\$(pw)"
  eval "operator_user \"\$who\" \"\$${who}_pw\""
done
web_user
handlers_user
cat <<CONF
  ]
}
CONF
} > "$out/nats-server.conf"

# --- Cohort keys: the issuer, and each operator certified by it -----------------
$cohort keys generate issuer --dir "$out/keys" --force >/dev/null
for who in $operators; do
  $cohort keys generate "$who" --dir "$out/keys" --force >/dev/null
  $cohort keys sign --issuer "$out/keys/issuer.key" --caller "user=$who" --days 30 "$out/keys/$who.pub" >/dev/null
done

# --- Authorization policies ------------------------------------------------------
printf 'policy default allow\n' > "$out/policies/rpcutil.policy"
printf 'policy default deny\nallow\tuser=operator\techo\t*\t*\n' > "$out/policies/echo.policy"

# --- cohortd and cohort configuration --------------------------------------------
cat > "$out/server.yaml" <<YAML
# Generated by examples/secure/setup.sh: cohortd in signed mode.
# Run one node per identity: cohortd --config $out/server.yaml --identity web1
nats:
  servers: [tls://127.0.0.1:$port]
  tls: { ca: $tls/ca.pem, cert: $tls/cohortd.pem, key: $tls/cohortd-key.pem }
  user: cohortd
  password: $cohortd_pw
plugin_dirs: [$repo/examples/agents/echo]
security:
  mode: signed
  issuers: [$out/keys/issuer.pub]
  node_key: $out/nodes/node.key        # created on first start; certify it with cohort keys sign --node
  policy_dir: $out/policies
  default_policy: deny
  audit_file: $out/audit.log
YAML

client_yaml() { # operator name, file
  eval "pass=\$$1_pw"
  cat > "$2" <<YAML
# Generated by examples/secure/setup.sh: the cohort configuration of user=$1.
nats:
  servers: [tls://127.0.0.1:$port]
  tls: { ca: $tls/ca.pem, cert: $tls/$1.pem, key: $tls/$1-key.pem }
  user: $1
  password: $pass
key: $out/keys/$1.key            # $1.cert beside it: callerid user=$1
issuers: [$out/keys/issuer.pub]        # node certificates from this issuer verify (--verify-replies)
ddl_dirs: [$repo/examples/agents/echo]
YAML
}
for who in $operators; do
  if [ "$who" = operator ]; then client_yaml "$who" "$out/client.yaml"; else client_yaml "$who" "$out/client-$who.yaml"; fi
done

cat > "$out/admin.yaml" <<YAML
# Generated by examples/secure/setup.sh: the NATS administrator, for cohort bus init only.
nats:
  servers: [tls://127.0.0.1:$port]
  tls: { ca: $tls/ca.pem, cert: $tls/admin.pem, key: $tls/admin-key.pem }
  user: admin
  password: $admin_pw
YAML

cat > "$out/web-client.yaml" <<YAML
# Generated by examples/secure/setup.sh: the NATS side of the web console (client_config in web.yaml).
# Its console users sign with their own keys (cohort web useradd NAME --key ...); callerid names its own inbox.
nats:
  servers: [tls://127.0.0.1:$port]
  tls: { ca: $tls/ca.pem, cert: $tls/web.pem, key: $tls/web-key.pem }
  user: web
  password: $web_pw
callerid: user=web
issuers: [$out/keys/issuer.pub]        # the console shows only verified registry records
ddl_dirs: [$repo/examples/agents/echo]
YAML
cat > "$out/web.yaml" <<YAML
# Generated by examples/secure/setup.sh: cohort web --config $out/web.yaml (docs/web.md).
# Add the console users first: cohort web useradd operator --role admin --key $out/keys/operator.key --config $out/web.yaml
listen: 127.0.0.1:8080
client_config: $out/web-client.yaml
YAML
cat > "$out/handlers-client.yaml" <<YAML
# Generated by examples/secure/setup.sh: the NATS side of the event handlers service:
#   cohort handlers run --config handlers.yaml --client-config $out/handlers-client.yaml
# handlers.yaml as examples/handlers.yaml (consumer $handlers_consumer, bucket $handlers_b: the NATS user may use no others).
nats:
  servers: [tls://127.0.0.1:$port]
  tls: { ca: $tls/ca.pem, cert: $tls/handlers.pem, key: $tls/handlers-key.pem }
  user: handlers
  password: $handlers_pw
YAML

echo "Secured Cohort setup written to $out"
echo "  nats-server -c $out/nats-server.conf"
echo "  COHORT_CONFIG=$out/admin.yaml cohort bus init      # once: every stream and bucket of the collective"
echo "  cohortd --config $out/server.yaml --identity web1"
echo "  COHORT_CONFIG=$out/client.yaml cohort ping"
echo "  cohort web --config $out/web.yaml           # after cohort web useradd (see web.yaml)"
echo "  cohort handlers run --config handlers.yaml --client-config $out/handlers-client.yaml"
