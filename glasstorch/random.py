"""The seeded random-number generator behind rand/randn/init/dropout/shuffling.

`manual_seed(s)` makes every later draw reproducible (glasstorch's own stream: the numbers differ from
PyTorch's, the distributions are the same).
"""
import numpy as np


class Generator:
    """A random stream, like torch.Generator: `Generator().manual_seed(0)`."""

    def __init__(self, device="cpu"):
        self._seed = int(np.random.SeedSequence().entropy % (2 ** 63))
        self.rng = np.random.default_rng(self._seed)

    def manual_seed(self, seed):
        self._seed = int(seed)
        self.rng = np.random.default_rng(self._seed)
        return self

    def initial_seed(self):
        return self._seed

    def get_state(self):
        """The generator state as a dict of plain numbers (JSON- and checkpoint-friendly)."""
        return self.rng.bit_generator.state

    def set_state(self, state):
        self.rng.bit_generator.state = state


default_generator = Generator().manual_seed(0)


def manual_seed(seed):
    return default_generator.manual_seed(seed)


def seed():
    default_generator.manual_seed(int(np.random.SeedSequence().entropy % (2 ** 63)))
    return default_generator.initial_seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(state):
    default_generator.set_state(state)


def generator(gen=None):
    """The NumPy generator of `gen`, or of the default generator."""
    return (gen or default_generator).rng
