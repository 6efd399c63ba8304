"""Which files of the package each step's outputs depend on, derived from the imports.

A step runs `module:function`. Its code is: the run module; the censorstats modules that module
imports at its top, that the function imports (lazily, inside it) and that the module's helper
functions it names import; then, following every import of those modules (top-level or inside
functions, since any of their functions may be called), the whole import closure within the
package, with the `__init__.py` of each package on the way (importing censorstats.parse.numbers
runs censorstats/parse/__init__.py). A step that reads raw tables gets them from the validator
before it runs, so it also depends on `pipeline.RAW_READER` and its closure.

No list is kept by hand, so none can be forgotten; the step's declaration (inputs, outputs, run,
params) is hashed with its code, so editing anything else in pipeline.py rebuilds nothing.

Parsing the whole package takes about 0.1 s, more than a no-op build; each file's imports are
kept in data/.build/code_imports.json under the file's SHA-256, and only files whose content
changed are parsed again. Standard library only: a no-op build imports nothing heavy.
"""

from __future__ import annotations

import ast
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from censorstats import pipeline
from censorstats.paths import replace_atomically

PACKAGE_DIR = Path(__file__).resolve().parent
CACHE_NAME = "code_imports.json"
CACHE_FORMAT = 1


def module_name(rel: str, package: str) -> str:
    """`parse/numbers.py` -> `censorstats.parse.numbers`; `parse/__init__.py` -> `censorstats.parse`."""
    parts = [package, *rel.removesuffix(".py").split("/")]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(node: ast.AST, module: str, is_package: bool) -> list[str]:
    """Modules an import statement may load: `from a import b` may load a and a.b."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    base = node.module or ""
    if node.level:  # relative: from the module's own package, one level up per extra dot
        parts = module.split(".") if is_package else module.split(".")[:-1]
        parts = parts[: len(parts) - (node.level - 1)]
        base = ".".join(parts + ([node.module] if node.module else []))
    return [base] + [f"{base}.{alias.name}" for alias in node.names if alias.name != "*"]


def _only_for_type_checkers(node: ast.AST) -> bool:
    """`if TYPE_CHECKING:` blocks never run, so what they import is no code of a step."""
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports_in(nodes: Iterable[ast.AST], module: str, is_package: bool, into_functions: bool) -> list[str]:
    found: list[str] = []
    todo = list(nodes)
    while todo:
        node = todo.pop()
        if _only_for_type_checkers(node):
            todo.extend(getattr(node, "orelse", []))
            continue
        found += _imported(node, module, is_package)
        if into_functions or not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            todo.extend(ast.iter_child_nodes(node))
    return found


def analyse(source: bytes, module: str, is_package: bool) -> dict:
    """One file's imports within the package: at the top, anywhere, and per top-level function."""
    tree = ast.parse(source)
    package = module.split(".")[0]

    def ours(names: list[str]) -> list[str]:
        return sorted({n for n in names if n == package or n.startswith(package + ".")})

    functions = {node.name: node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    return {
        "top": ours(_imports_in(tree.body, module, is_package, into_functions=False)),
        "all": ours(_imports_in(tree.body, module, is_package, into_functions=True)),
        "functions": {
            name: {
                "imports": ours(_imports_in([node], module, is_package, into_functions=True)),
                "names": sorted({n.id for n in ast.walk(node) if isinstance(n, ast.Name)} & functions.keys() - {name}),
            }
            for name, node in functions.items()
        },
    }


def _read_cache(path: Path) -> dict:
    try:
        cache = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return cache.get("files", {}) if isinstance(cache, dict) and cache.get("format") == CACHE_FORMAT else {}


def _write_cache(path: Path, files: dict) -> None:
    """Best effort: a cache that cannot be written only costs the next run a re-parse."""
    try:
        replace_atomically(path, json.dumps({"format": CACHE_FORMAT, "files": files}, sort_keys=True).encode("utf-8"))
    except OSError:
        pass


class PackageCode:
    """Every .py file of the package with its SHA-256 and imports, read once per status or build."""

    def __init__(self, cache_dir: Path, package_dir: Path | None = None):
        package_dir = package_dir or PACKAGE_DIR
        self.package = package_dir.name
        self.sha: dict[str, str] = {}
        for path in sorted(package_dir.rglob("*.py")):
            rel = path.relative_to(package_dir).as_posix()
            self.sha[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
        self.module_file = {module_name(rel, self.package): rel for rel in self.sha}
        cache_path = cache_dir / CACHE_NAME
        cached = _read_cache(cache_path)
        self.imports: dict[str, dict] = {}
        for rel, sha in self.sha.items():
            entry = cached.get(rel)
            if entry is None or entry.get("sha256") != sha:
                source = (package_dir / rel).read_bytes()
                entry = {"sha256": sha, **analyse(source, module_name(rel, self.package), rel.endswith("__init__.py"))}
            self.imports[rel] = entry
        if self.imports != cached:
            _write_cache(cache_path, self.imports)

    def _files_of(self, module: str) -> list[str]:
        """The file of a module and of each package above it, as far as they are ours."""
        parts = module.split(".")
        names = [".".join(parts[:i]) for i in range(1, len(parts) + 1)]
        return [self.module_file[n] for n in names if n in self.module_file]

    def files(self, step: pipeline.Step) -> list[str]:
        """The package files (relative to the package folder) whose source the step's outputs depend on."""
        module, function = step.run.split(":")
        run_file = self.module_file[module]
        seeds = set(self.imports[run_file]["top"])
        functions = self.imports[run_file]["functions"]
        todo, seen = [function], set()
        while todo:
            name = todo.pop()
            if name not in seen and name in functions:
                seen.add(name)
                seeds.update(functions[name]["imports"])
                todo.extend(functions[name]["names"])
        if any(p.startswith("data/raw/") for p in step.inputs):
            if pipeline.RAW_READER not in self.module_file:
                raise KeyError(f"pipeline.RAW_READER names no module of the package: {pipeline.RAW_READER}")
            seeds.add(pipeline.RAW_READER)
        found = set(self._files_of(module))
        queue = sorted(seeds)
        while queue:
            for rel in self._files_of(queue.pop()):
                if rel not in found:
                    found.add(rel)
                    queue.extend(self.imports[rel]["all"])
        return sorted(found)

    def hash(self, step: pipeline.Step) -> str:
        """SHA-256 over the step's declaration and the content of each of its code files."""
        digest = hashlib.sha256(repr((step.name, step.inputs, step.outputs, step.run, step.params)).encode())
        for rel in self.files(step):
            digest.update(b"\0" + rel.encode() + b"\0" + self.sha[rel].encode())
        return digest.hexdigest()
