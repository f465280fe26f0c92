"""Errors whose message is written for the user.

Anything raised as a `WorkbenchError` is shown as it is: in a dialog by the GUI, as one line on
stderr (exit code 2) by the CLI. The message names the file, column or value at fault.
"""

from __future__ import annotations


class WorkbenchError(Exception):
    """A problem the user can fix; the message is one clear line."""


class DataReadError(WorkbenchError):
    """A table file could not be read as asked."""


class ProjectError(WorkbenchError):
    """A project folder is missing, damaged or not a workbench project."""


class SchemaError(WorkbenchError):
    """Data does not fit the schema it is checked against."""
