#!/usr/bin/env python3
"""compare-checkov.py: compare imagegate's findings with Checkov's on a corpus.

Usage (from the repository root):

    python3 scripts/compare-checkov.py ../shared/corpus
    python3 scripts/compare-checkov.py ../shared/corpus \\
        --imagegate-json /tmp/ig.json --checkov-json /tmp/checkov.json \\
        --imagegate-rendered-json /tmp/ig-render.json --out /tmp/compare

Without --imagegate-json / --checkov-json / --imagegate-rendered-json the tools are run
(from inside CORPUS, so every path is relative to it):

    imagegate scan . --no-helm --no-kustomize --no-config --format json -o OUT/imagegate.json
    imagegate scan . --no-config --format json -o OUT/imagegate-rendered.json  [--helm-bin H]
    checkov -d . --framework kubernetes -o json --compact --skip-download \\
        --check CKV_K8S_14,CKV_K8S_15,CKV_K8S_35,CKV_K8S_43,CKV2_K8S_5 > OUT/checkov.json

The Checkov run is restricted to the compared checks (a full `--framework kubernetes -o json`
run writes about 1.3 GB of JSON on the shared corpus; its records for these checks are the
same, and --checkov-json accepts either). The rendered imagegate run needs `helm` (or
--helm-bin; ../shared/tools/helm is used when helm is not on PATH) and kubectl.

Output: the tables (Markdown) on standard output and in OUT/tables.md, every disagreement in
OUT/disagreements.csv and OUT/disagreements.json, and the per-object comparison in
OUT/objects.csv.

Method. Checkov reports one result per (file, resource, check), where resource is
`Kind.namespace.name` (`default` when the namespace is absent; built from the labels when
there is no name) and the result is FAILED as soon as one container fails; imagegate reports
one finding per image (container) or per env entry. The unit of comparison is therefore the
object: (file, kind, namespace, name). An imagegate finding is matched to Checkov's resource
with the same id in the same file, else to the smallest Checkov resource of the same kind in
that file whose line range holds the finding's line. Checkov's `evaluated_keys` name the first
failing container, so for objects both flag the script also says whether imagegate flags that
container. Disagreements get an automatic reason (heuristics documented in `classify()`);
docs/accuracy.md has the manual inspection of a sample.

Python 3.11 standard library only.
"""

from __future__ import annotations

import argparse
import collections
import csv
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

SCRIPT_DIR = Path(__file__).resolve().parent
REPO_ROOT = SCRIPT_DIR.parent

CHECKOV_CHECKS = ["CKV_K8S_14", "CKV_K8S_15", "CKV_K8S_35", "CKV_K8S_43", "CKV2_K8S_5"]

# (name, Checkov check, imagegate rules the check corresponds to, companion rules: imagegate
# rules that report the same images under another id, used only to explain disagreements)
PAIRS = [
    ("tag", "CKV_K8S_14", {"image-tag-latest", "image-tag-missing"}, {"image-reference-invalid"}),
    ("digest", "CKV_K8S_43", {"image-digest-missing"},
     {"image-tag-latest", "image-tag-missing", "image-reference-invalid"}),
    ("pull-policy", "CKV_K8S_15", {"image-pull-policy-mutable"},
     {"image-digest-missing", "image-tag-latest", "image-tag-missing", "image-reference-invalid"}),
    ("secret-env", "CKV_K8S_35", {"secret-env-literal"}, set()),
]

# Checkov's container checks (BaseK8sContainerCheck.SUPPORTED_ENTITIES, Checkov 3.3.30)
CHECKOV_CONTAINER_KINDS = {
    "CronJob", "Pod", "PodTemplate", "Deployment", "DeploymentConfig", "DaemonSet", "Job",
    "ReplicaSet", "ReplicationController", "StatefulSet",
}
# Checkov's k8s parser skips a whole file when any of these match (checkov/kubernetes/parser/k8_yaml.py)
CHECKOV_HELM_PATTERNS = [re.compile(r"\{\{-?\s*\.Release\."), re.compile(r"\{\{-?\s*\.Values\.")]
CHECKOV_ENDINGS = (".yaml", ".yml", ".json")

IMAGE_LINE = re.compile(r"^\s*(?:-\s+)?image:\s*(.*?)\s*$")
POLICY_LINE = re.compile(r"^\s*(?:-\s+)?imagePullPolicy:\s*['\"]?([A-Za-z]+)")
SECRET_REF = re.compile(r"\b(secretKeyRef|secretRef)\s*:")
PLACEHOLDER = re.compile(r"\$\{|\$\(|\{\{|<[A-Za-z_ -]+>|^\$[A-Z_]+")


# --------------------------------------------------------------------------- running tools


def run_imagegate(binary: str, corpus: Path, out: Path, rendered: bool, helm_bin: str | None) -> None:
    cmd = [binary, "scan", ".", "--no-config", "--format", "json", "-o", str(out)]
    if not rendered:
        cmd[3:3] = ["--no-helm", "--no-kustomize"]
    elif helm_bin:
        cmd += ["--helm-bin", helm_bin]
    print(f"running (in {corpus}): {' '.join(cmd)}", file=sys.stderr)
    rc = subprocess.run(cmd, cwd=corpus, stderr=subprocess.DEVNULL).returncode
    if rc not in (0, 1):
        sys.exit(f"imagegate exited with {rc}")


def run_checkov(binary: str, corpus: Path, out: Path) -> None:
    cmd = [binary, "-d", ".", "--framework", "kubernetes", "-o", "json", "--compact",
           "--skip-download", "--check", ",".join(CHECKOV_CHECKS)]
    print(f"running (in {corpus}): {' '.join(cmd)} > {out}  (takes minutes)", file=sys.stderr)
    with open(out, "w") as f:
        rc = subprocess.run(cmd, cwd=corpus, stdout=f, stderr=subprocess.DEVNULL).returncode
    if rc not in (0, 1):
        sys.exit(f"checkov exited with {rc}")


def tool_version(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120).stdout.strip()
    except Exception:  # noqa: BLE001 - a version string is optional
        return "unknown"


# --------------------------------------------------------------------------- loading


@dataclass
class CkRecord:
    check: str
    result: str
    file: str
    resource: str
    start: int
    end: int
    evaluated_keys: list[str]


def load_checkov(path: Path) -> tuple[list[CkRecord], str]:
    with open(path) as f:
        data = json.load(f)
    reports = data if isinstance(data, list) else [data]
    records: list[CkRecord] = []
    version = ""
    for rep in reports:
        if not isinstance(rep, dict) or rep.get("check_type") != "kubernetes":
            continue
        version = rep.get("summary", {}).get("checkov_version", version)
        for status in ("passed_checks", "failed_checks", "skipped_checks"):
            for r in rep.get("results", {}).get(status, []):
                if r["check_id"] not in CHECKOV_CHECKS:
                    continue
                rng = r.get("file_line_range") or [0, 0]
                records.append(CkRecord(
                    check=r["check_id"],
                    result=r["check_result"]["result"],
                    # Checkov's file_path is "/" + the path relative to -d
                    file=r["file_path"].lstrip("/"),
                    resource=r["resource"],
                    start=rng[0], end=rng[1],
                    evaluated_keys=r["check_result"].get("evaluated_keys") or [],
                ))
    del data
    return records, version


def norm_path(p: str) -> str:
    while p.startswith("./"):
        p = p[2:]
    return p


def load_imagegate(path: Path) -> dict:
    with open(path) as f:
        data = json.load(f)
    for fnd in data.get("findings", []):
        fnd["path"] = norm_path(fnd["path"])
    return data


# --------------------------------------------------------------------------- objects


@dataclass
class Unit:
    file: str
    rid: str  # Checkov-style resource id Kind.namespace.name
    kind: str
    in_checkov: bool
    ranges: list[tuple[int, int]] = field(default_factory=list)
    ck: dict[str, list[CkRecord]] = field(default_factory=lambda: collections.defaultdict(list))
    ig: dict[str, list[dict]] = field(default_factory=lambda: collections.defaultdict(list))

    def ck_result(self, check: str) -> str:
        """FAILED if any entity with this id failed, else SKIPPED, else PASSED, else '' (no record)."""
        res = {r.result for r in self.ck.get(check, [])}
        for r in ("FAILED", "SKIPPED", "PASSED"):
            if r in res:
                return r
        return ""

    def line(self) -> int:
        if self.ranges:
            return min(s for s, _ in self.ranges)
        lines = [f["start"]["line"] for fs in self.ig.values() for f in fs]
        return min(lines) if lines else 0


def rid_of(obj: dict) -> str | None:
    name = obj.get("name")
    if not name:
        return None
    return f"{obj.get('kind')}.{obj.get('namespace') or 'default'}.{name}"


def build_units(records: list[CkRecord], findings: list[dict]) -> dict[tuple[str, str], Unit]:
    units: dict[tuple[str, str], Unit] = {}
    by_file: dict[str, list[Unit]] = collections.defaultdict(list)
    for r in records:
        key = (r.file, r.resource)
        u = units.get(key)
        if u is None:
            u = units[key] = Unit(r.file, r.resource, r.resource.split(".", 1)[0], True)
            by_file[r.file].append(u)
        if (r.start, r.end) not in u.ranges:
            u.ranges.append((r.start, r.end))
        u.ck[r.check].append(r)

    for f in findings:
        obj = f.get("object")
        if not obj:
            continue
        rid = rid_of(obj)
        u = units.get((f["path"], rid)) if rid else None
        if u is None:
            line = f["start"]["line"]
            best = None
            for cand in by_file.get(f["path"], []):
                if cand.kind != obj.get("kind"):
                    continue
                for s, e in cand.ranges:
                    if s <= line <= e and (best is None or e - s < best[0]):
                        best = (e - s, cand)
            if best:
                u = best[1]
        if u is None:
            rid = rid or f"{obj.get('kind')}.{obj.get('namespace') or 'default'}." \
                         f"{obj.get('generateName') or ''}@{f['start']['line']}"
            key = (f["path"], rid)
            u = units.get(key)
            if u is None:
                u = units[key] = Unit(f["path"], rid, obj.get("kind") or "", False)
        u.ig[f["rule"]].append(f)
    return units


# --------------------------------------------------------------------------- file facts


class Files:
    """Reads corpus files (cached) to explain disagreements."""

    def __init__(self, corpus: Path):
        self.corpus = corpus
        self.cache: dict[str, list[str]] = {}
        self.charts: dict[str, bool] = {}

    def lines(self, rel: str) -> list[str]:
        if rel not in self.cache:
            try:
                self.cache[rel] = (self.corpus / rel).read_text(errors="replace").splitlines()
            except OSError:
                self.cache[rel] = []
        return self.cache[rel]

    def checkov_skips_file(self, rel: str) -> str:
        """Why Checkov's kubernetes runner reads nothing from this file ('' if it reads it)."""
        if not rel.endswith(CHECKOV_ENDINGS):
            return "not .yaml/.yml/.json"
        if "/." in "/" + rel:
            return "hidden directory (skipped by default)"
        text = "\n".join(self.lines(rel))
        if not ("apiVersion" in text and "kind" in text):
            return "no apiVersion/kind text"
        if any(p.search(text) for p in CHECKOV_HELM_PATTERNS):
            return "Helm template markers ({{ .Values. / {{ .Release.): file skipped"
        return ""

    def chart_of(self, rel: str) -> str | None:
        """The Helm chart directory (holding Chart.yaml) that contains this file, if any."""
        parts = rel.split("/")[:-1]
        for i in range(len(parts), 0, -1):
            d = "/".join(parts[:i])
            if d not in self.charts:
                self.charts[d] = (self.corpus / d / "Chart.yaml").is_file()
            if self.charts[d]:
                return d
        return None

    def chart_place(self, rel: str) -> str:
        """'' (not in a chart), 'root' (Chart.yaml, values files), 'templates' (templates/ or
        a subchart under charts/) or 'other' (examples/, ci/, crds/, ...: files Helm does not render)."""
        chart = self.chart_of(rel)
        if chart is None:
            return ""
        inner = rel[len(chart) + 1:]
        if "/" not in inner:
            name = inner.lower()
            if name == "chart.yaml" or (name.startswith("values") and name.endswith((".yaml", ".yml"))):
                return "root"
            return "other"
        top = inner.split("/", 1)[0]
        return "templates" if top in ("templates", "charts") else "other"

    def block(self, u: Unit) -> list[str]:
        ls = self.lines(u.file)
        if u.ranges:
            s = min(a for a, _ in u.ranges)
            e = max(b for _, b in u.ranges)
            return ls[max(s - 1, 0):e]
        return []

    def hints(self, u: Unit) -> dict:
        blk = self.block(u)
        images = [m.group(1) for m in (IMAGE_LINE.match(x) for x in blk) if m]
        policies = [m.group(1) for m in (POLICY_LINE.match(x) for x in blk) if m]
        secret_refs = sum(1 for x in blk if SECRET_REF.search(x))
        return {"images": images, "policies": policies, "secret_refs": secret_refs}


# --------------------------------------------------------------------------- classification


def strip_quotes(s: str) -> str:
    s = s.split(" #", 1)[0].strip()
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "'\"":
        s = s[1:-1]
    return s


def container_of_key(key: str) -> tuple[str, int] | None:
    """'spec/template/spec/containers/[1]/image' -> ('containers', 1)."""
    m = re.search(r"(initContainers|containers)/\[(\d+)\]", key)
    return (m.group(1), int(m.group(2))) if m else None


def container_of_field(fp: str) -> tuple[str, int] | None:
    """'items[0].spec.template.spec.initContainers[2].image' -> ('initContainers', 2)."""
    m = re.search(r"(initContainers|ephemeralContainers|containers)\[(\d+)\]\.image$", fp)
    return (m.group(1), int(m.group(2))) if m else None


def classify(pair: str, cat: str, u: Unit, rules: set[str], companions: set[str], files: Files,
             check: str) -> tuple[str, str]:
    """(class, reason) for a disagreement: checkov-wrong, imagegate-wrong, by-design, or inspect
    (no rule applies: a human must look). The rules, in order:

    only imagegate:
      Checkov has no result for the object: it skipped the file (Helm markers anywhere in it,
      hidden directory), the kind is not one of its 10 workload kinds (CRDs), or its parser
      dropped the document (a PyYAML error anywhere in the file, a name with { } #):
      checkov-wrong (false negative). Secret pair: a literal credential, which CKV_K8S_35 does
      not read: by-design. Only image-tag-latest notes (tag and digest): by-design. Only
      ephemeral containers: checkov-wrong.
    only Checkov:
      secret pair: secretKeyRef/secretRef present: by-design.
      the file lies in a Helm chart directory outside templates/ and charts/ (and is not
      Chart.yaml or values*.yaml): imagegate-wrong (imagegate never reads such files, IG-1);
      inside templates/: by-design (checked only as rendered).
      no `image` line in the object, or (CKV_K8S_14/43) every image has a digest: a container
      without `image` failed: checkov-wrong (a patch). Checkov's failing container has no
      imagegate finding while other containers of the object do: checkov-wrong (a patch
      container without image, or istio's `image: auto`).
      a companion rule reports the image (CKV_K8S_43 on `nginx` = image-tag-missing; anything
      on an invalid reference = image-reference-invalid): by-design.
      every image is a placeholder (${X}, $(X), {{ }}, <x>) or `auto`: checkov-wrong.
      pull pair: no IfNotPresent/Never written: by-design (imagegate leaves the default to
      image-digest-missing); IfNotPresent on an untagged or invalid image: by-design.
    """
    if cat == "only imagegate":
        ig_f = [f for r in rules for f in u.ig.get(r, [])]
        if not u.in_checkov or not u.ck.get(check):
            skip = files.checkov_skips_file(u.file)
            if skip:
                return "checkov-wrong", f"not evaluated: {skip}"
            if u.kind not in CHECKOV_CONTAINER_KINDS:
                return "checkov-wrong", f"not evaluated: kind {u.kind} unsupported"
            if not u.in_checkov:
                return "checkov-wrong", "not evaluated: document dropped by Checkov's parser/validator"
            return "inspect", "Checkov has no result for this check (UNKNOWN)"
        if pair == "secret-env":
            return "by-design", "literal credential in env: CKV_K8S_35 reads only secretKeyRef/secretRef"
        if ig_f and all(f["level"] == "note" for f in ig_f):
            return "by-design", "tag and digest: imagegate notes the misleading tag, Checkov passes on '@'"
        fps = [container_of_field(f.get("container", {}).get("fieldPath", "")) for f in ig_f]
        if fps and all(fp and fp[0] == "ephemeralContainers" for fp in fps):
            return "checkov-wrong", "ephemeral container: Checkov reads containers and initContainers only"
        return "inspect", "Checkov passed"
    # only Checkov
    hints = files.hints(u)
    if pair == "secret-env":
        if hints["secret_refs"]:
            return "by-design", "secretKeyRef/secretRef: the value is not in the repository"
        return "inspect", "no secretKeyRef/secretRef line found"
    place = files.chart_place(u.file)
    if place == "other":
        return "imagegate-wrong", ("file inside a Helm chart directory but outside templates/: imagegate "
                                   "neither scans nor renders it (IG-1)")
    if place == "templates":
        return "by-design", "Helm template without .Values/.Release: imagegate checks templates only rendered"
    imgs = [strip_quotes(i) for i in hints["images"]]
    comp = sorted(r for r in companions if u.ig.get(r))
    if not imgs:
        return "checkov-wrong", "no image field (patch or injection template): nothing to pin"
    if check in ("CKV_K8S_14", "CKV_K8S_43") and all("@" in i for i in imgs):
        return "checkov-wrong", "every image has a digest; a container without `image` failed"
    # Checkov names the first failing container; imagegate reports (under some rule: the
    # signature and registry notes fire on nearly every image) each image it reads. A failing
    # container of an object imagegate read, with no imagegate finding at all, has no image.
    failing = {container_of_key(k) for r in u.ck.get(check, []) if r.result == "FAILED" for k in r.evaluated_keys}
    failing.discard(None)
    seen = {container_of_field(f.get("container", {}).get("fieldPath", "")) for fs in u.ig.values() for f in fs}
    if failing and seen - {None} and not failing & seen:
        return "checkov-wrong", ("the failing container has no `image` (a patch) or istio's `image: auto` "
                                 "(replaced by the injector): nothing to pin")
    if comp and pair != "pull-policy":
        return "by-design", "reported by " + ", ".join(comp)
    if all(PLACEHOLDER.search(i) or i in ("", "auto") for i in imgs):
        return "checkov-wrong", "image is a placeholder filled in before deploy (or istio `auto`)"
    if pair == "pull-policy":
        if not any(p in ("IfNotPresent", "Never") for p in hints["policies"]):
            return "by-design", ("no IfNotPresent/Never written: Checkov assumes the IfNotPresent default; "
                                 "imagegate leaves the tag to image-digest-missing")
        comp = [c for c in comp if c in ("image-tag-missing", "image-reference-invalid")]
        if comp:
            return "by-design", "IfNotPresent on an untagged/invalid image: reported by " + ", ".join(comp)
        return "inspect", "IfNotPresent/Never written, no imagegate finding"
    if comp:
        return "by-design", "reported by " + ", ".join(comp)
    if any(PLACEHOLDER.search(i) or i == "auto" for i in imgs):
        return "checkov-wrong", "the failing container's image is a placeholder or istio `auto`"
    return "inspect", "Checkov failed, imagegate silent"


# --------------------------------------------------------------------------- comparison


def compare(units: dict, files: Files) -> tuple[dict, list[dict], list[dict]]:
    tables: dict[str, dict] = {}
    rows: list[dict] = []
    objrows: list[dict] = []
    for pair, check, rules, companions in PAIRS:
        counts = collections.Counter()
        classes = collections.Counter()
        reasons = collections.Counter()
        container_agree = collections.Counter()
        for u in units.values():
            ck = u.ck_result(check)
            ig = [f for r in rules for f in u.ig.get(r, [])]
            if not ck and not ig:
                continue
            if ck == "SKIPPED":
                counts["Checkov skipped (annotation)"] += 1
                continue
            ckf = ck == "FAILED"
            if ckf and ig:
                cat = "both"
                keys = [container_of_key(k) for r in u.ck[check] for k in r.evaluated_keys]
                igc = {container_of_field(f.get("container", {}).get("fieldPath", "")) for f in ig}
                if pair == "secret-env" or not any(keys):
                    container_agree["n/a"] += 1
                elif any(k in igc for k in keys if k):
                    container_agree["same container"] += 1
                else:
                    container_agree["other container"] += 1
            elif ckf:
                cat = "only Checkov"
            elif ig:
                cat = "only imagegate" if ck == "PASSED" else "only imagegate (Checkov: no result)"
            else:
                cat = "neither"
            counts[cat] += 1
            objrows.append({"pair": pair, "file": u.file, "resource": u.rid, "checkov": ck or "-",
                            "imagegate": len(ig), "category": cat})
            if cat in ("only Checkov", "only imagegate", "only imagegate (Checkov: no result)"):
                c, reason = classify(pair, "only Checkov" if cat == "only Checkov" else "only imagegate",
                                     u, rules, companions, files, check)
                classes[(cat, c)] += 1
                reasons[(cat, c, reason)] += 1
                h = files.hints(u)
                rows.append({
                    "pair": pair, "checkov_check": check, "imagegate_rules": "+".join(sorted(rules)),
                    "category": cat, "class": c, "reason": reason,
                    "file": u.file, "line": u.line(), "resource": u.rid,
                    "repository": u.file.split("/", 1)[0],
                    "checkov": ck or "-",
                    "checkov_evaluated_keys": ";".join(k for r in u.ck.get(check, []) for k in r.evaluated_keys),
                    "imagegate": ";".join(f"{f['rule']}({f['level']})@{f['start']['line']}"
                                          + (f":{f['image']['reference']}" if f.get("image") else "")
                                          + (f":{f['key']}" if f.get("key") else "") for f in ig),
                    "imagegate_other": ";".join(f"{r}@{f['start']['line']}" for r in sorted(companions)
                                                for f in u.ig.get(r, [])),
                    "images": " | ".join(h["images"][:6]),
                    "pull_policies": " ".join(h["policies"][:6]),
                    "secret_refs": h["secret_refs"],
                })
        tables[pair] = {"check": check, "rules": sorted(rules), "counts": counts, "classes": classes,
                        "reasons": reasons, "container": container_agree}
    return tables, rows, objrows


# --------------------------------------------------------------------------- beyond Checkov


def beyond_checkov(units: dict, ig: dict, ig_rendered: dict | None, files: Files) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    fs = ig["findings"]
    cnt = collections.Counter()
    image_rules = {"image-tag-latest", "image-tag-missing", "image-digest-missing", "image-pull-policy-mutable",
                   "image-reference-invalid", "image-registry-implicit", "image-registry-public",
                   "image-registry-not-allowed", "image-signature-unverified"}
    # image findings on Kubernetes objects Checkov does not evaluate
    for u in units.values():
        if u.in_checkov:
            continue
        n = sum(len(v) for r, v in u.ig.items() if r in image_rules)
        if not n:
            continue
        skip = files.checkov_skips_file(u.file)
        if skip.startswith("Helm"):
            why = "files with `{{ .Values.`/`{{ .Release.` anywhere (Checkov skips the whole file)"
        elif skip:
            why = f"files Checkov skips ({skip})"
        elif u.kind not in CHECKOV_CONTAINER_KINDS:
            why = f"kinds Checkov does not read ({u.kind})"
        else:
            why = "documents Checkov's parser drops (YAML error or a name with { } #)"
        cnt[why] += n
    for k, v in sorted(cnt.items(), key=lambda kv: -kv[1]):
        out.append((f"image findings on Kubernetes objects in {k}", v))
    by_rule = collections.Counter(f["rule"] for f in fs if f.get("values"))
    out.append(("Helm values files, checked without rendering (`values` findings), all rules", sum(by_rule.values())))
    for r, v in by_rule.most_common():
        out.append((f"  values: {r}", v))
    by_rule = collections.Counter(f["rule"] for f in fs if f.get("kustomize"))
    out.append(("kustomization `images:` entries (`kustomize` findings), all rules", sum(by_rule.values())))
    for r, v in by_rule.most_common():
        out.append((f"  kustomize images: {r}", v))
    by_rule = collections.Counter(f["rule"] for f in fs if f.get("dockerfile"))
    out.append(("Dockerfile FROM (Checkov: dockerfile framework, CKV_DOCKER_7, not run here), all rules",
                sum(by_rule.values())))
    for r, v in by_rule.most_common():
        out.append((f"  Dockerfile: {r}", v))
    for r in ["secret-plaintext", "secret-configmap", "registry-credentials-plaintext", "registry-password-cli",
              "pull-secret-missing", "pull-secret-wrong-type", "pull-secret-namespace-mismatch",
              "rbac-secrets-broad", "image-registry-public", "image-registry-implicit",
              "image-signature-unverified", "registry-policy-missing", "base-image-not-minimal"]:
        out.append((f"rule {r} (all findings; no Checkov kubernetes counterpart"
                    + (", see CKV2_K8S_5 below" if r == "rbac-secrets-broad" else "") + ")",
                    sum(1 for f in fs if f["rule"] == r)))
    if ig_rendered is not None:
        base = {f["fingerprint"] for f in fs}
        new = [f for f in ig_rendered["findings"] if f["fingerprint"] not in base]
        out.append(("only with rendering (Helm + kustomize), findings not in the unrendered scan", len(new)))
        helm = [f for f in new if any("renders this value" in r.get("message", "") or "template" in r.get("message", "")
                                      for r in f.get("related", []))
                or "/templates/" in f["path"] or f["path"].endswith(("values.yaml", "values.yml"))]
        kust = [f for f in new if any("overlay" in r.get("message", "") for r in f.get("related", []))]
        out.append(("  of which traced to a chart (values file or template)", len(helm)))
        out.append(("  of which traced through a kustomize overlay", len(kust)))
        for r, v in collections.Counter(f["rule"] for f in new).most_common():
            out.append((f"  rendered only: {r}", v))
        out.append(("charts rendered in the rendered run", ig_rendered.get("summary", {}).get("rendered_charts", 0)))
    return out


# --------------------------------------------------------------------------- output


CATS = ["both", "only Checkov", "only imagegate", "only imagegate (Checkov: no result)", "neither",
        "Checkov skipped (annotation)"]


def render(tables: dict, beyond: list, meta: dict, ck_records: list[CkRecord], units: dict) -> str:
    o: list[str] = []
    o.append("## Run\n")
    for k, v in meta.items():
        o.append(f"- {k}: {v}")
    o.append("")
    res = collections.Counter((r.check, r.result) for r in ck_records)
    o.append("Checkov results for the compared checks (records; one per resource and check):\n")
    o.append("| check | FAILED | PASSED | SKIPPED |\n|---|---:|---:|---:|")
    for c in CHECKOV_CHECKS:
        o.append(f"| {c} | {res[(c, 'FAILED')]} | {res[(c, 'PASSED')]} | {res[(c, 'SKIPPED')]} |")
    o.append("")
    dup = sum(1 for u in units.values() if u.in_checkov and len(u.ranges) > 1)
    o.append(f"Checkov resources with a duplicate id in one file (counted once, FAILED if any failed): {dup}\n")
    for pair, t in tables.items():
        o.append(f"## {pair}: {t['check']} vs {' + '.join('`' + r + '`' for r in t['rules'])}\n")
        o.append("| objects (file + kind/namespace/name) | count |\n|---|---:|")
        for c in CATS:
            if t["counts"].get(c):
                o.append(f"| {c} | {t['counts'][c]} |")
        o.append("")
        if t["container"]:
            o.append("Both flag: Checkov's first failing container (`evaluated_keys`) vs imagegate's containers: "
                     + ", ".join(f"{k} {v}" for k, v in t["container"].most_common()) + "\n")
        o.append("| disagreement | class | reason | count |\n|---|---|---|---:|")
        for (cat, c, reason), v in sorted(t["reasons"].items(), key=lambda kv: (kv[0][0], -kv[1])):
            o.append(f"| {cat} | {c} | {reason} | {v} |")
        o.append("")
        o.append("| class (automatic) | only Checkov | only imagegate |\n|---|---:|---:|")
        cls = sorted({c for _, c in t["classes"]})
        for c in cls:
            oc = t["classes"].get(("only Checkov", c), 0)
            oi = t["classes"].get(("only imagegate", c), 0) + t["classes"].get(
                ("only imagegate (Checkov: no result)", c), 0)
            o.append(f"| {c} | {oc} | {oi} |")
        o.append("")
    rb = [u for u in units.values() if u.ck_result("CKV2_K8S_5")]
    o.append("## Neighbour: CKV2_K8S_5 vs `rbac-secrets-broad` (different objects, counts only)\n")
    o.append("Checkov's graph check judges (Cluster)RoleBindings (FAILED when the bound role can read all "
             "Secrets, or the subjects are not ServiceAccounts/Nodes); imagegate judges the (Cluster)Role "
             "and names the bindings in `related`. Not matched object by object.\n")
    o.append("| what | count |\n|---|---:|")
    o.append(f"| bindings, CKV2_K8S_5 FAILED | {sum(1 for u in rb if u.ck_result('CKV2_K8S_5') == 'FAILED')} |")
    o.append(f"| bindings, CKV2_K8S_5 PASSED | {sum(1 for u in rb if u.ck_result('CKV2_K8S_5') == 'PASSED')} |")
    o.append(f"| roles, rbac-secrets-broad | {sum(len(u.ig.get('rbac-secrets-broad', [])) for u in units.values())} |")
    o.append("")
    o.append("## What imagegate finds that Checkov's kubernetes framework cannot see\n")
    o.append("| what | findings |\n|---|---:|")
    for k, v in beyond:
        o.append(f"| {k} | {v} |")
    o.append("")
    return "\n".join(o)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] + " See the module docstring.",
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", nargs="?", default=str(REPO_ROOT.parent / "shared" / "corpus"),
                    help="directory to scan [../shared/corpus]")
    ap.add_argument("--imagegate", default=str(REPO_ROOT / "target" / "release" / "imagegate"),
                    help="imagegate binary [target/release/imagegate]")
    ap.add_argument("--checkov", default=os.environ.get("CHECKOV", "/work/.venv-checkov/bin/checkov"),
                    help="checkov executable [$CHECKOV or /work/.venv-checkov/bin/checkov]")
    ap.add_argument("--helm-bin", default=None, help="helm for the rendered imagegate run")
    ap.add_argument("--imagegate-json", help="reuse: imagegate scan . --no-helm --no-kustomize --no-config --format json")
    ap.add_argument("--imagegate-rendered-json", help="reuse: imagegate scan . --no-config --format json")
    ap.add_argument("--no-rendered", action="store_true", help="skip the rendered imagegate run")
    ap.add_argument("--checkov-json", help="reuse: checkov -d . --framework kubernetes -o json")
    ap.add_argument("--out", default="/tmp/compare-checkov", help="output directory [/tmp/compare-checkov]")
    a = ap.parse_args()

    corpus = Path(a.corpus).resolve()
    if not corpus.is_dir():
        sys.exit(f"corpus not found: {corpus}")
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)

    ig_path = Path(a.imagegate_json) if a.imagegate_json else out / "imagegate.json"
    if not a.imagegate_json:
        run_imagegate(a.imagegate, corpus, ig_path, False, None)
    igr_path = None
    if not a.no_rendered:
        igr_path = Path(a.imagegate_rendered_json) if a.imagegate_rendered_json else out / "imagegate-rendered.json"
        if not a.imagegate_rendered_json:
            helm = a.helm_bin
            if not helm and not shutil.which("helm"):
                cand = corpus.parent / "tools" / "helm"
                helm = str(cand) if cand.exists() else None
            run_imagegate(a.imagegate, corpus, igr_path, True, helm)
    ck_path = Path(a.checkov_json) if a.checkov_json else out / "checkov.json"
    if not a.checkov_json:
        run_checkov(a.checkov, corpus, ck_path)

    ig = load_imagegate(ig_path)
    igr = load_imagegate(igr_path) if igr_path else None
    ck_records, ck_version = load_checkov(ck_path)
    files = Files(corpus)
    units = build_units(ck_records, ig["findings"])
    tables, rows, objrows = compare(units, files)
    beyond = beyond_checkov(units, ig, igr, files)

    meta = {
        "corpus": str(corpus),
        "imagegate": f"{ig.get('tool', {}).get('version', '?')} ({ig_path}); summary {json.dumps(ig.get('summary'))}",
        "imagegate (rendered)": str(igr_path) if igr_path else "not run",
        "checkov": f"{ck_version or '?'} ({ck_path})",
    }
    text = render(tables, beyond, meta, ck_records, units)
    print(text)
    (out / "tables.md").write_text(text + "\n")
    with open(out / "disagreements.json", "w") as f:
        json.dump(rows, f, indent=1)
    if rows:
        with open(out / "disagreements.csv", "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
            w.writeheader()
            w.writerows(rows)
    with open(out / "objects.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["pair", "file", "resource", "checkov", "imagegate", "category"])
        w.writeheader()
        w.writerows(objrows)
    print(f"wrote {out}/tables.md, disagreements.csv/.json ({len(rows)} rows), objects.csv", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
