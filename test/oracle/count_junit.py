"""Independent count of JUnit XML files for test/gates/junit-corpus.test.ts.

    /usr/bin/python3 test/oracle/count_junit.py FILE... > counts.json

Uses only xml.etree (expat), none of the TypeScript reader. Rules, per <testcase> anywhere under
the root: a <failure> child makes it failed; else an <error> child errored; else a <skipped>
child, or status/result attribute meaning "not run" (disabled, skipped, notrun, ignored,
suppressed, pending), skipped; else passed. Suite count attributes are ignored.
"""

import json
import sys
import xml.etree.ElementTree as ET

NOT_RUN = {"disabled", "skipped", "skip", "notrun", "not run", "ignored", "suppressed", "pending"}


def outcome(case):
    tags = {child.tag for child in case}
    if "failure" in tags:
        return "failed"
    if "error" in tags:
        return "errored"
    if "skipped" in tags:
        return "skipped"
    status = (case.get("status") or "").strip().lower()
    result = (case.get("result") or "").strip().lower()
    if status in NOT_RUN or result in NOT_RUN:
        return "skipped"
    return "passed"


def count(path):
    root = ET.parse(path).getroot()
    out = {"total": 0, "passed": 0, "failed": 0, "errored": 0, "skipped": 0}
    for case in root.iter("testcase"):
        out["total"] += 1
        out[outcome(case)] += 1
    return out


print(json.dumps({path: count(path) for path in sys.argv[1:]}, indent=1))
