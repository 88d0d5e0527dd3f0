#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Merge the guest's svm_bench JSON with the host's figures (host memcpy,
warm make check wall time), compute the ratios and print them with their
targets (docs/performance.md). Exits 1 when a target is missed.

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
    r["host_cpu"] = cpu

    for size in ("4k", "64k", "1m", "16m"):
        dev = g.get("copy%s_device_Bps" % size)
        r["copy%s_vs_host_memcpy" % size] = ratio(
            dev, h.get("host_memcpy%s_Bps" % size))
        r["copy%s_vs_guest_memcpy" % size] = ratio(
            dev, g.get("copy%s_guest_memcpy_Bps" % size))
    r["xlate16m_ats_vs_untranslated"] = ratio(
        g.get("xlate_16m_thp_ats_Bps"), g.get("xlate_16m_thp_untranslated_Bps"))
    faulted = g.get("fault16m_faulted_pages_per_job")
    for key in ("uring_qd64_vs_sync_noop", "uring_qd64_vs_async_qd64_noop",
                "scaling_2p_vs_1p_copy1m"):
        r.setdefault(key, None)

    with open(out_f, "w") as f:
        json.dump(r, f, indent=2, sort_keys=True)
        f.write("\n")

    alloc = g.get("pri_alloc")
    pg_limit = math.ceil(faulted / alloc) if faulted and alloc else None
    rows = [
        ("uring_qd64_vs_async_qd64_noop", ">= 1.0", lambda v: v >= 1.0),
        ("uring_qd64_vs_sync_noop", ">= 10", lambda v: v >= 10),
        ("async_qd64_vs_sync_noop", "(recorded)", None),
        ("copy16m_vs_host_memcpy", ">= 0.6", lambda v: v >= 0.6),
        ("copy16m_vs_guest_memcpy", ">= 2", lambda v: v >= 2),
        ("cold_vs_warm_copy16m", ">= 0.4", lambda v: v >= 0.4),
        ("page_groups_per_job_cold16m", "<= %s" % pg_limit,
         lambda v: pg_limit is not None and v <= pg_limit),
        ("ats_requests_per_page_warm", "<= 0.01", lambda v: v <= 0.01),
        ("atc_hit_rate_warm", ">= 0.99", lambda v: v >= 0.99),
        ("scaling_2p_vs_1p_copy1m", ">= 1.0", lambda v: v >= 1.0),
        ("scaling_4p_vs_1p_noop", ">= 2.5", lambda v: v >= 2.5),
        ("pri_roundtrip_us_p50", "(recorded)", None),
        ("pri_roundtrip_us_p99", "(recorded)", None),
        ("ats_roundtrip_us_p50", "(recorded)", None),
        ("pri_requests_per_s", "(recorded)", None),
        ("make_check_warm_s", "<= 75", lambda v: v <= 75),
    ]
    print("svmdemo bench: %s, commit %s, %s" % (r["date"], commit, r["host"]))
    print("%-30s %12s  %-22s %s" % ("ratio", "value", "target", ""))
    missed = []
    for key, target, ok in rows:
        v = r.get(key)
        good = None if ok is None else v is not None and ok(v)
        verdict = "" if good is None else "met" if good else "MISSED"
        shown = "%12s" % "n/a" if v is None else "%12.4g" % v
        print("%-30s %s  %-22s %s" % (key, shown, target, verdict))
        if good is False:
            missed.append(key)
    print("raw figures and ratios: %s" % out_f)
    if missed:
        print("bench-report: %d target(s) missed: %s (docs/performance.md "
              "says which ones a 2-CPU host bounds)" % (len(missed),
                                                         ", ".join(missed)))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
