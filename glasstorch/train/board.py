"""`glasstorch train --tensorboard`: the run's TensorBoard logs, written beside its own files (tensorboard --logdir
runs shows each run directory as a run).

Scalars: loss/train_step every step; loss/train, loss/test, accuracy/train, accuracy/test and lr every epoch.
Histograms every epoch: weights/<parameter> and gradients/<parameter> (the last step's), with gradient_norm/
<parameter> as scalars: where gradients vanish or explode, layer by layer (the notes' lesson). Images: a grid of
test samples once, the misclassified ones of the first test batch every epoch (their predictions as text). The
model's graph once.
"""
import numpy as np

from ..autograd.grad_mode import no_grad


def log_parameters(writer, model, step, prefix="", histograms=True):
    """gradient_norm/<prefix><name> scalars and (with histograms) weights/<prefix><name> and gradients/<prefix><name>
    histograms, for every parameter."""
    for name, parameter in model.named_parameters():
        if histograms:
            writer.add_histogram(f"weights/{prefix}{name}", parameter.detach(), step)
        if parameter.grad is not None:
            if histograms:
                writer.add_histogram(f"gradients/{prefix}{name}", parameter.grad, step)
            writer.add_scalar(f"gradient_norm/{prefix}{name}", float(np.linalg.norm(parameter.grad.array)), step)


class TrainingBoard:
    """A SummaryWriter on the run directory, fed by the Trainer: start(), step() after every optimizer step,
    epoch() after every evaluation, close() at the end."""

    MISCLASSIFIED = 32

    def __init__(self, run_dir, dataset_cls, classes, purge_step=None):
        from ..utils.tensorboard import SummaryWriter

        self.writer = SummaryWriter(str(run_dir), purge_step=purge_step)
        self.dataset_cls, self.classes = dataset_cls, classes

    def _pixels(self, images):
        """Normalised images back to [0, 1] for display."""
        return (images.array * self.dataset_cls.std + self.dataset_cls.mean).clip(0, 1)

    def start(self, model, images):
        """The graph (one forward pass in eval mode, which changes no running statistic) and a grid of samples."""
        was_training = model.training
        model.eval()
        self.writer.add_graph(model, images[:1])
        model.train(was_training)
        if images.dim() == 4:
            self.writer.add_images("samples", self._pixels(images), 0)

    def step(self, global_step, loss):
        self.writer.add_scalar("loss/train_step", loss, global_step)

    def epoch(self, epoch, row, model, images, labels):
        for name, key in (("loss/train", "train_loss"), ("loss/test", "test_loss"), ("accuracy/train", "train_acc"),
                          ("accuracy/test", "test_acc"), ("lr", "lr")):
            self.writer.add_scalar(name, row[key], epoch)
        log_parameters(self.writer, model, epoch)
        if images.dim() != 4:
            return
        was_training = model.training
        model.eval()
        with no_grad():
            predicted = model(images).array.argmax(axis=1)
        model.train(was_training)
        wrong = np.flatnonzero(predicted != labels.array)[:self.MISCLASSIFIED]
        if wrong.size:
            self.writer.add_images("misclassified", self._pixels(images)[wrong], epoch)
            self.writer.add_text("misclassified", "  \n".join(
                f"{i + 1}. predicted **{self.classes[predicted[k]]}**, true {self.classes[labels.array[k]]}"
                for i, k in enumerate(wrong)), epoch)
        self.writer.flush()

    def close(self):
        self.writer.close()
