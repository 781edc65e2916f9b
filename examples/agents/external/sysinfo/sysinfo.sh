#!/bin/sh
# sysinfo: an external Cohort agent in POSIX sh (docs/external-agents.md).
#
# The node runs  sysinfo.sh <request file> <reply file> <protocol>  in a private
# temporary directory and reads {"statuscode", "statusmsg", "data"} back from
# the reply file. No jq needed: the DDL restricts `message` to characters that
# need no JSON escaping, and the node has validated it before this runs.
set -eu

request=$1
reply=$2
protocol=$3

case "$protocol" in
  cohort.external.v1.activation_request)
    # Only where /proc exists (Linux); otherwise say why the agent is not loaded.
    if [ -r /proc/uptime ] && [ -r /proc/loadavg ]; then
      printf '{"activate": true}\n' > "$reply"
    else
      printf '{"activate": false, "reason": "no /proc/uptime or /proc/loadavg on this node"}\n' > "$reply"
    fi
    exit 0
    ;;
  cohort.external.v1.rpc_request) ;;
  *)
    echo "unknown protocol $protocol" >&2
    exit 1
    ;;
esac

# A string field of the request: "name":"value" (values here never hold quotes).
field() {
  sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p" "$request"
}

action=$(field action)
echo "serving $action for $(field caller)"   # logged by the node at info

case "$action" in
  uptime)
    seconds=$(cut -d' ' -f1 /proc/uptime | cut -d. -f1)
    load1=$(cut -d' ' -f1 /proc/loadavg)
    printf '{"statuscode": 0, "statusmsg": "OK", "data": {"seconds": %s, "load1": "%s"}}\n' "$seconds" "$load1" > "$reply"
    ;;
  echo)
    message=$(field message)
    printf '{"statuscode": 0, "statusmsg": "OK", "data": {"message": "%s", "length": %s}}\n' "$message" "${#message}" > "$reply"
    ;;
  *)
    printf '{"statuscode": 2, "statusmsg": "unknown action %s"}\n' "$action" > "$reply"
    ;;
esac
