"""The layers point one way: realtime imports no app, community never imports inquiry,
and no module imports another that imports it back (at the top or hidden in a
function). Read from the source with `ast`, so a new import that breaks a layer fails
here, with its file and line, before anyone has to untangle it."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("config", "community", "inquiry", "realtime")


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    _module(path): path
    for package in PACKAGES
    for path in (ROOT / package).rglob("*.py")
    if "migrations" not in path.parts
}


def _ours(name: str) -> str | None:
    """The module of ours that an import names (its longest known prefix)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports(module: str) -> list[tuple[str, int]]:
    """(module of ours, line) for every import in `module`, wherever it stands."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package
                for _ in range(node.level - 1):
                    anchor = anchor.rpartition(".")[0]
                base = f"{anchor}.{base}".rstrip(".")
            names = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            if (target := _ours(name)) and target != module:
                found.append((target, node.lineno))
    return found


GRAPH = {module: imports(module) for module in MODULES}


def _violations(source: str, target: str) -> list[str]:
    return [
        f"{MODULES[module].relative_to(ROOT)}:{line} imports {imported}"
        for module, edges in GRAPH.items()
        if module.split(".")[0] == source
        for imported, line in edges
        if imported.split(".")[0] == target
    ]


def test_realtime_imports_no_app():
    assert _violations("realtime", "community") + _violations("realtime", "inquiry") == []


def test_community_never_imports_inquiry():
    assert _violations("community", "inquiry") == []


def test_no_module_imports_one_that_imports_it_back():
    """Strongly connected components of the import graph (Tarjan): each must be one
    module (a package's __init__ re-exporting its submodules is not a circle: the
    submodules import their siblings, never the package)."""
    index, low, on_stack, stack, circles = {}, {}, set(), [], []

    def visit(module):
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target, _ in GRAPH[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while (member := stack.pop()) != module:
                on_stack.discard(member)
                component.append(member)
            on_stack.discard(module)
            if component:
                circles.append(sorted([module, *component]))

    for module in GRAPH:
        if module not in index:
            visit(module)
    assert circles == []


def test_the_graph_is_read():
    """The checks above would pass on an empty graph: make sure they see real edges."""
    assert "community.models" in {target for target, _ in GRAPH["community.rules"]}
    assert "community.rules" in {target for target, _ in GRAPH["inquiry.rules"]}
