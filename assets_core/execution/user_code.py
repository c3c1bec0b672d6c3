"""The user-code boundary: calling an asset's function (or an IO manager, a check)
so that what it raises says which asset raised it, and a cancel stays a cancel."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from assets_core.errors import ExecutionError, UserCodeError
from assets_core.execution.failures import exception_line, user_traceback
from assets_core.execution.plan import Step
from assets_core.io.base import UnreadableValueError

if TYPE_CHECKING:
    pass


class RunCanceled(BaseException):
    """The run was canceled (Ctrl-C, SIGTERM or a cancel request) during a step."""


def user_call(step: Step, what: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call user code; wrap what it raises with which asset raised it."""
    try:
        return fn(*args, **kwargs)
    except (KeyboardInterrupt, RunCanceled):
        raise RunCanceled() from None
    except UnreadableValueError as e:
        raise UnreadableValueError(f"{what} of asset {step.key} failed: {e.message}") from e
    except ExecutionError:
        raise
    except Exception as e:
        tb, location = user_traceback(e)
        raise UserCodeError(
            f"{what} of asset {step.key} raised {type(e).__name__}: {e}",
            tb,
            location,
            exception_line(e),
        ) from e
