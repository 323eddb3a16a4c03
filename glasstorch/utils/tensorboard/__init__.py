"""torch.utils.tensorboard for glasstorch: SummaryWriter writes event files that TensorBoard opens.

Needs the tensorboard package (its protocol buffers and event-file writer, no TensorFlow):
pip install "glasstorch[tensorboard]". View the logs with `tensorboard --logdir runs`.
"""
from ...errors import UserError


class TensorBoardMissing(UserError, ImportError):
    """The tensorboard package is not installed."""


try:
    import tensorboard  # noqa: F401
except ImportError:
    raise TensorBoardMissing('glasstorch.utils.tensorboard needs TensorBoard: pip install "glasstorch[tensorboard]" '
                             '(or pip install tensorboard)') from None

from .writer import SummaryWriter  # noqa: E402

__all__ = ["SummaryWriter"]
