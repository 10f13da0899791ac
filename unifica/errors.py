"""The one exception a user mistake raises."""
from __future__ import annotations


class UnificaError(Exception):
    """A user mistake: the message says what, where and what next, in one line.

    The command line prints it as ``Error: <message>`` and exits non-zero; ``--debug``
    shows the traceback.
    """
