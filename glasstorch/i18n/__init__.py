"""The language glasstorch speaks: English or Chinese (简体中文), for everything a user reads at run time.

The language is, in order: set_language() (the command line's --lang), $GLASSTORCH_LANG, the locale ($LC_ALL,
$LC_MESSAGES, $LANG: zh_CN.UTF-8 and any other zh* give Chinese), else English. Messages live in one catalogue per
language, a plain mapping from a key to a str.format template (catalogue_en.py, catalogue_zh.py): no compile step
(gettext needs .mo files built from .po files), the two languages can be read side by side, and a test checks that
every key has both and that their {fields} agree. Technical tokens (options, shapes, paths, op names) stay as they
are in both.
"""
import os

from ..errors import InvalidOption

LANGUAGES = ("en", "zh")
_chosen = None


def set_language(language):
    """Speak `language` ('en' or 'zh'; None: back to the environment's choice)."""
    global _chosen
    if language is not None and language not in LANGUAGES:
        raise InvalidOption(f"--lang must be one of {', '.join(LANGUAGES)}, got {language!r}")
    _chosen = language


def language():
    if _chosen is not None:
        return _chosen
    setting = os.environ.get("GLASSTORCH_LANG", "").strip().lower()
    if setting:
        return "zh" if setting.startswith("zh") else "en"
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def catalogue(lang=None):
    from .catalogue_en import MESSAGES as EN
    from .catalogue_zh import MESSAGES as ZH

    return {"en": EN, "zh": ZH}[lang or language()]


def t(key, /, **fields):
    """The message `key` in the current language, its {fields} filled in."""
    return catalogue()[key].format(**fields)
