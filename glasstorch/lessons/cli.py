"""`glasstorch experiment` and `glasstorch graph` (filled in by the lessons)."""


def add_experiment(sub):
    return None


def add_graph(sub):
    return None
