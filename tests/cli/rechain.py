#!/usr/bin/env python3
"""A tamperer's tool for the tamper tests (tests/cli/audit_tamper_test.sh): rewrites one case's event
chain *consistently* — every hash recomputed with the scheme of engine/store/event_hash.cpp and the
case row's head (event_count, event_head) updated — so that only replay or a checkpoint can tell.

  rechain.py EVENTS.json [--set SEQ FIELD VALUE]... [--delete SEQ]... [--truncate N] [--append JSON]
                         [--renumber] [--hash sha256|sm3]

EVENTS.json: the case's events as a JSON array of objects (the events table's columns). Prints the
SQL that replaces the case's events and head. --delete renumbers the events after it. --hash: the
database's audit hash (settings.audit_hash; default sha256).
"""
import hashlib
import json
import sys

GENESIS = "0" * 64
FIELDS = ["case_id", "seq", "actor", "role", "action", "from_stage", "to_stage", "note", "at", "payload", "prev_hash"]


def canonical(e):
    vals = {
        "case_id": str(e["case_id"]), "seq": str(e["seq"]), "actor": e["actor"], "role": e["role"],
        "action": e["action"], "from_stage": e["from_stage"], "to_stage": e["to_stage"], "note": e["note"],
        "at": e["occurred_at"], "payload": e["payload_json"], "prev_hash": e["prev_hash"],
    }
    out = b"subsidy.event.v1\n"
    for name in FIELDS:
        v = vals[name].encode("utf-8")
        out += name.encode() + b":" + str(len(v)).encode() + b":" + v + b"\n"
    return out


def q(v):
    if isinstance(v, int):
        return str(v)
    return "'" + str(v).replace("'", "''") + "'"


def main(argv):
    events = json.load(open(argv[1], encoding="utf-8"))
    events.sort(key=lambda e: e["seq"])
    case_id = events[0]["case_id"]
    algorithm = "sha256"
    i = 2
    while i < len(argv):
        a = argv[i]
        if a == "--set":
            seq, field, value = int(argv[i + 1]), argv[i + 2], argv[i + 3]
            for e in events:
                if e["seq"] == seq:
                    e[field] = int(value) if field in ("seq", "case_id") else value
            i += 4
        elif a == "--delete":
            seq = int(argv[i + 1])
            events = [e for e in events if e["seq"] != seq]
            i += 2
        elif a == "--truncate":
            events = events[: int(argv[i + 1])]
            i += 2
        elif a == "--append":
            e = dict(events[-1])
            e.update(json.loads(argv[i + 1]))
            events.append(e)
            i += 2
        elif a == "--hash":
            algorithm = argv[i + 1]
            i += 2
        else:
            sys.exit("rechain.py: unknown option " + a)
    prev = GENESIS
    for n, e in enumerate(events, start=1):
        e["seq"] = n
        e["case_id"] = case_id
        e["prev_hash"] = prev
        e["hash"] = hashlib.new(algorithm, canonical(e)).hexdigest()
        prev = e["hash"]
    cols = ["case_id", "seq", "actor", "role", "action", "from_stage", "to_stage", "note", "occurred_at", "payload_json",
            "prev_hash", "hash"]
    print(f"DELETE FROM events WHERE case_id = {case_id};")
    for e in events:
        print("INSERT INTO events (" + ", ".join(cols) + ") VALUES (" + ", ".join(q(e[c]) for c in cols) + ");")
    print(f"UPDATE cases SET event_count = {len(events)}, event_head = {q(prev)} WHERE id = {case_id};")


if __name__ == "__main__":
    main(sys.argv)
