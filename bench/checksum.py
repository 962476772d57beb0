#!/usr/bin/env python3
"""Checksum of `subsidy evaluate` output in the figures of ../shared/bench/checksum.py.

subsidy writes exact money as integer 分 ("amount_fen", "total_fen"); the workload's figures are in
whole 元, so they are divided by 100 (exactly: every workload amount is a whole number of 元).
    python3 bench/checksum.py decisions.jsonl     (the full output or `--output summary`)
"""
import json
import sys

PROGRAMS = ["HT_RECOG", "RD_POST", "TECH_BUY", "STARTUP", "PLATFORM", "TALENT", "SERVICE", "BREEDING"]


def yuan(fen):
    if fen % 100:
        sys.exit("amount %d 分 is not a whole number of 元" % fen)
    return fen // 100


def main():
    n = total = capped = 0
    elig = dict.fromkeys(PROGRAMS, 0)
    amt = dict.fromkeys(PROGRAMS, 0)
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            if "error" in d:
                sys.exit("error record at line %s: %s" % (d.get("line"), d["error"]))
            n += 1
            total += yuan(d["total_fen"])
            capped += d["capped"] is True
            for p in PROGRAMS:
                r = d["programs"][p]
                if r["outcome"] == "eligible":  # full and --output summary lines alike
                    elig[p] += 1
                    amt[p] += yuan(r["amount_fen"])
    print("n=%d sum_total=%d capped=%d eligible[%s] amounts[%s]" % (
        n, total, capped,
        " ".join("%s=%d" % (p, elig[p]) for p in PROGRAMS),
        " ".join("%s=%d" % (p, amt[p]) for p in PROGRAMS)))


if __name__ == "__main__":
    main()
