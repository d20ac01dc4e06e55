"""The CI workflow (.github/workflows/build.yml) cannot run on our machines, so its parts are
checked here: every script, spec and flag it names exists, it tests with the README's command
on the Python the project requires, it uploads what packaging/archive.py makes, each secret
it uses is documented and only read by steps that run when the secret exists, and actionlint
passes. The build-time assets the spec makes (icons, Windows version resource) are made here
too.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import shutil
import subprocess
import sys
import tomllib
from fnmatch import fnmatch
from importlib.metadata import version as package_version
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "build.yml"
PACKAGING = ROOT / "packaging"


def load(name: str) -> ModuleType:
    """A script of packaging/ as a module (packaging/ is not a package: the name would be
    the PyPI ``packaging`` library's)."""
    spec = importlib.util.spec_from_file_location(f"_packaging_{name}", PACKAGING / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = workflow["jobs"]["build"]["steps"]
    return found


def runs(steps: list[dict[str, Any]]) -> str:
    return "\n".join(str(step.get("run", "")) for step in steps)


def readme_test_command() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"Run the tests:\s*```bash\n(.+?)\n```", text, re.S)
    assert block, "README.md lost its 'Run the tests:' block"
    return block[1].strip()


def test_actionlint_passes() -> None:
    actionlint = shutil.which("actionlint", path=str(Path(sys.executable).parent))
    assert actionlint, "actionlint is in the test extras: pip install -e '.[test]'"
    result = subprocess.run([actionlint, str(WORKFLOW.relative_to(ROOT))], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_matrix_is_linux_windows_and_macos(workflow: dict[str, Any]) -> None:
    include = workflow["jobs"]["build"]["strategy"]["matrix"]["include"]
    systems = [entry["os"].split("-")[0] for entry in include]
    assert sorted(systems) == ["macos", "ubuntu", "windows"]
    assert workflow["jobs"]["build"]["strategy"]["fail-fast"] is False
    venvs = {entry["os"].split("-")[0]: entry["venv"] for entry in include}
    assert venvs == {"ubuntu": ".venv/bin", "macos": ".venv/bin", "windows": ".venv/Scripts"}


def test_every_file_a_step_names_exists(steps: list[dict[str, Any]]) -> None:
    named = set(re.findall(r"(?:packaging|\.ci|tests)/[\w./-]+\.(?:py|sh|spec|plist)",
                           runs(steps)))
    assert {"packaging/build.py", "packaging/check_bundle.py", "packaging/archive.py",
            "packaging/dev-setup.sh", "packaging/macos-entitlements.plist"} <= named
    for path in named:
        assert (ROOT / path).is_file(), path


def test_the_build_runs_the_spec_and_its_helper_exists() -> None:
    build = (PACKAGING / "build.py").read_text(encoding="utf-8")
    assert '"packaging/creatify-studio.spec"' in build
    spec = (PACKAGING / "creatify-studio.spec").read_text(encoding="utf-8")
    ast.parse(spec)  # the spec is Python
    assert "import bundle_assets" in spec and (PACKAGING / "bundle_assets.py").is_file()
    assert '".[bundle]"' in build
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]
    assert any(req.startswith("pyinstaller==") for req in extras["bundle"])
    assert any(req.startswith("pillow") for req in extras["bundle"])


def the_apps_options() -> set[str]:
    """The options ``ui/main.py``'s parser defines (read from its source: the core suite
    runs without Qt, which importing ui.main needs)."""
    tree = ast.parse((ROOT / "ui" / "main.py").read_text(encoding="utf-8"))
    return {arg.value for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "add_argument"
            for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)}


def test_the_self_test_flags_exist_in_the_app() -> None:
    options = the_apps_options()
    checker = (PACKAGING / "check_bundle.py").read_text(encoding="utf-8")
    used = set(re.findall(r'"(--[a-z][a-z-]*)"', checker))
    assert used == {"--self-test", "--data-dir", "--keyring-self-test"}
    assert used <= options, used - options


def test_the_self_test_check_rejects_a_bad_report() -> None:
    check_bundle = load("check_bundle")
    good = {"ok": True, "multimedia": {"loaded": True, "duration_ms": 2000},
            "charts": {"loaded": True},
            "keyring": {"backends_installed": ["SecretService", "Windows", "macOS"]}}
    assert check_bundle.check(good) == []
    assert check_bundle.check({**good, "ok": False})
    assert check_bundle.check({**good, "multimedia": {"loaded": True, "duration_ms": 0}})
    assert check_bundle.check({**good, "keyring": {"backends_installed": ["fail"]}})
    env = check_bundle.bare_environment("/home/x")
    assert "VIRTUAL_ENV" not in env and "PYTHONPATH" not in env and "QT_QPA_PLATFORM" not in env


def test_python_is_the_version_the_project_requires(steps: list[dict[str, Any]]) -> None:
    required = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "requires-python"]
    setups = [step for step in steps if str(step.get("uses", "")).startswith(
        "actions/setup-python@")]
    assert len(setups) == 1
    assert required == f">={setups[0]['with']['python-version']}"


def test_the_tests_run_the_readme_command_on_every_system(steps: list[dict[str, Any]]) -> None:
    command = readme_test_command()
    tests = {step["if"]: step for step in steps if "the README's command" in step.get("name", "")}
    assert set(tests) == {"runner.os == 'Linux'", "runner.os == 'macOS'",
                          "runner.os == 'Windows'"}
    linux = tests["runner.os == 'Linux'"]["run"]
    assert linux.startswith("xvfb-run ")
    assert linux.split(" .venv/", 1)[1] == command.removeprefix(".venv/")
    assert tests["runner.os == 'macOS'"]["run"] == command
    assert tests["runner.os == 'Windows'"]["run"] == command.replace(".venv/bin/",
                                                                      ".venv/Scripts/")
    for system in ("macOS", "Windows"):
        assert tests[f"runner.os == '{system}'"]["env"] == {"QT_QPA_PLATFORM": "offscreen"}


def test_the_uploads_are_what_archive_makes(steps: list[dict[str, Any]]) -> None:
    upload = [step for step in steps if str(step.get("uses", "")).startswith(
        "actions/upload-artifact@")]
    assert len(upload) == 1
    patterns = upload[0]["with"]["path"].split()
    archive = (PACKAGING / "archive.py").read_text(encoding="utf-8")
    names = [name.replace("{version}", "0.1.0") for name in
             re.findall(r'f"(creatify-studio-\{version\}-[a-z.-]+)"', archive)]
    assert sorted(n.split("-")[-1].split(".")[0] for n in names) == ["linux", "macos",
                                                                     "windows"]
    for name in names:
        assert any(fnmatch(f"dist/{name}", pattern) for pattern in patterns), name
    assert upload[0]["with"]["if-no-files-found"] == "error"


def test_secrets_are_documented_and_read_only_when_present(workflow: dict[str, Any],
                                                           steps: list[dict[str, Any]]) -> None:
    text = WORKFLOW.read_text(encoding="utf-8")
    used = set(re.findall(r"secrets\.([A-Z0-9_]+)", text))
    assert used  # signing exists
    guide = (PACKAGING / "README.md").read_text(encoding="utf-8")
    for name in used:
        assert f"`{name}`" in guide, f"{name} is not explained in packaging/README.md"
    flags = workflow["jobs"]["build"]["env"]
    for step in steps:
        if "secrets." in yaml.safe_dump(step.get("env", {})):
            condition = step["if"]
            assert any(flag in condition for flag in flags if flag.startswith("HAVE_")), step


def test_the_spec_makes_icons_from_the_one_source_image(tmp_path: Path) -> None:
    assets = load("bundle_assets")
    source = ROOT / "resources" / "icons" / "creatify-studio.png"
    ico, icns = assets.make_icons(source, tmp_path / "icons")
    with Image.open(ico) as image:
        assert image.format == "ICO"
        assert set(image.info["sizes"]) == set(assets.ICO_SIZES)
    with Image.open(icns) as image:
        assert image.format == "ICNS"
        assert image.size[0] >= 256
    committed = [p for p in (ROOT / "resources" / "icons").iterdir()
                 if p.suffix in (".ico", ".icns", ".png")]
    assert committed == [source]


def test_the_windows_version_resource_carries_the_package_version() -> None:
    assets = load("bundle_assets")
    version = package_version("creatify-studio")
    text = assets.version_file_text(version)

    # PyInstaller evaluates this text with its version-resource classes; here each class
    # records what it was given.
    def recorder(kind: str) -> Any:
        return lambda *args, **kwargs: (kind, args, kwargs)

    names = ["VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable",
             "StringStruct", "VarFileInfo", "VarStruct"]
    info = eval(text, {name: recorder(name) for name in names})
    fixed = info[2]["ffi"][2]
    numbers = tuple(int(n) for n in version.split(".")[:3])
    assert fixed["filevers"][:3] == fixed["prodvers"][:3] == numbers
    table = info[2]["kids"][0][1][0][0][1][1]
    strings = {entry[1][0]: entry[1][1] for entry in table}
    assert strings["FileVersion"] == strings["ProductVersion"] == version
    assert strings["OriginalFilename"] == "creatify-studio.exe"
    assert assets.numeric_version("1.2") == (1, 2, 0, 0)
    assert assets.numeric_version("2.0.1.dev3") == (2, 0, 1, 0)
    with pytest.raises(ValueError):
        assets.numeric_version("dev")


def test_the_spec_builds_each_platforms_native_form() -> None:
    spec = (PACKAGING / "creatify-studio.spec").read_text(encoding="utf-8")
    tree = ast.parse(spec)
    calls = {node.func.id: {kw.arg: ast.unparse(kw.value) for kw in node.keywords}
             for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert calls["EXE"]["console"] == "not (WINDOWS or MACOS)"
    assert "ICO if WINDOWS" in calls["EXE"]["icon"]
    assert "write_version_file(VERSION" in calls["EXE"]["version"]
    assert calls["BUNDLE"]["bundle_identifier"] == "bundle_assets.BUNDLE_ID"
    assert calls["BUNDLE"]["icon"] == "str(ICNS)"
    assert 'package_version("creatify-studio")' in spec
