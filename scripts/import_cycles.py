#!/usr/bin/env python3
"""Fail when Chibo's own modules import each other in a circle, or an app imports one it should not.

Every import counts, at the top of a file or inside a function: a circle hidden in a function still ties the
two files together. The graph is built from the source with `ast`, so nothing is imported or run.

The direction (README, "Architecture"): members ← meetings ← minutes ← resolutions ← dues ← dashboards. An app
imports only those before it; notifications is used by all and uses their models and workflows, never their
views; chibo's helpers import no app, only its wiring (URLs, settings, the Celery app) knows them all. A page
that shows what an app above knows asks it through a signal (see chibo/pages.py).

Usage: `python scripts/import_cycles.py [ROOT]` (exit 1 and what is wrong, or exit 0); `make test` runs it.
"""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["chibo", "members", "meetings", "minutes", "resolutions", "dues", "notifications", "dashboards"]
SKIPPED_PARTS = {"migrations", "__pycache__"}
# The apps, lowest first: a module may import the apps before its own, never those after it.
LAYERS = ["members", "meetings", "minutes", "resolutions", "dues", "dashboards"]
# The project's wiring, which may import every app; chibo's other modules are helpers the apps import.
WIRING = {"chibo.urls", "chibo.settings", "chibo.celery", "chibo.wsgi"}


def modules(root):
    """Module name → file, for every module of Chibo's packages."""
    found = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")) if (root / package).is_dir() else []:
            if SKIPPED_PARTS & set(path.relative_to(root).parts):
                continue
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def imported_names(name, path):
    """The dotted names a module imports, relative imports resolved."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                prefix = ".".join([*base, node.module] if node.module else base)
            else:
                prefix = node.module
            yield prefix
            yield from (f"{prefix}.{alias.name}" for alias in node.names)


def graph(root=ROOT):
    known = modules(root)
    edges = {}
    for name, path in known.items():
        targets = set()
        for imported in imported_names(name, path):
            # `from meetings import models` names the module meetings.models; `from meetings.models import
            # Meeting` names meetings.models. Keep the longest known module the name starts with.
            while imported and imported not in known:
                imported = imported.rpartition(".")[0]
            if imported and imported != name and not name.startswith(imported + "."):
                targets.add(imported)
        edges[name] = targets
    return edges


def cycles(edges):
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10000)
    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(found)


def wrong_direction(edges):
    """(module, imported, why) for every import between apps that the direction forbids."""
    found = []
    for name, targets in sorted(edges.items()):
        app = name.split(".")[0]
        for target in sorted(targets):
            other = target.split(".")[0]
            if other == app or name in WIRING:
                continue
            if app == "chibo":
                found.append((name, target, "chibo's helpers import no app"))
            elif target.split(".")[1:2] in (["views"], ["urls"]):
                found.append((name, target, "views and URLs are for chibo/urls.py alone"))
            elif app in LAYERS and other in LAYERS and LAYERS.index(other) > LAYERS.index(app):
                found.append((name, target, f"{app} comes before {other}"))
    return found


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    edges = graph(Path(argv[0]) if argv else ROOT)
    found = cycles(edges)
    for component in found:
        print("import circle: " + " ↔ ".join(component))
        for name in component:
            inside = sorted(target for target in edges[name] if target in component)
            print(f"    {name} imports {', '.join(inside)}")
    wrong = wrong_direction(edges)
    for name, target, why in wrong:
        print(f"wrong direction: {name} imports {target} ({why})")
    if found or wrong:
        return 1
    print(f"no import circle among {len(edges)} modules, and every import runs the right way")
    return 0


if __name__ == "__main__":
    sys.exit(main())
