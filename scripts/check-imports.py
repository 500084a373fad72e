#!/usr/bin/env python3
"""check-imports.py — fail on an import cycle between imagegate's modules.

Usage: scripts/check-imports.py [--graph]   (from the repository root)

Every `crate::a::b::c` path in a module's source (outside its `#[cfg(test)]` tests) is an
import of the deepest module it names (`crate::a::b` when `src/a/b.rs` or `src/a/b/mod.rs`
exists); `super::` paths count the same way, and re-exports in `lib.rs` (`crate::ScanReport`)
are resolved to the module that defines them. The script prints each cycle (a strongly
connected group of modules importing each other), then the same between layers (the top-level
modules: `syntax`, `render`, `scan`...), and exits 1 when there is one; with
`--graph` it prints every module's imports. docs/architecture.md says which layer may import
which; this check keeps the graph a DAG so that the layering can hold.
"""
import os
import re
import sys

SRC = "src"


def module_files():
    """{module path tuple: file}"""
    out = {}
    for dirpath, _, files in os.walk(SRC):
        for f in files:
            # Tests (inline `#[cfg(test)]` blocks, stripped below, and sibling `tests.rs`
            # files) may use any layer to build their inputs.
            if not f.endswith(".rs") or f == "tests.rs":
                continue
            rel = os.path.relpath(os.path.join(dirpath, f), SRC)[:-3].split(os.sep)
            if rel == ["main"]:
                continue
            if rel == ["lib"]:
                out[()] = os.path.join(dirpath, f)
                continue
            if rel[-1] == "mod":
                rel = rel[:-1]
            out[tuple(rel)] = os.path.join(dirpath, f)
    return out


def code_of(path):
    """The file's text without `#[cfg(test)] mod ... { ... }` blocks and comments."""
    text = open(path).read()
    text = re.sub(r"//[^\n]*", "", text)
    out, i = [], 0
    for m in re.finditer(r"#\[cfg\(test\)\]\s*(pub\s+)?mod\s+\w+\s*\{", text):
        if m.start() < i:
            continue
        out.append(text[i:m.start()])
        depth, j = 1, m.end()
        while j < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            j += 1
        i = j
    out.append(text[i:])
    return "".join(out)


def reexports(module, path):
    """Names a module re-exports from a submodule (`pub use report::{ScanReport, Stats};`),
    mapped to the submodule's path."""
    names = {}
    for m in re.finditer(r"pub use (?:self::)?(\w+)::\{([^}]*)\}", code_of(path)):
        for name in re.split(r"[\s,]+", m.group(2)):
            if name:
                names[name] = module + (m.group(1),)
    for m in re.finditer(r"pub use (?:self::)?(\w+)::(\w+);", code_of(path)):
        names[m.group(2)] = module + (m.group(1),)
    return names


def main():
    modules = module_files()
    # Re-exports, followed through (`crate::ScanReport` is `scan::ScanReport`, which is
    # `scan::report::ScanReport`).
    exported = {module: reexports(module, path) for module, path in modules.items()}

    def resolve(parts):
        for _ in range(8):
            for n in range(len(parts), -1, -1):
                head = tuple(parts[:n])
                if (head in modules and n < len(parts) and parts[n] in exported[head]
                        and head + (parts[n],) not in modules):
                    target = exported[head][parts[n]]
                    if target in modules:
                        parts = list(target) + parts[n:]
                        break
            else:
                return parts
        return parts
    graph = {}
    for module, path in modules.items():
        if module == ():
            continue
        code = code_of(path)
        deps = set()
        paths = [m.group(1).split("::") for m in re.finditer(r"\bcrate::((?:\w+::)*\w+)", code)]
        # `super::x` from `a/b.rs` is `a::x`; from `a/mod.rs`, it is `x` at the root.
        is_mod = path.endswith("mod.rs")
        parent = list(module[:-1]) if not is_mod else list(module[:-1])
        for m in re.finditer(r"\bsuper::((?:\w+::)*\w+)", code):
            paths.append(parent + m.group(1).split("::"))
        # `use super::{a, b}` groups and `use crate::{a, b::c}` groups.
        for m in re.finditer(r"\b(crate|super)::\{([^}]*)\}", code):
            base = [] if m.group(1) == "crate" else parent
            for item in re.split(r"\s*,\s*", m.group(2)):
                item = item.strip().split(" as ")[0]
                if item and item != "self":
                    paths.append(base + item.split("::"))
        for parts in paths:
            parts = resolve(parts)
            target = None
            for n in range(len(parts), 0, -1):
                if tuple(parts[:n]) in modules:
                    target = tuple(parts[:n])
                    break
            if target and target != module and target[: len(module)] != module:
                deps.add(target)
        graph[module] = deps
    if "--graph" in sys.argv:
        for module in sorted(graph):
            print("::".join(module), "->", ", ".join(sorted("::".join(d) for d in graph[module])))
    # The same graph between layers: each top-level module (a folder of src/ or a file beside
    # lib.rs) with the imports of everything inside it.
    layers = {}
    for module, deps in graph.items():
        layer = module[:1]
        layers.setdefault(layer, set()).update(d[:1] for d in deps if d[:1] != layer)
    failed = False
    for name, g in (("modules", graph), ("layers", layers)):
        sccs = cycles(g)
        print(f"{name}: {len(g)}, {sum(len(d) for d in g.values())} imports, "
              f"{len(sccs)} cycle(s)")
        for scc in sccs:
            failed = True
            names = sorted("::".join(m) for m in scc)
            print("  cycle:", " <-> ".join(names))
            for m in sorted(scc):
                inside = sorted("::".join(d) for d in g[m] if d in scc)
                print(f"    {'::'.join(m)} imports {', '.join(inside)}")
            if g is layers:
                # Which modules make the layer edges of this cycle.
                for module in sorted(graph):
                    for d in sorted(graph[module]):
                        if module[:1] in scc and d[:1] in scc and d[:1] != module[:1]:
                            print(f"      {'::'.join(module)} -> {'::'.join(d)}")
    sys.exit(1 if failed else 0)


def cycles(graph):
    """Tarjan's strongly connected components of more than one node."""
    index, low, on, stack, sccs, counter = {}, {}, set(), [], [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            scc = []
            while True:
                w = stack.pop()
                on.discard(w)
                scc.append(w)
                if w == v:
                    break
            if len(scc) > 1:
                sccs.append(scc)

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sccs


if __name__ == "__main__":
    main()
