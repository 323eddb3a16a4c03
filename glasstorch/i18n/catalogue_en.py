"""English messages (the catalogue_zh.py keys, in the same order). Keys: area.message."""
MESSAGES = {
    # command line
    "cli.description": "Train and inspect the course's networks with glasstorch, a from-scratch NumPy deep-learning "
                       "framework.",
    "cli.lang": "language of messages and figures: en or zh (default: $GLASSTORCH_LANG, else the locale)",
    "cli.train": "train a model with a progress bar; writes metrics, figures and checkpoints",
    "cli.evaluate": "test loss, accuracy and per-class accuracy of a trained model",
    "cli.predict": "classify image files (PNG/JPEG, any size) with a trained model",
    "cli.models": "list the models that `train --model` accepts",
    "cli.datasets": "where each dataset is found, or how to get it",
    "cli.run": "run an unmodified PyTorch program on glasstorch (torch and torchvision resolve to glasstorch)",
    "cli.experiment": "run one of the notes' lessons: {names}",
    "cli.graph": "write a model's computational graph (Graphviz DOT; SVG/PNG if `dot` exists)",
    "cli.explain": "write a page that steps through the chain rule of a model's loss on one real batch (values, "
                   "gradients, finite differences)",
    "cli.error": "glasstorch {command}: error: {error}",
    "cli.interrupted": "glasstorch {command}: interrupted",
    # training
    "train.header": "training {model} ({parameters:,} parameters) on {dataset}: {train:,} training / {test:,} test "
                    "images, {optimizer} lr {lr:g}, batch {batch}{processes}, run directory {run_dir}",
    "train.processes": ", {processes} processes x {threads} thread{s}",
    "train.progress": "epoch {epoch}/{epochs}",
    "train.epoch": "epoch {epoch}/{epochs}  train loss {train_loss:.4f} acc {train_acc:.2f}%  test loss {test_loss:.4f} "
                   "acc {test_acc:.2f}%  lr {lr:.3g}  {seconds:.1f} s ({speed:.0f} img/s incl. eval)",
    "train.done": "done: final test accuracy {final:.2f}% (best {best:.2f}% at epoch {best_epoch}); wrote {run_dir}/ "
                  "{files}",
    "train.interrupted_saved": "interrupted; the checkpoint of epoch {epoch} in {run_dir} is intact: continue with "
                               "`glasstorch {command}`",
    "train.interrupted_nothing": "interrupted before the first epoch ended; nothing was saved yet",
    "train.diverged": "the loss became {value} at epoch {epoch}, step {step} of {steps}; training stopped. {saved}Try "
                      "a lower learning rate (--lr {lower:g}) or gradient clipping (--clip-grad-norm 1.0).",
    "train.diverged_saved": "The checkpoint of epoch {epoch} ({path}) is intact. ",
    "train.diverged_nothing": "Nothing was saved yet. ",
    # the first hour's one-line errors
    "error.positive": "--{option} must be a finite positive number, got {value}",
    "error.labels": "the {split} labels{where} must lie in 0..{last}, but label {label} is at index {index} ({count} "
                    "bad label{s} in all)",
    "error.split_training": "training",
    "error.split_test": "test",
    "error.labels_where": " in {folder}",
    "error.resume_option": "--resume: {option} was {old} in the run being resumed, not {new}; resuming continues "
                           "that run, so drop {option} or start a new run (another --out)",
    "error.resume_epochs": "--resume: the run already has {done} epoch{s}; ask for more with --epochs (more than "
                           "{done}) to continue it",
    "error.resume_schedule": "--resume: the {scheduler} schedule fixed its length at {saved} epochs when the run "
                             "started, so it cannot be extended to {epochs}; resume with --epochs {saved}, or start a "
                             "new run",
    "error.checkpoint_empty": "glasstorch.load: '{path}' is empty (0 bytes)",
    "error.checkpoint_pickle": "glasstorch.load: '{path}' is a pickle file (PyTorch's .pt); glasstorch never "
                               "unpickles (it can run code). Save it as safetensors in PyTorch: "
                               "safetensors.torch.save_file(model.state_dict(), 'model.safetensors')",
    "error.checkpoint_short": "glasstorch.load: '{path}' is too short to be a safetensors file ({size} bytes)",
    "error.checkpoint_truncated": "glasstorch.load: '{path}' is truncated or not a safetensors file: its header "
                                  "claims {claimed:,} bytes but the file has {size:,}",
    "error.checkpoint_not_json": "glasstorch.load: '{path}' is damaged or not a safetensors file: its header is not "
                                 "JSON",
    "error.checkpoint_damaged": "glasstorch.load: '{path}' is damaged (its tensors do not match its header): {error}",
    "error.weights_of": "{path}: its weights do not fit the {model} model its configuration names; they are the "
                        "weights of {owner}",
    "error.weights_of_none": "{path}: its weights do not fit the {model} model its configuration names; they match "
                             "none of the models glasstorch has",
    "error.image_too_large": "{path}: the image is {width}x{height} pixels ({megapixels:.0f} megapixels); predict "
                             "reads images up to {limit} megapixels, so shrink it first (a digit needs only 28x28)",
    "error.no_image": "no such image file: {path}",
    "error.image_folder": "{path}: a folder, not an image file",
    "error.image_unreadable": "{path}: not a readable image ({error})",
    "error.images_failed": "{failures} of {count} image{s} could not be read",
    "error.unknown_model": "unknown model {model!r}; choose one of: {names}",
    # the explain page (its language button switches between the two)
    "page.language_button": "中文",
    "page.start": "start",
    "page.back": "back",
    "page.next": "next",
    "page.close": "{name} (click to close)",
    "page.open": "{count} ops: open",
    "page.scalar": "scalar",
    "page.forward_step": "Forward: step {step} of {steps}",
    "page.backward_step": "Backward: step {step} of {steps}",
    "page.value": "value:",
    "page.fd_samples": "finite differences (float64) of sampled elements:",
    "page.fd_at": "at [{index}]:",
    "page.autograd": "autograd",
    "page.fd": "finite difference (float64):",
    "page.made_by": "made by:",
    "page.rule": "rule:",
    "page.itself": "{loss} itself",
    "page.one_line": "back to {loss} in one line:",
    "page.stats": "mean {mean}, std {std}, min {min}, max {max}",
    "page.none": "none",
    # figures
    "figure.train": "train",
    "figure.test": "test",
    "figure.epoch": "epoch",
    "figure.loss": "loss",
    "figure.accuracy": "accuracy",
    "figure.accuracy_percent": "accuracy (%)",
    "figure.curves_title": "{model} on {dataset}",
    "figure.predicted": "predicted",
    "figure.true": "true",
    "figure.confusion": "confusion matrix (test set)",
    "figure.samples": "test images: predicted (true)",
    # lessons
    "lesson.xor": "a linear model cannot fit XOR; one hidden non-linear layer can",
    "lesson.activations": "vanishing gradients: deep MLPs with sigmoid, tanh and ReLU",
    "lesson.residual": "a deep plain CNN against the same CNN with residual blocks",
    "lesson.exploding": "too-large weights explode the gradient; clip_grad_norm_ tames it",
    "lesson.optimizers": "full-batch GD, SGD, mini-batches, momentum and Adam on one problem",
    "lesson.losses": "MSE vs cross-entropy on a saturated sigmoid output",
    "lesson.linear": "y = 2x with a hand-written gradient against autograd",
    "lesson.rnn-vanishing": "the gradient reaching a sequence's first step: tanh RNN against LSTM and GRU",
    "lesson.heading": "== {name}: {description}",
    "lesson.verdict": "verdict: {verdict}",
    "lesson.figures": "figures: {figures}  ({seconds:.1f} s)",
    "activations.layer": "layer (input -> output)",
    "activations.norm": "||dL/dW|| at initialisation (log scale)",
    "activations.title": "gradient norm per layer, depth-{depth} MLP on MNIST",
    "activations.verdict": "at depth {depth}, sigmoid's first-layer gradient is {sigmoid_ratio:.1e} of its last "
                           "layer's (ReLU: {relu_ratio:.2f}); ReLU's first-layer gradient is {advantage:.1e}x larger "
                           "than sigmoid's ({seconds:.0f} s)",
    "activations.columns": "activation;depth;||dW_1|| init;||dW_last|| init;first/last init;first/last step {steps};"
                           "loss step {steps}",
}
