#!/usr/bin/python3
"""textstat: an external Cohort agent in Python (docs/external-agents.md).

The node runs  textstat.py <request file> <reply file> <protocol>  in a private
temporary directory. This script reads the request, does the work and writes
{"statuscode", "statusmsg", "data"} to the reply file. Standard library only.
"""
import json
import os
import re
import sys


def reply(path, data=None, statuscode=0, statusmsg="OK"):
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"statuscode": statuscode, "statusmsg": statusmsg, "data": data or {}}, f)


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def activation(reply_file):
    # The agent's configuration (textstat.config.json beside this file, {} when none).
    config = load_json(os.environ["COHORT_EXTERNAL_CONFIG"])
    if config.get("enabled", True) is False:
        answer = {"activate": False, "reason": "disabled by enabled: false in textstat.config.json"}
    else:
        answer = {"activate": True}
    with open(reply_file, "w", encoding="utf-8") as f:
        json.dump(answer, f)


def count(data):
    text = data["text"]
    out = {"words": len(text.split()), "lines": len(text.splitlines()), "chars": len(text)}
    if data.get("pattern"):
        try:
            out["matches"] = len(re.findall(data["pattern"], text))
        except re.error as e:
            return None, (4, "pattern is not a valid regular expression: %s" % e)
    return out, None


def info(request):
    facts = load_json(os.environ["COHORT_EXTERNAL_FACTS"])
    return {
        "caller": request["caller"],
        "protocol": os.environ["COHORT_EXTERNAL_PROTOCOL"],
        "cwd": os.getcwd(),
        "environment": sorted(os.environ.keys()),
        "fact_names": sorted(facts.keys()),
        "request_mode": oct(os.stat(sys.argv[1]).st_mode & 0o777),
    }, None


def main():
    request_file, reply_file, protocol = sys.argv[1:4]
    if protocol == "cohort.external.v1.activation_request":
        return activation(reply_file)
    if protocol != "cohort.external.v1.rpc_request":
        print("unknown protocol %s" % protocol, file=sys.stderr)
        return 1
    request = load_json(request_file)
    print("serving %s for %s" % (request["action"], request["caller"]))  # logged by the node at info
    actions = {"count": lambda: count(request["data"]), "info": lambda: info(request)}
    action = actions.get(request["action"])
    if action is None:
        reply(reply_file, statuscode=2, statusmsg="unknown action %s" % request["action"])
        return 0
    data, failure = action()
    if failure:
        reply(reply_file, statuscode=failure[0], statusmsg=failure[1])
    else:
        reply(reply_file, data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
