#!/usr/bin/env python3
"""Every module a target imports must be one of its *direct* declared dependencies.

SwiftPM's `--explicit-target-dependency-import-check` accepts an import reached through the
declared chain (A declares B, B declares C, A imports C), and it checks no target that depends
on a target carrying a build-tool plugin (Lineage's EmbedBuildCommit) — measured with Swift
6.3.1. This script asks the stricter question for every target, from the manifest itself
(`swift package dump-package`) and the `import` lines of each target's sources.

Usage: scripts/check-imports.py [SWIFT]   (exit 1 and one line per undeclared import)
"""
import json
import pathlib
import re
import subprocess
import sys

swift = sys.argv[1] if len(sys.argv) > 1 else "swift"
root = pathlib.Path(__file__).resolve().parent.parent
manifest = json.loads(subprocess.run([swift, "package", "dump-package"], cwd=root, check=True,
                                     capture_output=True, text=True).stdout)
targets = {t["name"]: t for t in manifest["targets"]}
# Modules that products of package dependencies provide (a product name is its module name here).
external_products = {"Crypto", "ArgumentParser"}
import_line = re.compile(r"^\s*(?:@testable\s+|@_implementationOnly\s+|(?:public|package|internal)\s+)?import\s+(?:class\s+|struct\s+|enum\s+|func\s+)?(\w+)", re.M)

def declared(target):
    names = set()
    for dependency in target.get("dependencies", []):
        for kind in ("byName", "target", "product"):
            if kind in dependency:
                names.add(dependency[kind][0])
    return names

problems = []
for name, target in sorted(targets.items()):
    if target["type"] in ("plugin", "system"):
        continue
    folder = root / (target.get("path") or ("Tests/" if target["type"] == "test" else "Sources/") + name)
    allowed = declared(target)
    for source in sorted(folder.rglob("*.swift")):
        if "Fixtures" in source.relative_to(folder).parts:
            continue
        for module in import_line.findall(source.read_text(encoding="utf-8")):
            if (module in targets or module in external_products) and module != name and module not in allowed:
                problems.append(f"{source.relative_to(root)}: target {name} imports {module} without declaring it")

for problem in problems:
    print(problem)
sys.exit(1 if problems else 0)
