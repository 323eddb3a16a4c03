"""Classify image files: any size, colour or grey, converted to the 28x28 grey format of the datasets."""
import numpy as np

from .autograd.grad_mode import no_grad
from .creation import from_numpy
from .errors import InvalidOption, MissingFile
from .ops.activation import softmax

MAX_MEGAPIXELS = 50     # larger images are refused before they are decoded (Pillow warns at 89, refuses at 179)


def load_image(path, mean, std, size=28):
    """(1, 1, size, size) normalised tensor. Dark-on-light images are inverted: the datasets are light-on-dark."""
    from PIL import Image, UnidentifiedImageError

    limit, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None    # our own limit below, with a clear message
    try:
        with Image.open(path) as image:
            megapixels = image.width * image.height / 1e6
            if megapixels > MAX_MEGAPIXELS:
                raise InvalidOption(f"{path}: the image is {image.width}x{image.height} pixels ({megapixels:.0f} "
                                 f"megapixels); predict reads images up to {MAX_MEGAPIXELS} megapixels, so shrink it "
                                 "first (a digit needs only 28x28)")
            grey = image.convert("L").resize((size, size), Image.Resampling.LANCZOS)
    except FileNotFoundError:
        raise MissingFile(f"no such image file: {path}") from None
    except IsADirectoryError:
        raise InvalidOption(f"{path}: a folder, not an image file") from None
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        raise InvalidOption(f"{path}: not a readable image ({error})") from None
    finally:
        Image.MAX_IMAGE_PIXELS = limit
    pixels = np.asarray(grey, dtype=np.float32) / 255.0
    if pixels.mean() > 0.5:
        pixels = 1.0 - pixels
    return from_numpy(((pixels - mean) / std).astype(np.float32)[None, None])


def predict_top(model, image, k=3):
    """[(class, probability)] of the k most likely classes."""
    with no_grad():
        probabilities = softmax(model(image), dim=1).array[0]
    order = np.argsort(-probabilities)[:k]
    return [(int(c), float(probabilities[c])) for c in order]
