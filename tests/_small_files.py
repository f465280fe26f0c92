"""Small files written for exact cases the shared datasets do not hold in a readable size:
numbers a user reads with a point where detection sees a comma, and codes with leading zeros."""

from __future__ import annotations

from pathlib import Path

# Semicolons and numbers with a comma: detection reads '1,5' as 1.5.
POINTS = "id;price;weight\n1;1,5;2,25\n2;2,5;3,75\n3;7,5;1,5\n4;3,5;2,5\n"

# Zip codes and accounts written with leading zeros; one account missing (NA).
CUSTOMERS = (
    "name,zip,account,visits,spent\n"
    "Ann,02134,000981,3,10.5\n"
    "Bob,08123,120034,12,20.0\n"
    "Cy,10001,004500,7,3.25\n"
    "Dee,02134,NA,1,8.0\n"
)
CUSTOMER_COLUMNS = "name, zip, account, visits, spent"
CODES_NOTE = (
    "kept 2 columns of codes with leading zeros as text: 'zip' (02134, 08123), "
    "'account' (000981, 004500); set a column's type to number to read it as numbers"
)


def write_points(folder: Path) -> Path:
    path = folder / "points.csv"
    path.write_text(POINTS)
    return path


def write_customers(folder: Path) -> Path:
    path = folder / "customers.csv"
    path.write_text(CUSTOMERS)
    return path
