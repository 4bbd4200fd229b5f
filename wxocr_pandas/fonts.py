"""Find an installed font that has CJK glyphs, for labels and for rendering samples.

The search runs once per process (``functools.lru_cache``), like docTR's
``doctr/utils/fonts.py``; it never downloads a font and never hard-codes a path.
"""

from __future__ import annotations

import functools
import warnings
from pathlib import Path

#: Families tried in order. Noto/Source Han and WenQuanYi come from Linux packages
#: (``apt-get install fonts-noto-cjk`` or ``fonts-wqy-microhei``); the rest ship with
#: Windows and macOS.
CJK_FONT_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Heiti SC",
    "Arial Unicode MS",
    "Noto Serif CJK SC",
)

#: What to install when no CJK font is found.
INSTALL_HINT = (
    "install a CJK font, e.g. `apt-get install fonts-noto-cjk` (or `fonts-wqy-microhei`) "
    "on Debian/Ubuntu, `dnf install google-noto-sans-cjk-fonts` on Fedora, "
    "`brew install --cask font-noto-sans-cjk-sc` on macOS"
)


@functools.lru_cache(maxsize=1)
def find_cjk_font() -> Path | None:
    """Return the file of the first installed font from :data:`CJK_FONT_FAMILIES`.

    Returns
    -------
    pathlib.Path or None
        The font file, or ``None`` when no CJK font is installed.

    Examples
    --------
    >>> from wxocr_pandas.fonts import find_cjk_font
    >>> path = find_cjk_font()
    >>> path is None or path.exists()
    True
    """
    from matplotlib import font_manager

    for family in CJK_FONT_FAMILIES:
        prop = font_manager.FontProperties(family=family)
        try:
            path = font_manager.findfont(prop, fallback_to_default=False)
        except ValueError:
            continue
        return Path(path)
    return None


@functools.lru_cache(maxsize=1)
def cjk_font_family() -> str | None:
    """Return the matplotlib family name of :func:`find_cjk_font`, warning once if none.

    Examples
    --------
    >>> from wxocr_pandas.fonts import cjk_font_family
    >>> family = cjk_font_family()
    >>> family is None or isinstance(family, str)
    True
    """
    from matplotlib import font_manager

    path = find_cjk_font()
    if path is None:
        warnings.warn(
            f"No CJK font found: Chinese labels will show as empty boxes; {INSTALL_HINT}.",
            stacklevel=3,
        )
        return None
    return font_manager.FontProperties(fname=str(path)).get_name()
