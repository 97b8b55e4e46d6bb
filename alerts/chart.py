"""The briefing's trend chart (articles a day) as a PNG, drawn by matplotlib with a CJK font when
the machine has one (deploy/install-system-packages installs WenQuanYi Zen Hei)."""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence

from indexer.base import HistogramBucket

log = logging.getLogger(__name__)
CJK_FONTS = ("WenQuanYi Zen Hei", "Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "SimHei")


def _cjk_font() -> str | None:
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in names), None)


def trend_png(trend: Sequence[HistogramBucket], title: str = "每日报道量") -> bytes:
    import matplotlib

    matplotlib.use("Agg")  # no display: render to memory
    from matplotlib import pyplot as plt
    from matplotlib.ticker import MaxNLocator

    font = _cjk_font()
    if font is None:
        log.warning("no CJK font installed: the chart's labels fall back to the default font")
    with matplotlib.rc_context(
        {"font.family": [font] if font else ["sans-serif"], "axes.unicode_minus": False}
    ):
        figure, axes = plt.subplots(figsize=(7.5, 2.8), dpi=120)
        days = [b.key[5:] for b in trend]  # MM-DD
        axes.bar(days, [b.count for b in trend], color="#2f6db5")
        axes.set_title(title if font else "Articles per day")
        # Upright: a CJK character turned on its side reads as a glyph error.
        axes.set_ylabel("篇" if font else "articles", rotation=0 if font else 90, labelpad=10)
        axes.tick_params(axis="x", labelrotation=45 if len(days) > 8 else 0, labelsize=8)
        axes.spines[["top", "right"]].set_visible(False)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # articles come whole
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        plt.close(figure)
    return buffer.getvalue()
