"""`dynclean` command line: thin wrappers that parse, call the package, print."""

import sys

from confection import ConfigValidationError
from wasabi import msg

from ..errors import DynCleanError

# Each module registers its command(s) on `app`.
from . import (
    annotate,
    benchmark,
    clean,
    convert,
    dynamics,
    entries,
    report,
    score,
    select,
    self_train,
    strip,
    train,
)
from ._util import app


def main() -> None:
    try:
        app()
    except (DynCleanError, ConfigValidationError) as err:
        msg.fail(str(err))
        sys.exit(1)
