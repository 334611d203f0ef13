#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""ktap.py - check a KTAP log and count its cases.

    ktap.py LABEL LOGFILE [EXIT_STATUS]

Counts every leaf case (the indented "ok"/"not ok" lines of each suite).
A case a plan announced but that never reported (crash, hang, panic) is
counted as failed, and so is a suite missing from the top-level plan.
A non-zero EXIT_STATUS with no failed case counts as one failure.
Prints "LABEL: N passed, N failed" and, on the last line,
"COUNTS <passed> <failed>" for the caller to add up.
"""
import re
import sys

label, path = sys.argv[1], sys.argv[2]
status = int(sys.argv[3]) if len(sys.argv) > 3 else 0

try:
    lines = open(path, errors="replace").read().splitlines()
except OSError as e:
    lines = []
    print(f"{label}: cannot read {path}: {e}")

top_plan = None
suites = []            # [name, plan, passed, failed, closed]
cur = None
problems = []
res_re = re.compile(r"^(\s*)(not ok|ok) (\d+)\s*(.*)$")
plan_re = re.compile(r"^(\s*)1\.\.(\d+)\s*$")
sub_re = re.compile(r"^\s+# Subtest: (.*)$")

started = False
for ln in lines:
    ln = ln.rstrip("\r")
    if ln.strip() == "KTAP version 1" and not ln.startswith(" "):
        started = True
        top_plan = None
        suites = []
        cur = None
        continue
    if not started:
        continue
    m = sub_re.match(ln)
    if m:
        cur = [m.group(1), None, 0, 0, False]
        suites.append(cur)
        continue
    m = plan_re.match(ln)
    if m:
        if m.group(1) == "":
            top_plan = int(m.group(2))
        elif cur is not None:
            cur[1] = int(m.group(2))
        continue
    m = res_re.match(ln)
    if m:
        indent, ok = m.group(1), m.group(2) == "ok"
        if indent and cur is not None:
            if ok:
                cur[2] += 1
            else:
                cur[3] += 1
                problems.append(f"{cur[0]}: {m.group(4)}")
        elif not indent and cur is not None:
            cur[4] = True

passed = failed = 0
for name, plan, p, f, closed in suites:
    passed += p
    failed += f
    if plan is not None and p + f < plan:
        failed += plan - (p + f)
        problems.append(f"{name}: {plan - (p + f)} case(s) never reported")
    elif plan is None:
        failed += 1
        problems.append(f"{name}: no plan")
if not started:
    failed += 1
    problems.append("no KTAP output")
elif top_plan is None:
    failed += 1
    problems.append("no top-level plan")
elif len(suites) < top_plan:
    failed += top_plan - len(suites)
    problems.append(f"{top_plan - len(suites)} suite(s) never started")
if status != 0 and failed == 0:
    failed += 1
    problems.append(f"exit status {status} with no failed case")

for p in problems:
    print(f"{label}: FAIL {p}")
if problems:
    print(f"{label}: last lines of output:")
    for ln in lines[-15:]:
        print(f"    | {ln}")
print(f"{label}: {passed} passed, {failed} failed")
print(f"COUNTS {passed} {failed}")
