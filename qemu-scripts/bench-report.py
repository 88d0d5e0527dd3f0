#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Merge the guest's svm_bench JSON with the host's figures (host memcpy,
warm make check wall time), compute the ratios of issue 6 and print them
with their targets.

  bench-report.py GUEST.json HOST.json MAKE_CHECK_SECONDS OUT.json
"""
import json
import math
import os
import platform
import subprocess
import sys
import time


def ratio(a, b):
    if a is None or b is None or not b:
        return None
    return a / b


def main():
    guest_f, host_f, check_s, out_f = sys.argv[1:5]
    with open(guest_f) as f:
        g = json.load(f)
    with open(host_f) as f:
        h = json.load(f)
    r = dict(g)
    r.update(h)
    try:
        r["make_check_warm_s"] = float(check_s)
    except ValueError:
        r["make_check_warm_s"] = None
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        commit = subprocess.run(["git", "-C", top, "describe", "--always",
                                 "--dirty"], capture_output=True, text=True,
                                check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    r["date"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    r["commit"] = commit
    r["host"] = "%s, %d CPUs, %s" % (cpu, os.cpu_count(), platform.release())

    for size in ("4k", "64k", "1m", "16m"):
        dev = g.get("copy%s_device_Bps" % size)
        r["copy%s_vs_host_memcpy" % size] = ratio(
            dev, h.get("host_memcpy%s_Bps" % size))
        r["copy%s_vs_guest_memcpy" % size] = ratio(
            dev, g.get("copy%s_guest_memcpy_Bps" % size))
    r["xlate16m_ats_vs_untranslated"] = ratio(
        g.get("xlate_16m_thp_ats_Bps"), g.get("xlate_16m_thp_untranslated_Bps"))
    faulted = g.get("fault16m_faulted_pages_per_job")
    r.setdefault("uring_qd64_vs_sync_noop", None)

    with open(out_f, "w") as f:
        json.dump(r, f, indent=2, sort_keys=True)
        f.write("\n")

    alloc = g.get("pri_alloc") or 512
    pg_limit = math.ceil(faulted / alloc) if faulted else None
    rows = [
        ("uring_qd64_vs_sync_noop", ">= 10", lambda v: v >= 10),
        ("async_qd64_vs_sync_noop", "(ioctl stand-in)", None),
        ("copy16m_vs_host_memcpy", ">= 0.5", lambda v: v >= 0.5),
        ("copy16m_vs_guest_memcpy", ">= 2", lambda v: v >= 2),
        ("cold_vs_warm_copy16m", ">= 0.25", lambda v: v >= 0.25),
        ("page_groups_per_job_cold16m", "<= %s" % pg_limit,
         lambda v: pg_limit is not None and v <= pg_limit),
        ("ats_requests_per_page_warm", "<= 0.01", lambda v: v <= 0.01),
        ("atc_hit_rate_warm", ">= 0.99", lambda v: v >= 0.99),
        ("scaling_4p_vs_1p_noop", ">= 2.5 (or explained)",
         lambda v: v >= 2.5),
        ("make_check_warm_s", "(recorded)", None),
    ]
    print("svmdemo bench: %s, commit %s, %s" % (r["date"], commit, r["host"]))
    print("%-30s %12s  %-22s %s" % ("ratio", "value", "target", ""))
    for key, target, ok in rows:
        v = r.get(key)
        if v is None:
            print("%-30s %12s  %-22s %s" % (key, "n/a", target, ""))
            continue
        verdict = "" if ok is None else ("met" if ok(v) else "MISSED")
        print("%-30s %12.4g  %-22s %s" % (key, v, target, verdict))
    print("raw figures and ratios: %s" % out_f)


if __name__ == "__main__":
    main()
