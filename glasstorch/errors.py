"""The errors a user can fix: input they gave that glasstorch cannot use (an option, a name, a value, a file).

They are raised where that input is checked, with a message that names it. The command line prints a UserError
as one line and exits 1; any other exception is a bug in glasstorch and surfaces with its traceback. Each one is
also the built-in exception a Python caller expects (an unknown option is a ValueError, a missing file a
FileNotFoundError).
"""


class UserError(Exception):
    """A problem the user can fix, named in the message."""


class InvalidOption(UserError, ValueError):
    """An option, a name or a value the user gave is not one glasstorch can use."""


class MissingFile(UserError, FileNotFoundError):
    """A file or folder the user named (or that the command needs) is not there."""


class UnwritablePath(UserError, OSError):
    """A file the user asked glasstorch to write cannot be written there: UnwritablePath(errno, message)."""

    def __str__(self):
        return self.strerror or super().__str__()      # the message alone, without OSError's "[Errno 13]"
