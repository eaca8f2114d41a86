"""Render a customer's statement as a PDF a merchant can send as it is."""

import datetime
import io
import re
from pathlib import Path
from urllib.parse import urlencode

import segno
from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from django.conf import settings
from fpdf import FPDF

from customers.models import Kind
from ledger import dues
from ledger.statements import Statement

# Fonts with wide Unicode coverage, in order of preference; PDF_FONT_PATH names another.
FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
]
# Scripts merchants' customers write their names in, drawn from Noto fonts where installed
# (Debian's fonts-noto-core); PDF_FALLBACK_FONT_DIR points elsewhere.
FALLBACK_SCRIPTS = [
    "Devanagari",
    "Bengali",
    "Gurmukhi",
    "Gujarati",
    "Oriya",
    "Tamil",
    "Telugu",
    "Kannada",
    "Malayalam",
    "Sinhala",
    "Arabic",
]


def unicode_font() -> Path | None:
    """The TrueType font to embed, or None to fall back to the PDF core font (Latin-1 only)."""
    configured = getattr(settings, "PDF_FONT_PATH", "")
    for candidate in [configured, *FONT_CANDIDATES]:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def fallback_fonts() -> dict[str, Path]:
    """Per-script fonts for characters the main font lacks, by the name to register them under."""
    folder = Path(
        getattr(settings, "PDF_FALLBACK_FONT_DIR", "") or "/usr/share/fonts/truetype/noto"
    )
    found = {}
    for script in FALLBACK_SCRIPTS:
        path = folder / f"NotoSans{script}-Regular.ttf"
        if path.is_file():
            found[f"Noto{script}"] = path
    return found


def shaping_available() -> bool:
    """HarfBuzz shaping joins the letters of scripts such as Devanagari correctly."""
    try:
        import uharfbuzz  # noqa: F401
    except ImportError:
        return False
    return True


def _draws_unshaped(character: str) -> bool:
    """Latin (with its accents), general punctuation and currency signs: no shaping needed."""
    code = ord(character)
    return code < 0x0250 or 0x2000 <= code <= 0x20CF


class StatementPDF(FPDF):
    """A4 pages with a header line and 'Page n of N' in the footer."""

    def __init__(self, title: str):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.title_text = title
        font = unicode_font()
        if font is not None:
            self.add_font("Body", "", str(font))
            bold = font.with_name(
                font.name.replace("-Regular", "-Bold")
                if "-Regular" in font.name
                else font.name.replace(".ttf", "-Bold.ttf")
            )
            self.add_font("Body", "B", str(bold if bold.is_file() else font))
            self.family, self.latin1_only = "Body", False
            fallbacks = fallback_fonts()
            for name, path in fallbacks.items():
                self.add_font(name, "", str(path))
                self.add_font(name, "B", str(path))
            self.set_fallback_fonts(list(fallbacks), exact_match=False)
            self.shaping = shaping_available()
        else:
            self.family, self.latin1_only = "Helvetica", True
        self.set_auto_page_break(auto=True, margin=18)
        self.set_title(title)
        self.set_creator("Mini Ledger")

    shaping = False  # HarfBuzz is there to shape the scripts that need it
    shaped = False  # whether the next text is drawn shaped

    def shape_for(self, text: str) -> None:
        """Shape the text (HarfBuzz, after the bidirectional algorithm) only if it needs it:
        shaping every cell made a 10,000-line statement take 10 s instead of 2. Latin letters,
        punctuation and currency signs (an amount's ₹) draw as they are; other scripts
        (Devanagari, Bengali, Arabic, ...) are shaped."""
        needed = self.shaping and not all(map(_draws_unshaped, text))
        if needed != self.shaped:
            self.set_text_shaping(needed)
            self.shaped = needed

    def cell(self, w=None, h=None, text="", *args, **kwargs):
        self.shape_for(text)
        return super().cell(w, h, text, *args, **kwargs)

    def drawable(self, value) -> str:
        """Text as the font can draw it: the core font knows only Latin-1."""
        value = str(value)
        if self.latin1_only:
            return value.encode("latin-1", "replace").decode("latin-1")
        return value

    def footer(self):
        self.set_y(-12)
        self.set_font(self.family, "", 8)
        self.set_text_color(110)
        self.cell(0, 6, self.drawable(self.title_text), align="L")
        self.set_x(-40)
        self.cell(30, 6, f"Page {self.page_no()} of {{nb}}", align="R")


COLUMNS = [
    ("Date", 24, "L"),
    ("Entry", 16, "R"),
    ("Description", 56, "L"),
    ("Credit", 30, "R"),
    ("Debit", 30, "R"),
    ("Balance", 34, "R"),
]
QR_SIZE = 32  # mm
# A UPI id (VPA) in the book's payment details: name@bank.
UPI_ID = re.compile(r"\b[\w.\-]{2,256}@[A-Za-z][A-Za-z0-9]{1,63}\b")


def upi_uri(book, amount, *, note: str) -> str | None:
    """The upi://pay link asking for `amount` to the book's UPI id, if its payment details hold
    one (the statement link's page shows the same)."""
    found = UPI_ID.search(book.payment_details or "")
    if found is None:
        return None
    query = {"pa": found.group(0), "pn": book.name, "am": f"{amount:.2f}", "cu": book.currency}
    return "upi://pay?" + urlencode({**query, "tn": note})


class Formats:
    """Money in the book's currency and dates in the style of the customer's locale (else the
    book's), as Babel writes them."""

    def __init__(self, customer):
        self.currency = customer.book.currency
        self.locale = _locale(customer.locale, customer.book.locale)
        self.pattern = self.locale.currency_formats["standard"]

    def money(self, value) -> str:
        return self.pattern.apply(value, self.locale, currency=self.currency)

    def day(self, value: datetime.date) -> str:
        return format_date(value, format="medium", locale=self.locale)


def _locale(*names) -> Locale:
    for name in names:
        try:
            return Locale.parse(name, sep="-")
        except (ValueError, TypeError, UnknownLocaleError):
            continue
    return Locale.parse("en_IN")


def render_statement(statement: Statement, lines, *, today: datetime.date) -> bytes:
    """The statement as PDF bytes, to send as it is: the business (name, address, phone), the
    customer, the period, what is due (or owed, to a supplier) and how overdue at its end, the
    opening and closing balance, every entry of `lines` with its running balance, the totals,
    the date it was made, page numbers, and a UPI code for the amount due when the book has a
    UPI id (see statements.read_whole)."""
    customer = statement.customer
    book = customer.book
    f = Formats(customer)
    as_of = min(statement.end_date or today, today)
    start = f.day(statement.start_date) if statement.start_date else "the first entry"
    end = f.day(statement.end_date or today)
    pdf = StatementPDF(title=f"{book.name}: statement for {customer.name}, {start} to {end}")
    t = pdf.drawable
    pdf.add_page()

    aged = dues.ageing(customer, as_of=as_of)
    supplier = customer.kind == Kind.SUPPLIER
    qr = None if supplier or not aged.due else upi_uri(book, aged.due, note=customer.name)
    if qr:
        png = io.BytesIO()
        segno.make(qr, error="m").save(png, kind="png", scale=6, border=2)
        pdf.image(png, x=pdf.w - pdf.r_margin - QR_SIZE, y=pdf.t_margin, w=QR_SIZE, h=QR_SIZE)
        pdf.set_xy(pdf.w - pdf.r_margin - QR_SIZE, pdf.t_margin + QR_SIZE)
        pdf.set_font(pdf.family, "", 7)
        pdf.cell(QR_SIZE, 4, "Scan to pay (UPI)", align="C")
        pdf.set_xy(pdf.l_margin, pdf.t_margin)
    text_width = pdf.epw - (QR_SIZE + 4 if qr else 0)

    pdf.set_font(pdf.family, "B", 16)
    pdf.cell(text_width, 9, t(book.name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(pdf.family, "", 9)
    pdf.set_text_color(90)
    for value in (book.address, book.phone and f"Phone: {book.phone}"):
        if value:
            pdf.cell(text_width, 5, t(value), new_x="LMARGIN", new_y="NEXT")
    made = f"Statement of account, made on {f.day(today)}"
    pdf.cell(text_width, 5, t(made), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_text_color(0)
    details = [
        ("Supplier" if supplier else "Customer", customer.name),
        ("Phone", customer.phone),
        ("Address", customer.address),
        ("Period", f"{start} to {end}"),
    ]
    for label, value in details:
        if value:
            pdf.set_font(pdf.family, "B", 10)
            pdf.cell(24, 6, label)
            pdf.set_font(pdf.family, "", 10)
            pdf.cell(text_width - 24, 6, t(value), new_x="LMARGIN", new_y="NEXT")
    if qr:
        pdf.set_y(max(pdf.get_y(), pdf.t_margin + QR_SIZE + 6))
    pdf.ln(2)

    # What is due at the period's end, and how overdue.
    pdf.set_font(pdf.family, "B", 12)
    heading = "Amount we owe you" if supplier else "Amount due from you"
    pdf.cell(80, 8, t(f"{heading} ({f.day(as_of)})"))
    pdf.cell(50, 8, t(f.money(aged.due)), align="R", new_x="LMARGIN", new_y="NEXT")
    if aged.due:
        width = pdf.epw / len(aged.buckets)
        pdf.set_font(pdf.family, "", 8)
        for name in aged.buckets:
            pdf.cell(width, 5, "Not yet due" if name == "current" else f"{name} days overdue")
        pdf.ln()
        pdf.set_font(pdf.family, "B", 9)
        for amount in aged.buckets.values():
            pdf.cell(width, 5, t(f.money(amount)))
        pdf.ln()
    pdf.ln(3)

    def summary_row(label, value, bold=False):
        pdf.set_font(pdf.family, "B" if bold else "", 10)
        pdf.cell(80, 6, label)
        pdf.cell(50, 6, t(f.money(value)), align="R", new_x="LMARGIN", new_y="NEXT")

    summary_row("Opening balance", statement.opening_balance)
    summary_row("Total credit (goods on credit)", statement.total_credit)
    summary_row("Total debit (payments)", statement.total_debit)
    summary_row("Closing balance", statement.closing_balance, bold=True)
    pdf.ln(4)

    def table_header():
        pdf.set_font(pdf.family, "B", 9)
        pdf.set_fill_color(235)
        for title, width, align in COLUMNS:
            pdf.cell(width, 7, title, border="B", align=align, fill=True)
        pdf.ln()
        pdf.set_font(pdf.family, "", 9)

    table_header()
    opening = t(f.money(statement.opening_balance))
    pdf.cell(sum(w for _, w, _ in COLUMNS[:5]), 6, "Opening balance")
    pdf.cell(COLUMNS[5][1], 6, opening, align="R", new_x="LMARGIN", new_y="NEXT")
    days: dict[datetime.date, str] = {}
    for line in lines:
        if pdf.will_page_break(6):
            pdf.add_page()
            table_header()
        amount = t(f.money(line.amount))
        if line.entry_date not in days:
            days[line.entry_date] = t(f.day(line.entry_date))
        values = [
            days[line.entry_date],
            f"#{line.id}",
            _fit(pdf, t(line.note), COLUMNS[2][1]),
            amount if line.type == "credit" else "",
            amount if line.type == "debit" else "",
            t(f.money(line.balance)),
        ]
        for (_, width, align), value in zip(COLUMNS, values, strict=True):
            pdf.cell(width, 6, value, align=align)
        pdf.ln()
    pdf.set_font(pdf.family, "B", 9)
    pdf.cell(sum(w for _, w, _ in COLUMNS[:3]), 7, "Totals / closing balance", border="T")
    pdf.cell(COLUMNS[3][1], 7, t(f.money(statement.total_credit)), border="T", align="R")
    pdf.cell(COLUMNS[4][1], 7, t(f.money(statement.total_debit)), border="T", align="R")
    pdf.cell(COLUMNS[5][1], 7, t(f.money(statement.closing_balance)), border="T", align="R")
    return bytes(pdf.output())


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """Cut text to the column width, with an ellipsis when it had to be cut."""
    pdf.shape_for(text)  # measured as it will be drawn
    if pdf.get_string_width(text) <= width - 2:
        return text
    while text and pdf.get_string_width(text + "...") > width - 2:
        text = text[:-1]
    return text + "..."
