"""Chinese text in matplotlib figures without missing glyphs: a CJK font where the system has one, else English."""
import sys

# font families with Chinese glyphs, most common first (Linux, then macOS and Windows)
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Serif CJK SC", "Source Han Sans SC", "Source Han Sans CN",
             "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Droid Sans Fallback", "AR PL UMing CN", "PingFang SC",
             "Heiti SC", "Hiragino Sans GB", "Microsoft YaHei", "SimHei")
_checked = None


# words in the file names of those fonts
CJK_FILES = ("cjk", "wqy", "sourcehan", "droidsansfallback", "uming", "ukai", "pingfang", "hiragino", "msyh", "simhei")


def cjk_font():
    """The first installed font of CJK_FONTS, or None. matplotlib's font list is a cache made when it first ran:
    a font installed since is not in it, so the system's font folders are searched for CJK font files as well."""
    from matplotlib import font_manager

    def first():
        installed = {font.name for font in font_manager.fontManager.ttflist}
        return next((name for name in CJK_FONTS if name in installed), None)

    found = first()
    if found is None:
        for path in font_manager.findSystemFonts():
            if any(word in path.lower().replace("-", "").replace("_", "") for word in CJK_FILES):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):     # a font file matplotlib cannot read
                    continue
        found = first()
    return found


def figure_language():
    """The language figures are labelled in: Chinese when it is spoken and a CJK font exists (matplotlib is then
    pointed at it, ahead of its default), else English, saying once how to install a font."""
    global _checked
    from . import language

    if language() != "zh":
        return "en"
    if _checked is None:
        font = cjk_font()
        if font is None:
            print("glasstorch: no Chinese font found, so figures are labelled in English; install one with "
                  "`apt-get install fonts-noto-cjk` (Debian/Ubuntu) or your system's equivalent", file=sys.stderr)
        else:
            import matplotlib

            families = list(matplotlib.rcParams["font.sans-serif"])
            matplotlib.rcParams["font.sans-serif"] = [font] + [f for f in families if f != font]
            matplotlib.rcParams["font.family"] = "sans-serif"
            matplotlib.rcParams["axes.unicode_minus"] = False      # CJK fonts often lack U+2212
        _checked = font is not None
    return "zh" if _checked else "en"


def figure_text(key, /, **fields):
    """A figure's label in the figure language."""
    from . import catalogue

    return catalogue(figure_language())[key].format(**fields)
