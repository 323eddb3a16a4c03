"""Classify image files: any size, colour or grey, converted to the 28x28 grey format of the datasets."""
import numpy as np

from .autograd.grad_mode import no_grad
from .creation import from_numpy
from .errors import InvalidOption, MissingFile
from .i18n import t
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
                raise InvalidOption(t("error.image_too_large", path=path, width=image.width, height=image.height,
                                      megapixels=megapixels, limit=MAX_MEGAPIXELS))
            grey = image.convert("L").resize((size, size), Image.Resampling.LANCZOS)
    except FileNotFoundError:
        raise MissingFile(t("error.no_image", path=path)) from None
    except IsADirectoryError:
        raise InvalidOption(t("error.image_folder", path=path)) from None
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        raise InvalidOption(t("error.image_unreadable", path=path, error=error)) from None
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
