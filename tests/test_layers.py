"""The house's picture: the package's parts import only the parts below them (so no
cycles), in the order the data flows: io → dynamics → scoring → cleaning → training
→ report → benchmark → cli (DESIGN.md)."""

import ast

from tests.conftest import ROOT

PACKAGE = ROOT / "spacy_dynclean"
# lowest first; a part may import the parts before it only (the package's
# `__init__`, which holds the version, is below every part)
LAYERS = [
    "errors",
    "util",
    "configs",
    "config",
    "layers",
    "io",
    "dynamics",
    "scoring",
    "cleaning",
    "training",
    "report",
    "results",
    "benchmark",
    "cli",
    "__main__",
]


def part_of(module: str) -> str:
    """`spacy_dynclean.cleaning.rules` → `cleaning`; the package itself → ``."""
    return module.split(".")[1] if "." in module else ""


def imports() -> set[tuple[str, str]]:
    """(importing part, imported part) for every import between two parts."""
    edges = set()
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf8"))):
            if not isinstance(node, ast.ImportFrom):
                continue
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            elif (node.module or "").startswith("spacy_dynclean"):
                target = node.module
            else:
                continue
            if part_of(target) != part_of(module):
                edges.add((part_of(module), part_of(target)))
    return edges


def test_every_part_is_placed():
    parts = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir()}
    parts = {p for p in parts if not p.startswith((".", "__pycache__", "__init__"))}
    assert parts <= set(LAYERS), parts - set(LAYERS)


def test_no_part_imports_a_part_above_it():
    edges = imports()
    assert {("cli", "benchmark"), ("cleaning", "scoring"), ("io", "util")} <= edges
    rank = {part: i for i, part in enumerate(LAYERS)}
    rank[""] = -1
    up = sorted((a, b) for a, b in edges if rank[b] >= rank[a])
    assert not up, f"imports up the layers (or sideways): {up}"


def test_scoring_reads_records_without_spacy():
    """Margin records and scores are plain arrays and JSON lines (DESIGN.md)."""
    spacy_imports = [
        path.name
        for path in (PACKAGE / "scoring").glob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf8")))
        if isinstance(node, (ast.Import, ast.ImportFrom))
        and any(
            name.split(".")[0] in ("spacy", "thinc")
            for name in (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
            )
        )
    ]
    assert not spacy_imports
