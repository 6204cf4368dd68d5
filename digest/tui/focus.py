"""Moving the focus before the next key is read.

``Widget.focus()`` only schedules the move: keys already queued behind the
one that asked for it still go to the old widget. Typed quickly (or on a
loop slowed by a fetch), "/django" would then dismiss an entry with its "d",
move down with its "j" and file entries into sections with the letters that
are section keys, instead of filtering. Actions bound to keys move the focus
with this instead.
"""

from __future__ import annotations

from textual.widget import Widget

__all__ = ["focus_now"]


def focus_now(widget: Widget) -> None:
    """Give ``widget`` the focus at once, so the very next key goes to it."""
    widget.screen.set_focus(widget)
