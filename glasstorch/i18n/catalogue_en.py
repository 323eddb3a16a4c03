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
    "cli.usage": "usage: ",
    "cli.positionals": "positional arguments",
    "cli.options": "options",
    "cli.help": "show this help message and exit",
    "cli.error": "glasstorch {command}: error: {error}",
    "cli.interrupted": "glasstorch {command}: interrupted",
    "help.model": "a name from `glasstorch models` (default: {default})",
    "help.dataset": "mnist, fashion-mnist or xor (default: {default}; xor for --model xor)",
    "help.epochs": "epochs to train (default: {default}; 20 for xor)",
    "help.batch_size": "images per update (default: {default})",
    "help.lr": "learning rate, the peak for onecycle (default: {default:g}; 0.05 for xor)",
    "help.optimizer": "(default: {default})",
    "help.momentum": "momentum of sgd and rmsprop (default: {default})",
    "help.weight_decay": "L2 penalty (default: {default:g}; adamw: 0.01)",
    "help.scheduler": "learning-rate schedule (default: {default})",
    "help.clip_grad_norm": "clip the total gradient norm to this value (default: no clipping)",
    "help.seed": "seed of the weights, shuffling and subsets (default: {default})",
    "help.limit_train": "train on a seeded random subset of N images (default: all)",
    "help.limit_test": "evaluate on a seeded random subset of N images (default: all)",
    "help.data_dir": "folder with the dataset's four IDX files (default: the search order of `glasstorch datasets`)",
    "help.download": "download the full dataset if it is not found",
    "help.out": "run directory (default: runs/MODEL-DATASET)",
    "help.resume": "continue the run in OUT from its checkpoint.safetensors",
    "help.track_gradients": "record per-layer gradient norms and activations; figures go into the run directory",
    "help.tensorboard": "write TensorBoard logs into the run directory (scalars, weight and gradient histograms, "
                        "images, the graph; needs glasstorch[tensorboard]); view them with tensorboard --logdir runs",
    "help.no_progress": "no progress bar (epoch lines only)",
    "help.nproc": "train with N processes (MPI ranks, one thread each) that split every batch; needs "
                  "glasstorch[distributed] (default: 1, or what mpiexec started)",
    "help.run_track_gradients": "record the gradient flow of every model the program trains and write its figures",
    "help.run_tensorboard": "write TensorBoard logs of the program's training into OUT: loss, per-layer gradient "
                            "norms, weight and gradient histograms, each model's graph (needs glasstorch[tensorboard])",
    "help.run_out": "folder for the --track-gradients figures and --tensorboard logs (default: runs/run-SCRIPT)",
    "help.explain": "write a page that steps through the chain rule of the program's first backward call",
    "help.explain_out": "where --explain writes its page (default: explain.html)",
    "help.explain_call": "explain the Nth backward call instead (default: 1)",
    "help.script": "the program, e.g. course/rnn_hello.py",
    "help.script_args": "the program's own arguments",
    "help.lesson": "which lesson (or all)",
    "help.figures_out": "folder for the figures",
    "help.lesson_data": "folder with MNIST's IDX files (for activations, residual, exploding, optimizers)",
    "help.files_out": "folder for the files",
    "help.batch": "images in the batch (default: 1)",
    "help.page_out": "the page to write (default: explain.html)",
    "help.checkpoint": "a run directory or a .safetensors checkpoint",
    "help.evaluate_data": "folder with the dataset's IDX files (default: as trained)",
    "help.images": "image files",
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
    "error.checkpoint_dtype": "glasstorch.load: '{path}' holds {dtype} tensors (e.g. {key!r}), which glasstorch "
                              "(NumPy) cannot represent; convert them to float32 before saving (in PyTorch: "
                              "{{k: v.float() for k, v in state_dict.items()}})",
    "error.checkpoint_missing": "glasstorch.load: no such file: '{path}'",
    "error.checkpoint_folder": "glasstorch.load: '{path}' is a folder, not a file",
    "run.missing": "glasstorch run: {where} uses {name}, which glasstorch does not have",
    "run.keyword": "glasstorch run: {where} calls {function} with {keyword}=, which glasstorch does not accept",
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
    "xor.linear": "linear (accuracy {accuracy:.0f}%)",
    "xor.mlp": "2-8-2 tanh MLP (accuracy {accuracy:.0f}%)",
    "xor.update": "update",
    "xor.loss": "cross-entropy",
    "xor.title": "XOR: a linear model cannot fit it",
    "xor.verdict": "a linear model reaches {linear:.0f}% on XOR (at most 75% is possible) while a 2-layer tanh MLP "
                   "reaches {mlp:.0f}%",
    "xor.columns": "model;final loss;accuracy",
    "xor.row_linear": "linear",
    "xor.row_mlp": "2-8-2 tanh MLP",
    "residual.plain": "plain",
    "residual.residual": "residual",
    "residual.step": "step",
    "residual.norm": "||dL/dW|| of the first conv (log)",
    "residual.norm_title": "first-layer gradient",
    "residual.loss": "training loss",
    "residual.loss_title": "first epoch ({layers} conv layers)",
    "residual.verdict": "with {layers} conv layers the first layer's gradient norm at step 1 is {ratio:.1e}x larger "
                        "with residual blocks; after one epoch ({steps} steps) the training loss is {residual:.3f} "
                        "with residual blocks vs {plain:.3f} without",
    "residual.columns": "network;||dW_1|| step 1;||dW_1|| mean;loss step 1;loss end of epoch",
    "exploding.layer": "layer (input -> output)",
    "exploding.norm": "||dL/dh_k|| at initialisation (log)",
    "exploding.norm_title": "depth {depth}: the gradient grows toward the input",
    "exploding.clipped": "SGD + clip_grad_norm_({clip})",
    "exploding.step": "step",
    "exploding.loss": "training loss (log)",
    "exploding.loss_title": "training",
    "exploding.became": "became {loss} at step {step}",
    "exploding.finite": "stayed finite ({loss:.3g})",
    "exploding.verdict": "with weights N(0, ({scale}/sqrt(fan_in))^2) the total gradient norm at initialisation is "
                         "{growth:.1e}x larger at depth {depth} than at depth {shallow}; without clipping the loss "
                         "{stop} (gradient norm up to {peak:.2e}); with clip_grad_norm_({clip}) it stays finite and "
                         "falls from {first:.3g} to {last:.3g} in {steps} steps",
    "exploding.row_clipped": "SGD + clip {clip}",
    "exploding.row_depth": "depth {depth} at init",
    "exploding.columns": "run;loss step 1;max ||g|| (before clip);steps run;last loss",
    "optimizers.updates": "updates",
    "optimizers.loss": "loss on all images",
    "optimizers.updates_title": "loss against updates",
    "optimizers.seconds": "seconds of training",
    "optimizers.seconds_title": "loss against wall time",
    "optimizers.verdict": "after {epochs} epochs: full-batch GD made {full_updates} updates and reached loss "
                          "{full:.3f}; SGD made {sgd_updates} updates ({sgd:.3f}); mini-batch 32 {mini:.3f}, momentum "
                          "{momentum:.3f}, Adam {adam:.3f}; lowest: {best}",
    "optimizers.columns": "method;updates;seconds;final loss",
    "losses.mse": "MSE",
    "losses.bce": "cross-entropy",
    "losses.step": "step",
    "losses.gradient": "mean |dL/dz| per sample (log)",
    "losses.gradient_title": "gradient at the pre-activation",
    "losses.trained_mse": "trained with MSE",
    "losses.trained_bce": "trained with cross-entropy",
    "losses.loss": "cross-entropy on the data",
    "losses.loss_title": "learning from a saturated start",
    "losses.verdict": "from a saturated wrong start the cross-entropy gradient is {ratio:.0f}x the MSE gradient; after "
                      "{steps} steps the loss is {bce:.3f} with cross-entropy vs {mse:.3f} with MSE (start "
                      "{start:.3f})",
    "losses.columns": "loss;|dL/dz| step 1;loss step 1;loss step {steps}",
    "linear.hand": "hand-written gradient",
    "linear.autograd": "autograd",
    "linear.epoch": "epoch",
    "linear.loss": "loss (last sample)",
    "linear.loss_title": "loss against epoch",
    "linear.w_title": "w converges to 2",
    "linear.verdict": "hand-written dL/dw = 2x(xw - y) and autograd give the same trajectory (max difference "
                      "{difference:.1e}); w = {w:.6f} after {epochs} epochs",
    "linear.columns": "epoch;w (hand);w (autograd);loss (hand);loss (autograd)",
    "rnn.per_step": "{name} (x{factor:.2f} per step)",
    "rnn.length": "sequence length T",
    "rnn.ratio": "||dL/dx_1|| / ||dL/dx_T|| (log)",
    "rnn.title": "how much gradient reaches the first step (at initialisation)",
    "rnn.verdict": "over {steps} steps the tanh RNN passes {rnn:.1e} of the last step's gradient back to the first "
                   "(x{rnn_factor:.2f} per step), the LSTM {lstm:.1e} (x{lstm_factor:.2f}), the GRU {gru:.1e} "
                   "(x{gru_factor:.2f}); an LSTM whose forget gate starts open (bias 1) keeps {open:.1e} "
                   "(x{open_factor:.2f}): the gated paths decay by their gate, the plain RNN by diag(1 - h^2) W_hh",
    "rnn.columns_model": "model",
    "rnn.columns_per_step": "per step",
    "activations.layer": "layer (input -> output)",
    "activations.norm": "||dL/dW|| at initialisation (log scale)",
    "activations.title": "gradient norm per layer, depth-{depth} MLP on MNIST",
    "activations.verdict": "at depth {depth}, sigmoid's first-layer gradient is {sigmoid_ratio:.1e} of its last "
                           "layer's (ReLU: {relu_ratio:.2f}); ReLU's first-layer gradient is {advantage:.1e}x larger "
                           "than sigmoid's ({seconds:.0f} s)",
    "activations.columns": "activation;depth;||dW_1|| init;||dW_last|| init;first/last init;first/last step {steps};"
                           "loss step {steps}",
    "kernels.compiling": "glasstorch: compiling kernels of the compiled set for this machine, once (a few seconds "
                         "each; kept in {folder})",
    "kernels.ahead": "glasstorch: compiling the compiled kernel set for this CPU, once, on {cores} core{s} (kept in "
                     "{folder}):",
    "kernels.ahead_count": "{done}/{total} kernel{s}, {seconds:.0f} s",
    "kernels.ahead_done": "{done} kernel{s} in {seconds:.1f} s",
    "kernels.no_numba": "glasstorch: the compiled kernel set needs Numba ({error}); using the fast set "
                        '(pip install "glasstorch[compiled]")',
}
