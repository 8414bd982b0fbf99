"""pyproject.toml lists the wheel's packages by name: a package folder missing from it would be
left out of the wheel (and a learner's `import` would fail only after installing)."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_folder_is_in_the_wheel():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    on_disk = {".".join(init.parent.relative_to(ROOT).parts)
               for top in ("mlp_lab", "checks") for init in (ROOT / top).rglob("__init__.py")
               if "__pycache__" not in init.parts}
    missing = on_disk - listed
    assert not missing, f"add {sorted(missing)} to [tool.setuptools] packages in pyproject.toml"


def test_package_data_exists():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    folders = {name: ROOT.joinpath(*name.split(".")) for name in config["packages"]}
    folders.update({name: ROOT / path for name, path in config["package-dir"].items()})
    folders["checks.chapters.solutions"] = ROOT / "chapters" / "solutions"
    for package, patterns in config["package-data"].items():
        for pattern in patterns:
            assert list(folders[package].glob(pattern)), f"{package}: nothing matches {pattern!r}"
