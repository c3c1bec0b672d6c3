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
from assets_core.errors import (
    AssetlineError,
    CodeLocationError,
    SourceLocation,
    UsageError,
    is_user_file,
)

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
    in pyproject.toml. A module exposes ``defs`` or its asset objects are collected.

    Args:
        module: A module to import, ``"my_project.assets"``.
        file: A Python file to load instead, ``"pipeline.py"``.
        cwd: Where pyproject.toml and relative module paths are looked up (default:
            the working directory).

    Raises:
        UsageError: Both or neither of ``module`` / ``file`` are given (and none is
            configured).
        CodeLocationError: The code location cannot be imported or defines no assets.
    """
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
            f"{mod.__file__} defines no assets and no `defs`.",
            "Define `defs = Definitions(assets=[...])` or module-level @asset functions.",
            location=None,
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
                f"Cannot import code location module {name!r} from {root}: {e}.",
                "Check the name, or run from the project's directory.",
                location=None,
            ) from None
        raise _import_failure(name, e) from e
    except Exception as e:
        raise _import_failure(name, e) from e


def _import_file(path: Path) -> ModuleType:
    path = path.resolve()
    if not path.is_file():
        raise CodeLocationError(f"Code location file {path} does not exist.", location=None)
    name = f"{LOCATION_FILE_PREFIX}{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise CodeLocationError(f"Cannot load {path} as a Python module.", location=None)
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
        raise _import_failure(str(path), e) from e
    return module


def _import_failure(what: str, e: BaseException) -> CodeLocationError:
    """The error for a code location whose import raised ``e``, located at the user's
    line that failed: where a ``SyntaxError`` points, else the innermost frame of the
    traceback in the user's code (not importlib's, ours or an installed package's)."""
    location: SourceLocation | None = None
    detail = str(e)
    if isinstance(e, SyntaxError) and e.filename and e.lineno and is_user_file(e.filename):
        same_line = e.end_lineno in (None, e.lineno)
        location = SourceLocation(
            e.filename, e.lineno, e.offset, e.end_offset if same_line else None
        )
        detail = e.msg
    else:
        frames = [f for f in traceback.extract_tb(e.__traceback__) if is_user_file(f.filename)]
        if frames and frames[-1].lineno is not None:
            location = SourceLocation(frames[-1].filename, frames[-1].lineno)
    return CodeLocationError(
        f"Importing code location {what} failed: {type(e).__name__}: {detail.rstrip('.')}.",
        "Fix the error in that file, then run `assetline validate`.",
        location=location,
    )
