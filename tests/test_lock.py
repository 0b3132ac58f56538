"""The lock (requirements.txt) installs on Python 3.11, 3.12 and 3.13 on Linux x86-64.

Offline (fast): every line is an exact pin, pyproject.toml declares dependencies the lock
satisfies, and every dependency of a pinned package is itself pinned, for each supported
Python version (read from the installed packages' metadata and evaluated per version).

Against the package index (``network``, ``slow``), without needing those interpreters:
pip downloads every pin as a wheel for each supported version (``--only-binary=:all:
--no-deps``) for manylinux up to glibc 2.35, the oldest of the supported distributions;
a test fails naming each package that has no build. The few pins that exist only as
source (``SOURCE_ONLY``) are checked by their ``Requires-Python`` and for having no
compiled code. Where ``python3.12`` or ``python3.13`` runs on this machine, a new venv
gets the lock, must hold exactly the lock, and imports every module of ``neethelpers``.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.parser import Parser
from importlib import metadata
from pathlib import Path

import pytest
from packaging import tags
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name, parse_sdist_filename, parse_wheel_filename
from packaging.version import Version

from neethelpers import paths

REQUIREMENTS = paths.PROJECT_ROOT / "requirements.txt"
PYPROJECT = paths.PROJECT_ROOT / "pyproject.toml"

#: The versions the Makefile accepts (its SUPPORTED_PYTHONS) and the README names. Each is
#: checked as its first release, X.Y.0: a pin whose Requires-Python asks for a later patch
#: release would fail on a distribution's Python (Ubuntu 22.04's python3.11 is 3.11.0,
#: Debian 12's 3.11.2).
SUPPORTED = ("3.11", "3.12", "3.13")
RUNNING = f"{sys.version_info.major}.{sys.version_info.minor}"

#: Ubuntu 22.04 has glibc 2.35 (Debian 12: 2.36, Ubuntu 24.04: 2.39, Debian 13: 2.41): a
#: wheel must be manylinux_2_35 or older to install on every supported distribution.
OLDEST_GLIBC_MINOR = 35
PLATFORMS = [f"manylinux_2_{minor}_x86_64" for minor in range(OLDEST_GLIBC_MINOR, 4, -1)] + [
    "manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"]

#: Pins published only as source, each pure Python (checked below): pip builds them anywhere.
SOURCE_ONLY = {"pyjstat"}

#: Files in a source distribution that mean compiled code (which would need a compiler).
COMPILED_SOURCE = re.compile(r"\.(c|cc|cpp|cxx|h|hpp|pyx|pxd|rs|f|f90|go)$|(^|/)Cargo\.toml$", re.IGNORECASE)

#: What pip prints when it cannot reach the index at all (as opposed to finding no build).
UNREACHABLE = re.compile(r"Retrying \(Retry\(|NewConnectionError|Failed to establish a new connection|"
                         r"Temporary failure in name resolution|ConnectTimeout|ProxyError|Network is unreachable")


@dataclass(frozen=True)
class Pin:
    name: str  # canonical
    version: str
    marker: Marker | None
    line: str


def lock() -> list[Pin]:
    pins = []
    for number, raw in enumerate(REQUIREMENTS.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        req = Requirement(line)
        specs = list(req.specifier)
        assert len(specs) == 1 and specs[0].operator == "==" and "*" not in specs[0].version and not req.extras, (
            f"requirements.txt line {number}: {raw!r} is not an exact pin (NAME==VERSION [; marker])")
        pins.append(Pin(canonicalize_name(req.name), specs[0].version, req.marker, raw))
    return pins


@dataclass(frozen=True)
class Installed:
    version: str
    requires: tuple[Requirement, ...]


@functools.cache
def installed() -> dict[str, Installed]:
    """The running environment's distributions by canonical name (metadata read once)."""
    found: dict[str, Installed] = {}
    for dist in metadata.distributions():
        meta = dist.metadata
        name = canonicalize_name(meta["Name"])
        if name not in found:  # the first on sys.path wins, as for import
            found[name] = Installed(meta["Version"], tuple(Requirement(r) for r in meta.get_all("Requires-Dist") or []))
    return found


def marker_environment(version: str) -> dict[str, str]:
    """Environment markers of CPython ``version`` on Linux x86-64."""
    return {"python_version": version, "python_full_version": f"{version}.0", "implementation_name": "cpython",
            "platform_python_implementation": "CPython", "sys_platform": "linux", "platform_system": "Linux",
            "platform_machine": "x86_64", "os_name": "posix", "extra": ""}


def pins_for(version: str) -> dict[str, str]:
    """{canonical name: version} that ``pip install -r requirements.txt`` installs on ``version``."""
    env = marker_environment(version)
    return {p.name: p.version for p in lock() if p.marker is None or p.marker.evaluate(env)}


# --- offline ---------------------------------------------------------------------------------


def test_every_line_is_an_exact_pin_and_no_package_is_pinned_twice():
    pins = lock()
    assert len(pins) > 100
    for version in SUPPORTED:
        applying = [p.name for p in pins if p.marker is None or p.marker.evaluate(marker_environment(version))]
        twice = sorted({n for n in applying if applying.count(n) > 1})
        assert not twice, f"pinned more than once for Python {version}: {twice}"


def test_pyproject_declares_dependencies_that_the_lock_satisfies():
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    declared = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    assert len(project["dependencies"]) >= 20 and "pytest" in " ".join(project["optional-dependencies"]["test"])
    for version in SUPPORTED:
        pinned = pins_for(version)
        for text in declared:
            req = Requirement(text)
            name = canonicalize_name(req.name)
            assert name in pinned, f"pyproject.toml declares {text!r}, which requirements.txt does not pin"
            assert req.specifier, f"pyproject.toml declares {text!r} without a lower bound"
            assert req.specifier.contains(pinned[name], prereleases=True), (
                f"pyproject.toml declares {text!r} but requirements.txt pins {name}=={pinned[name]}")


@pytest.mark.parametrize("version", SUPPORTED)
def test_every_dependency_of_a_pinned_package_is_pinned(version):
    """A requirement left unpinned would make pip pick whatever is newest on install day."""
    pinned = pins_for(version)
    env = marker_environment(version)
    checked, unpinned = 0, []
    for name, pin_version in pinned.items():
        dist = installed().get(name)
        if dist is None or dist.version != pin_version:
            continue  # its requirements may differ; the lock's own environment is checked below
        checked += 1
        for req in dist.requires:
            if (req.marker is None or req.marker.evaluate(env)) and canonicalize_name(req.name) not in pinned:
                unpinned.append(f"{name} requires '{req}' on Python {version}")
    assert checked >= len(pinned) * 0.9, "most pins are not installed here: run `make venv`"
    assert not unpinned, "requirements.txt lacks pins:\n" + "\n".join(unpinned)


def test_this_environment_is_the_lock():
    """The suite tests what the lock installs (`make venv` re-installs when the lock changes)."""
    differ = []
    for name, version in pins_for(RUNNING).items():
        dist = installed().get(name)
        found = dist.version if dist else "not installed"
        if found != version:
            differ.append(f"{name}: lock {version}, installed {found}")
    assert not differ, "this environment differs from requirements.txt (run `make venv`):\n" + "\n".join(differ)


# --- against the package index ----------------------------------------------------------------


def pip(*args: str, python: str | Path = sys.executable, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run([str(python), "-m", "pip", "--disable-pip-version-check", "--retries", "2",
                           "--timeout", "60", *args], capture_output=True, text=True, timeout=timeout)


def check_reachable(result: subprocess.CompletedProcess) -> None:
    """Skip (fail under CI) when pip could not reach the package index at all."""
    if result.returncode != 0 and (match := UNREACHABLE.search(result.stderr)):
        reason = f"the package index is unreachable ({match.group(0)})"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason + "; CI runs this test")


def target_tags(version: str) -> set[tags.Tag]:
    major, minor = map(int, version.split("."))
    return {*tags.cpython_tags((major, minor), platforms=PLATFORMS),
            *tags.compatible_tags((major, minor), f"cp{major}{minor}", platforms=PLATFORMS)}


YANKED = re.compile(r"yanked version: '([^']+)' candidate \(version (\S+)")


def download_wheels(version: str, dest: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Download every binary pin for ``version`` into ``dest``. Return ({name: pip's reason}
    for the pins that have no wheel, {name: version} for pins that are yanked); pip stops at
    the first pin without a wheel, so it is asked again without that one."""
    platform_args = [arg for platform in PLATFORMS for arg in ("--platform", platform)]
    todo = {n: v for n, v in pins_for(version).items() if n not in SOURCE_ONLY}
    missing: dict[str, str] = {}
    yanked: dict[str, str] = {}
    while todo:
        listing = dest / "pins.txt"
        listing.write_text("".join(f"{n}=={v}\n" for n, v in todo.items()), encoding="utf-8")
        result = pip("download", "--no-deps", "--only-binary=:all:", "--python-version", f"{version}.0", *platform_args,
                     "--dest", str(dest), "-r", str(listing))
        listing.unlink()
        yanked.update({canonicalize_name(n): v for n, v in YANKED.findall(result.stdout + result.stderr)})
        if result.returncode == 0:
            break
        check_reachable(result)
        found = re.search(r"No matching distribution found for (\S+)", result.stderr)
        if not found:
            pytest.fail(f"pip download for Python {version} failed:\n{result.stderr[-3000:]}")
        name = canonicalize_name(Requirement(found.group(1)).name)
        if name not in todo:
            pytest.fail(f"pip download for Python {version} failed on {name}:\n{result.stderr[-3000:]}")
        reason = [ln for ln in result.stderr.splitlines() if "ERROR" in ln or "Ignored" in ln]
        missing[name] = f"{name}=={todo.pop(name)}: " + " / ".join(reason)[-600:]
    return missing, yanked


@pytest.fixture(scope="module")
def wheels(tmp_path_factory) -> dict[str, tuple[Path, dict[str, str], dict[str, str]]]:
    """{version: (folder of downloaded wheels, pins without a wheel, yanked pins)}; the three
    versions are asked for at once."""
    folders = {version: tmp_path_factory.mktemp(f"wheels-{version}") for version in SUPPORTED}
    with ThreadPoolExecutor(len(SUPPORTED)) as pool:
        futures = {version: pool.submit(download_wheels, version, folders[version]) for version in SUPPORTED}
        return {version: (folders[version], *future.result()) for version, future in futures.items()}


@pytest.mark.slow
@pytest.mark.network
@pytest.mark.parametrize("version", SUPPORTED)
def test_every_binary_pin_has_a_wheel(wheels, version):
    folder, missing, yanked = wheels[version]
    assert not yanked, f"yanked pins (withdrawn by their authors; pick another version): {yanked}"
    assert not missing, (f"no wheel for Python {version} on Linux x86-64 (manylinux, glibc <= 2.{OLDEST_GLIBC_MINOR}):\n"
                         + "\n".join(missing.values()))
    # What pip chose, checked again: each pin has a wheel of its exact version whose tags fit.
    fitting = target_tags(version)
    got = {}
    for wheel in folder.glob("*.whl"):
        name, wheel_version, _, wheel_tags = parse_wheel_filename(wheel.name)
        if wheel_tags & fitting:
            got[name] = wheel_version
    expected = {n: v for n, v in pins_for(version).items() if n not in SOURCE_ONLY}
    wrong = {n: (v, got.get(n)) for n, v in expected.items() if got.get(n) != Version(v)}
    assert not wrong, f"wheels for Python {version} that do not match the pins (pin, downloaded): {wrong}"


@pytest.mark.slow
@pytest.mark.network
@pytest.mark.parametrize("version", SUPPORTED)
def test_source_only_pins_are_pure_python_and_admit_the_version(tmp_path, version):
    pinned = pins_for(version)
    for name in sorted(SOURCE_ONLY):
        assert name in pinned, f"SOURCE_ONLY names {name}, which requirements.txt does not pin"
        result = pip("download", "--no-deps", "--no-binary=:all:", "--python-version", f"{version}.0",
                     "--dest", str(tmp_path), f"{name}=={pinned[name]}")
        check_reachable(result)
        assert result.returncode == 0, f"{name}=={pinned[name]} on Python {version}:\n{result.stderr[-2000:]}"
        (sdist,) = [p for p in tmp_path.iterdir() if p.name.endswith((".tar.gz", ".zip"))
                    and canonicalize_name(parse_sdist_filename(p.name)[0]) == name]
        with tarfile.open(sdist) as archive:
            members = archive.getnames()
            compiled = [m for m in members if COMPILED_SOURCE.search(m)]
            pkg_info = next(m for m in members if m.count("/") == 1 and m.endswith("/PKG-INFO"))
            info = Parser().parsestr(archive.extractfile(pkg_info).read().decode("utf-8"))
        assert not compiled, f"{sdist.name} has compiled code, so it needs a wheel: {compiled[:5]}"
        requires_python = info.get("Requires-Python")
        if requires_python:
            assert SpecifierSet(requires_python).contains(f"{version}.0"), (
                f"{name}=={pinned[name]} requires Python {requires_python}, not {version}")


def find_python(version: str) -> str | None:
    """A ``python3.X`` that runs and has venv: on the PATH, or installed by pyenv (whose shim
    on the PATH runs only when that version is selected)."""
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates = [shutil.which(f"python{version}"),
                  *sorted((str(p) for p in pyenv.glob(f"versions/{version}.*/bin/python{version}")), reverse=True)]
    for candidate in filter(None, candidates):
        probe = subprocess.run([candidate, "-c", "import sys, venv, ensurepip; print('%d.%d' % sys.version_info[:2])"],
                               capture_output=True, text=True)
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return candidate
    return None


OTHER_VERSIONS = [v for v in SUPPORTED if v != RUNNING]


def install_lock(python: str, folder: Path) -> tuple[Path, subprocess.CompletedProcess]:
    """A new venv of ``python`` in ``folder`` with ``pip install -r requirements.txt``."""
    venv = folder / "venv"
    subprocess.run([python, "-m", "venv", str(venv)], check=True, capture_output=True)
    venv_python = venv / "bin" / "python"
    return venv_python, pip("install", "--no-compile", "-q", "-r", str(REQUIREMENTS), python=venv_python, timeout=1800)


@pytest.fixture(scope="module")
def lock_venvs(tmp_path_factory) -> dict[str, tuple[Path, subprocess.CompletedProcess] | None]:
    """{version: (the venv's python, pip's result)} for every other supported version with an
    interpreter here (None without one). The installs run at the same time: they mostly wait
    for the index and the disk, so two take hardly longer than one."""
    pythons = {version: find_python(version) for version in OTHER_VERSIONS}
    with ThreadPoolExecutor(max(1, len(OTHER_VERSIONS))) as pool:
        futures = {version: pool.submit(install_lock, python, tmp_path_factory.mktemp(f"lock-{version}"))
                   for version, python in pythons.items() if python}
        return {version: futures[version].result() if version in futures else None for version in OTHER_VERSIONS}


@pytest.mark.slow
@pytest.mark.network
@pytest.mark.parametrize("version", OTHER_VERSIONS)
def test_the_lock_installs_in_a_new_venv_and_neethelpers_imports(lock_venvs, tmp_path, version):
    if lock_venvs[version] is None:
        pytest.skip(f"no python{version} runs on this machine (the download test covers {version})")
    venv_python, result = lock_venvs[version]
    check_reachable(result)
    assert result.returncode == 0, f"pip install -r requirements.txt on Python {version}:\n{result.stderr[-3000:]}"

    freeze = pip("freeze", "--all", python=venv_python)
    in_venv = {canonicalize_name(n): v for n, v in re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+)$", freeze.stdout, re.M)}
    in_venv.pop("pip", None)
    expected = pins_for(version)
    assert in_venv == expected, (
        f"the venv on Python {version} holds something else than the lock: "
        f"not pinned {sorted(set(in_venv) - set(expected))}, missing {sorted(set(expected) - set(in_venv))}, "
        f"other versions {sorted(n for n in in_venv if n in expected and in_venv[n] != expected[n])}")
    assert pip("check", python=venv_python).returncode == 0

    code = ("import importlib, pkgutil, neethelpers\n"
            "names = [m.name for m in pkgutil.walk_packages(neethelpers.__path__, 'neethelpers.')\n"
            "         if not m.name.endswith('.__main__')]  # those run the CLI\n"
            "for name in names: importlib.import_module(name)\n"
            "print(len(names))\n")
    env = {**os.environ, "PYTHONPATH": str(paths.PROJECT_ROOT), "MPLBACKEND": "Agg"}
    imported = subprocess.run([str(venv_python), "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env)
    output = imported.stdout[-1000:] + imported.stderr[-3000:]
    assert imported.returncode == 0, f"importing neethelpers on Python {version}:\n{output}"
    assert int(imported.stdout.split()[-1]) > 20
