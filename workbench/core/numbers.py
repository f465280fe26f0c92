"""How the product writes a number for people: one formatter for the CLI, the window's plots
and tables, and the messages core writes (alerts), so 20,345.6 never reads as 2e+04 anywhere.
"""

from __future__ import annotations

import math


def format_number(value: float | None, digits: int = 4) -> str:
    """About `digits` significant digits, thousands separators, no scientific noise for counts."""
    if value is None:
        return "—"
    number = float(value)
    if math.isnan(number):
        return "—"
    if math.isinf(number):
        return "∞" if number > 0 else "−∞"
    if number == int(number) and abs(number) < 1e15:
        return f"{int(number):,}"
    magnitude = abs(number)
    if magnitude >= 1e15 or magnitude < 1e-4:
        return f"{number:.{digits - 1}e}"
    decimals = max(0, digits - 1 - math.floor(math.log10(magnitude)))
    text = f"{number:,.{decimals}f}"
    # 0.4200 reads as more precise than it is; 0.42 says the same.
    return text.rstrip("0").rstrip(".") if "." in text else text
