#!/usr/bin/env python3
"""check-regions.py — span invariants of an imagegate JSON report, on real input.

Usage: scripts/check-regions.py REPORT.json   (run from the directory the scan ran in)

Every finding's region must lie inside its file (1-based lines and columns in Unicode code
points, start before end), and the region of an image finding must hold what its message
names: the image, or the part of it the finding is about (a `newTag:` value, a values file's
`repository:`), the key of an empty value, the `name` of the kustomize `images:` entry that
made it, or, for `image-pull-policy-mutable`, the pull policy that lets the tag go stale. Aliases (`*img`), Dockerfile variables and templates are places, not values, and are
not compared. tests/spans.rs runs this on a scan of fixtures/, .ci/run on the corpus scan.
Exit 1 with the first 20 offenders when any is wrong.
"""
import json
import re
import sys

report = json.load(open(sys.argv[1]))
texts = {}


def lines_of(path):
    if path not in texts:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            texts[path] = re.split(r"\r\n|\n|\r", fh.read())
    return texts[path]


wrong, compared, total = [], 0, 0
for f in report["findings"] + report.get("suppressed", []):
    total += 1
    lines = lines_of(f["path"])
    s, e = f["start"], f["end"]
    inside = (1 <= s["line"] <= e["line"] <= len(lines)
              and 1 <= s["column"] <= len(lines[s["line"] - 1]) + 1
              and 1 <= e["column"] <= len(lines[e["line"] - 1]) + 1
              and (s["line"], s["column"]) <= (e["line"], e["column"]))
    if not inside:
        wrong.append(f"{f['path']}: {s}-{e} outside the file ({f['rule']})")
        continue
    image = f.get("image")
    if not image or s["line"] != e["line"]:
        continue
    line = lines[s["line"] - 1]
    text = line[s["column"] - 1:e["column"] - 1]
    if text.startswith("*") or "$" in text or "{{" in text:
        continue
    compared += 1
    value = text.split(": ", 1)[1] if ": " in text else text
    is_key = line[e["column"] - 1:e["column"]] == ":"
    is_entry = re.match(r"\s*(- )?name:\s*$", line[:s["column"] - 1]) is not None and \
        f["path"].rsplit("/", 1)[-1] in ("kustomization.yaml", "kustomization.yml", "Kustomization")
    is_policy = f["rule"] == "image-pull-policy-mutable" and \
        value.strip("\"'") in ("IfNotPresent", "Never")
    if value.strip("\"'") not in image["reference"] and not (is_key or is_entry or is_policy):
        wrong.append(f"{f['path']}:{s['line']}: {f['rule']} region `{text}` "
                     f"does not name `{image['reference']}`")
print(f"regions: {total} findings checked, {compared} image regions compared, "
      f"{len(wrong)} wrong")
for w in wrong[:20]:
    print("  " + w)
sys.exit(1 if wrong else 0)
