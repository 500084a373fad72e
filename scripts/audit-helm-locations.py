#!/usr/bin/env python3
"""audit-helm-locations.py — is every finding on a rendered Helm object at a line that holds it?

Usage: scripts/audit-helm-locations.py REPORT.json [--helm HELM] [--list N]
       scripts/audit-helm-locations.py --charts DIR --imagegate BIN [--helm HELM]
       (run from the directory the scan ran in; PyYAML needed)

The second form scans each chart under DIR itself, once as it is and once with each of its
`ci/*.yaml` values files (`--helm-values`), and audits every one of those reports.

For each finding of an imagegate JSON report that was traced out of a chart's render (its
`rendered.by` names `<chart> (rendered)`), the chart is rendered again here with the same
release name and namespace imagegate uses (`imagegate`, `default`), the rendered object is
found by its `# Source:`, kind and name, and the value at the finding's rendered key is read.
The finding's primary line must then hold what the finding names, and not be a comment:

- in a values file: a value that is in the rendered value (base64-decoded for a Secret's
  `data`), or, for `image-pull-policy-mutable`, the rendered pull policy;
- in `Chart.yaml`: `appVersion`, in the rendered value;
- in a template: the rendered key (`image:`, `password:`, `resources:`), or the rendered value
  (a `- secrets` item, a literal), or, for a pull-policy finding, `imagePullPolicy`.

A finding whose message says that only the template (or chart) is known is counted as such,
neither exact nor wrong: it says honestly where it could not go further. Any other finding is
wrong. The script prints the counts (per chart and in all) and the wrong ones, and exits 1
when one is wrong.
"""
import argparse
import base64
import collections
import json
import os
import re
import subprocess
import sys

import yaml

HONEST = ("only the template is known", "only the chart is known")
KEY_LINE = re.compile(r"^\s*(?:-\s+)*(?P<key>\"[^\"]*\"|'[^']*'|[^\s#'\"][^#]*?)\s*:(?:\s+(?P<value>.*?))?\s*$")
ITEM_LINE = re.compile(r"^\s*-\s+(?P<value>.*?)\s*$")


def strip_comment(line):
    """The line without a trailing ` # comment` (outside quotes)."""
    quote = None
    for i, c in enumerate(line):
        if quote:
            if c == quote:
                quote = None
        elif c in "\"'":
            quote = c
        elif c == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i].rstrip()
    return line.rstrip()


def unquote(text):
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


def comment_lines(text):
    """1-based numbers of the lines that are YAML comments, or whose text is all inside
    `{{/* ... */}}` template comments."""
    regions = [m.span() for m in re.finditer(r"\{\{-?\s*/\*.*?\*/\s*-?\}\}", text, re.S)]
    out, offset = set(), 0
    for n, line in enumerate(text.split("\n"), 1):
        stripped = line.strip()
        begin = offset + (len(line) - len(line.lstrip()))
        end = offset + len(line.rstrip())
        offset += len(line) + 1
        if stripped.startswith("#"):
            out.add(n)
        elif stripped and any(a <= begin and end <= b for a, b in regions):
            out.add(n)
    return out


def split_key_path(path):
    parts, depth, start = [], 0, 0
    for i, c in enumerate(path):
        if c == "[":
            depth += 1
        elif c == "]":
            depth = max(0, depth - 1)
        elif c == "." and depth == 0:
            parts.append(path[start:i])
            start = i + 1
    parts.append(path[start:])
    return parts


def at_key_path(node, path):
    """The node at an imagegate key path (`a.b[name=x].c`, `a[0]`, dotted keys joined)."""
    parts = split_key_path(path)
    i = 0
    while i < len(parts):
        found = False
        for j in range(i, len(parts)):
            segment = ".".join(parts[i:j + 1])
            field, selector = segment, None
            if segment.endswith("]") and "[" in segment:
                field, selector = segment[:segment.index("[")], segment[segment.index("[") + 1:-1]
            if field == "" and selector is not None:
                nxt = node
            elif isinstance(node, dict) and field in node:
                nxt = node[field]
            else:
                continue
            if selector is not None:
                if not isinstance(nxt, list):
                    return None
                if selector.startswith("name="):
                    want = selector[5:]
                    items = [x for x in nxt if isinstance(x, dict) and str(x.get("name")) == want]
                    if not items:
                        return None
                    nxt = items[0]
                else:
                    try:
                        nxt = nxt[int(selector)]
                    except (ValueError, IndexError):
                        return None
            node, i, found = nxt, j + 1, True
            break
        if not found:
            return None
    return node


def scalar(value):
    if value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def decoded(value):
    try:
        return base64.b64decode(value, validate=True).decode("utf-8", "replace")
    except Exception:
        return None


def render(helm, chart, values=None):
    """{(source, kind, name): object} of the chart's render, or None when it fails."""
    command = [helm, "template", "imagegate", chart, "--namespace", "default"]
    if values:
        command += ["-f", values]
    run = subprocess.run(command, capture_output=True, text=True, timeout=600)
    if run.returncode != 0:
        return None
    objects = {}
    for chunk in re.split(r"(?m)^---[ \t]*$", run.stdout):
        source = re.search(r"(?m)^# Source: (.+)$", chunk)
        if not source:
            continue
        try:
            for doc in yaml.safe_load_all(chunk):
                if isinstance(doc, dict):
                    key = (source.group(1).strip(), str(doc.get("kind")),
                           str((doc.get("metadata") or {}).get("name")))
                    objects.setdefault(key, doc)
        except yaml.YAMLError:
            continue
    return objects


def check(finding, rendered_value, policy, lines, comments):
    """'exact', 'template-only' or a reason it is wrong."""
    if any(h in finding["message"] for h in HONEST):
        return "template-only"
    start = finding["start"]["line"]
    if not 1 <= start <= len(lines):
        return f"line {start} is outside the file ({len(lines)} lines)"
    if start in comments:
        return "the line is a comment"
    line = strip_comment(lines[start - 1])
    key_path = finding["rendered"]["keyPath"]
    path = finding["path"]
    name = os.path.basename(path)
    is_template = "/templates/" in "/" + path
    wanted = [rendered_value] if rendered_value else []
    if rendered_value and finding.get("key", "").startswith("data."):
        text = decoded(rendered_value)
        if text:
            wanted.append(text)
    if finding["rule"] == "image-pull-policy-mutable" and policy:
        wanted.append(policy)
    match = KEY_LINE.match(line) or ITEM_LINE.match(line)
    written = unquote(match.group("value") or "") if match else ""
    if not is_template:
        if name == "Chart.yaml":
            ok = line.strip().startswith("appVersion:") and any(written in w for w in wanted)
            return "exact" if ok and written else "Chart.yaml line is not the appVersion in the value"
        if written and any(written in w for w in wanted):
            return "exact"
        return f"values line `{line.strip()}` is not in the rendered value"
    last = [p for p in split_key_path(key_path) if p]
    last_key = re.sub(r"\[.*\]$", "", last[-1]) if last else ""
    keys = {last_key}
    if finding["rule"] == "image-pull-policy-mutable":
        keys.add("imagePullPolicy")
    if any(re.search(r"(^|[\s\"'{-])" + re.escape(k) + r"[\"']?\s*:", line) for k in keys if k):
        return "exact"
    if written and any(written == w or (len(written) > 2 and written in w) for w in wanted):
        return "exact"
    if rendered_value and rendered_value in line:
        return "exact"
    return f"template line `{line.strip()}` holds neither `{last_key}` nor the value"


def audit(report, helm, values, counts, wrong, label):
    """Audit one report's rendered findings; add to `counts` (by chart) and `wrong`."""
    findings = [f for f in report["findings"]
                if f.get("rendered", {}).get("by", "").endswith(" (rendered)")]
    renders, texts = {}, {}
    for f in findings:
        chart = f["rendered"]["by"][:-len(" (rendered)")]
        if chart not in renders:
            renders[chart] = render(helm, chart, values)
        objects = renders[chart]
        row = chart + (f" -f {os.path.basename(values)}" if values else "") + label
        obj = (f.get("object") or {})
        source, kind = f["rendered"]["source"], str(obj.get("kind"))
        doc = objects and objects.get((source, kind, str(obj.get("name"))))
        if doc is None and objects:
            # A name with a random part (`randAlphaNum`) differs in every render: the one
            # object of that template and kind that has the key.
            same = [d for (s, k, _), d in objects.items() if s == source and k == kind
                    and at_key_path(d, f["rendered"]["keyPath"]) is not None]
            doc = same[0] if len(same) == 1 else None
        if doc is None:
            counts[row]["wrong"] += 1
            wrong.append((f, "the rendered object was not found in a new render"))
            continue
        key_path = f["rendered"]["keyPath"]
        value = scalar(at_key_path(doc, key_path)) if key_path else None
        policy = None
        if key_path.endswith(".image"):
            policy = scalar(at_key_path(doc, key_path[:-len("image")] + "imagePullPolicy"))
        if f["path"] not in texts:
            try:
                text = open(f["path"], encoding="utf-8-sig").read()
            except OSError:
                text = None
            texts[f["path"]] = text and (text.split("\n"), comment_lines(text))
        if not texts[f["path"]]:
            counts[row]["wrong"] += 1
            wrong.append((f, "the file does not exist"))
            continue
        lines, comments = texts[f["path"]]
        verdict = check(f, value, policy, lines, comments)
        if verdict in ("exact", "template-only"):
            counts[row][verdict] += 1
        else:
            counts[row]["wrong"] += 1
            wrong.append((f, verdict))
    return len(findings)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("report", nargs="?")
    parser.add_argument("--helm", default="helm")
    parser.add_argument("--charts", help="scan and audit every chart under this directory")
    parser.add_argument("--imagegate", help="the imagegate binary (with --charts)")
    parser.add_argument("--list", type=int, default=30, help="wrong findings to print")
    args = parser.parse_args()
    counts = collections.defaultdict(collections.Counter)
    wrong, audited = [], 0
    if args.report:
        audited += audit(json.load(open(args.report)), args.helm, None, counts, wrong,
                         " (in the report)")
    if args.charts:
        for name in sorted(os.listdir(args.charts)):
            chart = os.path.join(args.charts, name)
            if not os.path.isfile(os.path.join(chart, "Chart.yaml")):
                continue
            ci = os.path.join(chart, "ci")
            sets = [None] + sorted(os.path.join(ci, v) for v in
                                   (os.listdir(ci) if os.path.isdir(ci) else [])
                                   if v.endswith((".yaml", ".yml")))
            for values in sets:
                command = [args.imagegate, "scan", chart, "--no-config", "--format", "json",
                           "--fail-on", "never"]
                if values:
                    command += ["--helm-values", values]
                run = subprocess.run(command, capture_output=True, text=True, timeout=600)
                if run.returncode != 0:
                    sys.exit(f"imagegate failed on {chart} {values or ''}: {run.stderr[-2000:]}")
                audited += audit(json.loads(run.stdout), args.helm, values, counts, wrong, "")
    total = collections.Counter()
    print(f"{'chart (values)':<78} {'exact':>6} {'tmpl':>5} {'wrong':>6}")
    for row in sorted(counts):
        c = counts[row]
        total.update(c)
        print(f"{row:<78} {c['exact']:>6} {c['template-only']:>5} {c['wrong']:>6}")
    print(f"helm findings on rendered objects: {audited} in {len(counts)} renders; "
          f"exact {total['exact']}, template only {total['template-only']}, "
          f"wrong {total['wrong']}")
    for f, why in wrong[:args.list]:
        print(f"  WRONG {f['path']}:{f['start']['line']} {f['rule']} "
              f"({f['rendered']['source']} {f['rendered']['keyPath']}): {why}")
    sys.exit(1 if wrong else 0)


if __name__ == "__main__":
    main()
