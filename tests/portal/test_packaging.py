"""pyproject.toml is an installable description of the project: a build system, the apps as its
packages, and direct dependencies (the test extra included: everything bin/test runs) that the
pinned versions in requirements.lock satisfy."""
import re
import tomllib
from fnmatch import fnmatch
from pathlib import Path

from django.apps import apps
from django.conf import settings
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(settings.BASE_DIR)
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def locked_versions() -> dict[str, str]:
    lines = (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
    pins = (re.fullmatch(r"([A-Za-z0-9_.\-]+)==(\S+)", line.strip()) for line in lines)
    return {canonicalize_name(pin[1]): pin[2] for pin in pins if pin}


def test_it_is_built_with_setuptools_from_an_explicit_package_list():
    assert PYPROJECT["build-system"]["build-backend"] == "setuptools.build_meta"
    include = PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    # Every app of the portal (not Django's or a library's) is a package of the wheel ...
    own_apps = [config.name for config in apps.get_app_configs() if Path(config.path).parent == ROOT]
    assert own_apps and all(any(fnmatch(name, pattern) for pattern in include) for name in own_apps), own_apps
    # ... and none of the folders beside them is.
    for folder in ("tests", "bench", "bin", "deploy", "docs", "var", "node_modules", "templates", "static"):
        assert not any(fnmatch(folder, pattern) for pattern in include), folder


def test_every_direct_dependency_is_met_by_the_lock_file():
    locked = locked_versions()
    project = PYPROJECT["project"]
    requirements = [*project["dependencies"], *(r for extra in project["optional-dependencies"].values() for r in extra)]
    unmet = []
    for text in requirements:
        requirement = Requirement(text)
        version = locked.get(canonicalize_name(requirement.name))
        if version is None or not requirement.specifier.contains(version, prereleases=True):
            unmet.append(f"{text} (locked: {version})")
    assert unmet == []


def test_the_test_extra_holds_every_tool_bin_test_runs():
    test_extra = {canonicalize_name(Requirement(text).name) for text in PYPROJECT["project"]["optional-dependencies"]["test"]}
    # bin/test: pytest with pytest-django, -n N through pytest-xdist; hypothesis and playwright tests.
    assert "-n" in (ROOT / "bin" / "test").read_text(encoding="utf-8")
    assert test_extra >= {"pytest", "pytest-django", "pytest-xdist", "hypothesis", "playwright"}
