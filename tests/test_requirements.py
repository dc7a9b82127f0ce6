"""
Every third-party package that a test module imports is pinned in the requirements that `make install`
installs. A package that only came along with another one (hypothesis with schemathesis, numpy with pandas)
can leave with that one's next release; an import nobody declared fails here instead of on a new machine.
"""

import ast
import re
import sys
from functools import cache
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What `make install` installs; the files it names with `-r` are read as well.
REQUIREMENTS = ROOT / "requirements-dev.txt"
REQUIREMENT = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*(?P<pin>==)?")


def normalized(name: str) -> str:
    """A distribution's name as the package index compares them: factory_boy and Factory-Boy are factory-boy."""
    return re.sub(r"[-_.]+", "-", name).lower()


def declared_in(path: Path) -> dict[str, bool]:
    """Each distribution the file declares, with those of the files it includes: is it pinned with ==?"""
    declared = {}
    for line in path.read_text().splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        option, _, argument = line.partition(" ")
        if option in ("-r", "--requirement"):
            declared |= declared_in(path.parent / argument.strip())
        elif match := REQUIREMENT.match(line):
            declared[normalized(match["name"])] = bool(match["pin"])
    return declared


def imported_names(source: str) -> set[str]:
    """The top-level names of a module's absolute imports, those inside functions included."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.partition(".")[0])
    return names


def is_first_party(name: str) -> bool:
    return (ROOT / name / "__init__.py").exists() or (ROOT / f"{name}.py").exists()


@cache
def installed() -> dict[str, list[str]]:
    return packages_distributions()


def distributions_of(name: str) -> list[str]:
    """The distributions that install an import name (factory: factory-boy); the name itself if none does."""
    return [normalized(distribution) for distribution in installed().get(name, [name])]


def undeclared_imports(source: str, declared: dict[str, bool]) -> list[str]:
    """What is wrong with the third-party imports of one module, given the declared distributions."""
    problems = []
    for name in sorted(imported_names(source)):
        if name in sys.stdlib_module_names or is_first_party(name):
            continue
        distributions = distributions_of(name)
        if any(declared.get(distribution) for distribution in distributions):
            continue
        said = "declares but does not pin with ==" if any(d in declared for d in distributions) else "does not declare"
        problems.append(f"imports {name} ({' or '.join(distributions)}), which {REQUIREMENTS.name} {said}")
    return problems


def test_every_package_a_test_imports_is_pinned_in_the_requirements():
    declared = declared_in(REQUIREMENTS)
    modules = sorted((ROOT / "tests").rglob("*.py"))

    problems = [
        f"{module.relative_to(ROOT)} {problem}"
        for module in modules
        for problem in undeclared_imports(module.read_text(), declared)
    ]

    assert len(modules) > 50
    assert not problems, "\n".join(problems)


def test_an_import_nobody_declared_is_reported_and_a_declared_one_is_not():
    source = """
import json
import numpy as np
from hypothesis import given
from . import api_fixtures
from tests.factories import PostFactory


def later():
    import yaml
"""
    declared = {"hypothesis": True, "numpy": False}

    assert undeclared_imports(source, declared) == [
        "imports numpy (numpy), which requirements-dev.txt declares but does not pin with ==",
        "imports yaml (pyyaml), which requirements-dev.txt does not declare",
    ]


def test_import_names_are_looked_up_under_the_distribution_that_installs_them():
    assert distributions_of("factory") == ["factory-boy"]
    assert distributions_of("rest_framework") == ["djangorestframework"]
    assert distributions_of("dateutil") == ["python-dateutil"]
    assert distributions_of("psycopg") == ["psycopg"]
    assert distributions_of("playwright") == ["playwright"]


def test_the_requirements_are_read_with_the_file_they_include(tmp_path):
    (tmp_path / "requirements.txt").write_text("# Runtime.\nDjango==5.2.19\npsycopg[binary]==3.3.9  # driver\n")
    (tmp_path / "requirements-dev.txt").write_text("-r requirements.txt\nfactory_boy==3.3.3\nhypothesis>=6\n")

    assert declared_in(tmp_path / "requirements-dev.txt") == {
        "django": True,
        "psycopg": True,
        "factory-boy": True,
        "hypothesis": False,
    }
