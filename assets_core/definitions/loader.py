"""Find and load a code location: ``-m MODULE``, ``-f FILE.py`` or pyproject.toml."""

from __future__ import annotations

import importlib
import importlib.util
import sys
import tomllib
import traceback
from pathlib import Path
from types import ModuleType

from assets_core.definitions.asset import AssetsDefinition
from assets_core.definitions.repository import Definitions
from assets_core.errors import AssetlineError, CodeLocationError, UsageError

#: The module name of a code location loaded from a file is this prefix + its stem.
LOCATION_FILE_PREFIX = "_assetline_location_"


def configured_module(cwd: Path | None = None) -> str | None:
    """``[tool.assetline] module`` from the working directory's pyproject.toml."""
    path = (cwd or Path.cwd()) / "pyproject.toml"
    if not path.is_file():
        return None
    with path.open("rb") as f:
        data = tomllib.load(f)
    module = data.get("tool", {}).get("assetline", {}).get("module")
    return module if isinstance(module, str) else None


def load_definitions(
    module: str | None = None, file: str | Path | None = None, cwd: Path | None = None
) -> Definitions:
    """Load the code location named by ``module`` or ``file``, else the one configured
    in pyproject.toml. A module exposes ``defs`` or its asset objects are collected."""
    if module and file:
        raise UsageError("Give either -m MODULE or -f FILE.py, not both.")
    if file is not None:
        mod = _import_file(Path(file))
    else:
        module = module or configured_module(cwd)
        if not module:
            raise UsageError(
                "No code location: pass -m MODULE or -f FILE.py, or set "
                '[tool.assetline] module = "..." in pyproject.toml.'
            )
        mod = _import_module(module, cwd)
    return definitions_from_module(mod)


def definitions_from_module(mod: ModuleType) -> Definitions:
    defs = getattr(mod, "defs", None)
    if isinstance(defs, Definitions):
        return defs
    from assets_core.checks.check import AssetCheckDefinition

    values = list(vars(mod).values())
    assets = [v for v in values if isinstance(v, AssetsDefinition)]
    checks = [v for v in values if isinstance(v, AssetCheckDefinition)]
    if not assets:
        raise CodeLocationError(
            f"{mod.__file__} defines no assets and no `defs`. "
            "Define `defs = Definitions(assets=[...])` or module-level @asset functions."
        )
    return Definitions(assets=assets, checks=checks)


def _import_module(name: str, cwd: Path | None) -> ModuleType:
    root = str(cwd or Path.cwd())
    if root not in sys.path:
        sys.path.insert(0, root)
    try:
        return importlib.import_module(name)
    except AssetlineError:
        raise
    except ModuleNotFoundError as e:
        if e.name and (name == e.name or name.startswith(e.name + ".")):
            raise CodeLocationError(
                f"Cannot import code location module {name!r} from {root}: {e}. "
                "Check the name, or run from the project's directory."
            ) from None
        raise CodeLocationError(_import_failure(name, e)) from e
    except Exception as e:
        raise CodeLocationError(_import_failure(name, e)) from e


def _import_file(path: Path) -> ModuleType:
    path = path.resolve()
    if not path.is_file():
        raise CodeLocationError(f"Code location file {path} does not exist.")
    name = f"{LOCATION_FILE_PREFIX}{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise CodeLocationError(f"Cannot load {path} as a Python module.")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    if str(path.parent) not in sys.path:
        sys.path.insert(0, str(path.parent))
    try:
        spec.loader.exec_module(module)
    except AssetlineError:
        sys.modules.pop(name, None)
        raise
    except Exception as e:
        sys.modules.pop(name, None)
        raise CodeLocationError(_import_failure(str(path), e)) from e
    return module


def _import_failure(what: str, e: BaseException) -> str:
    frames = traceback.extract_tb(e.__traceback__)
    user = [f for f in frames if "importlib" not in f.filename]
    where = f" at {user[-1].filename}:{user[-1].lineno}" if user else ""
    return (
        f"Importing code location {what} failed{where}: {type(e).__name__}: {e}. "
        "Fix the error in that file, then run `assetline validate`."
    )
