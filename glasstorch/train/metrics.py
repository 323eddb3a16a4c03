"""Evaluation: mean loss, accuracy, confusion matrix and per-class accuracy over a loader."""
import dataclasses

import numpy as np

from ..autograd.grad_mode import no_grad


@dataclasses.dataclass
class EvalResult:
    loss: float
    accuracy: float
    confusion: np.ndarray      # confusion[true, predicted] = count

    @property
    def per_class_accuracy(self):
        totals = self.confusion.sum(axis=1)
        return np.divide(np.diag(self.confusion), totals, out=np.zeros(len(totals)), where=totals > 0)


def confusion_matrix(predicted, targets, num_classes):
    """counts[t, p] of samples with true class t predicted as p."""
    return np.bincount(targets * num_classes + predicted, minlength=num_classes ** 2).reshape(num_classes, num_classes)


def evaluate(model, loader, loss_fn, num_classes):
    """Run `model` in eval mode over `loader` without building a graph; restores the previous mode."""
    was_training = model.training
    model.eval()
    total_loss, count = 0.0, 0
    confusion = np.zeros((num_classes, num_classes), dtype=np.int64)
    with no_grad():
        for images, labels in loader:
            logits = model(images)
            total_loss += loss_fn(logits, labels).item() * len(labels)
            count += len(labels)
            predicted = logits.array.argmax(axis=1)
            confusion += confusion_matrix(predicted, labels.array, num_classes)
    model.train(was_training)
    return EvalResult(total_loss / max(count, 1), float(np.trace(confusion)) / max(count, 1), confusion)
