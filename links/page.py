"""What a customer's statement page shows, in their language (else the book's): the business,
what is due and when, how overdue, the latest entries and a UPI payment code, formatted by
Babel for the locale."""

import datetime

import segno

from customers.models import Kind
from ledger import dues
from ledger.models import Entry
from ledger.pdf import Formats, upi_uri

RECENT = 20
# The page's words, by language; other languages read English. Amounts and dates follow the
# full locale (hi-IN, bn-BD, ...) through Babel.
WORDS = {
    "en": {
        "statement": "Statement of account",
        "due_from_you": "Amount due from you",
        "we_owe_you": "Amount we owe you",
        "nothing_due": "Nothing is due",
        "overdue": "Overdue",
        "due_when": "Due when",
        "due_on": "Due on",
        "amount": "Amount",
        "ageing": "How long overdue",
        "current": "Not yet due",
        "days": "days",
        "recent": "Latest entries",
        "date": "Date",
        "gave": "Sold on credit",
        "bought": "Bought on credit",
        "got": "Paid",
        "balance": "Balance",
        "note": "Note",
        "pdf": "Download the statement (PDF)",
        "pay": "Pay with any UPI app",
        "as_of": "As of",
        "phone": "Phone",
    },
    "hi": {
        "statement": "खाते का विवरण",
        "due_from_you": "आपसे बकाया राशि",
        "we_owe_you": "हमें आपको देना है",
        "nothing_due": "कुछ भी बकाया नहीं है",
        "overdue": "अतिदेय",
        "due_when": "कब देय",
        "due_on": "देय तिथि",
        "amount": "राशि",
        "ageing": "कितने दिन से बकाया",
        "current": "अभी देय नहीं",
        "days": "दिन",
        "recent": "हाल की प्रविष्टियाँ",
        "date": "तिथि",
        "gave": "उधार दिया",
        "bought": "उधार लिया",
        "got": "भुगतान मिला",
        "balance": "शेष",
        "note": "टिप्पणी",
        "pdf": "विवरण डाउनलोड करें (PDF)",
        "pay": "किसी भी UPI ऐप से भुगतान करें",
        "as_of": "तिथि तक",
        "phone": "फ़ोन",
    },
    "bn": {
        "statement": "হিসাবের বিবরণী",
        "due_from_you": "আপনার কাছে পাওনা",
        "we_owe_you": "আমরা আপনাকে দেব",
        "nothing_due": "কিছুই বাকি নেই",
        "overdue": "মেয়াদোত্তীর্ণ",
        "due_when": "কবে দেয়",
        "due_on": "দেয় তারিখ",
        "amount": "পরিমাণ",
        "ageing": "কত দিন বাকি",
        "current": "এখনও দেয় নয়",
        "days": "দিন",
        "recent": "সাম্প্রতিক লেনদেন",
        "date": "তারিখ",
        "gave": "বাকিতে দেওয়া",
        "bought": "বাকিতে নেওয়া",
        "got": "পরিশোধ",
        "balance": "ব্যালান্স",
        "note": "নোট",
        "pdf": "বিবরণী ডাউনলোড করুন (PDF)",
        "pay": "যেকোনো UPI অ্যাপে পরিশোধ করুন",
        "as_of": "তারিখ পর্যন্ত",
        "phone": "ফোন",
    },
}


def statement_page(link, *, today: datetime.date) -> dict:
    """The template context of a link's page."""
    customer, book = link.customer, link.book
    formats = Formats(customer)
    money, day = formats.money, formats.day
    words = WORDS.get(formats.locale.language, WORDS["en"])
    supplier = customer.kind == Kind.SUPPLIER
    by_due_date = dues.open_as_of(customer, as_of=today)
    aged = dues.aged(by_due_date, as_of=today)
    recent = (
        Entry.objects.of(book)
        .filter(customer=customer)
        .order_by("-entry_date", "-id")
        .values_list("entry_date", "type", "amount", "note")[:RECENT]
    )
    uri = None if supplier or not aged.due else upi_uri(book, aged.due, note=customer.name)
    labels = {"current": words["current"]}
    return {
        "lang": formats.locale.language,
        "words": words,
        "book": book,
        "customer": customer,
        "as_of": day(today),
        "heading": words["we_owe_you"] if supplier else words["due_from_you"],
        "due": money(aged.due),
        "has_due": bool(aged.due),
        "overdue": money(aged.overdue) if aged.overdue else None,
        "due_dates": [(day(due_date), money(amount)) for due_date, amount in by_due_date],
        "ageing": [
            (labels.get(name, f"{name} {words['days']}"), money(amount))
            for name, amount in aged.buckets.items()
        ],
        "recent": [
            (
                day(entry_date),
                _what(words, type=type, supplier=supplier),
                money(amount),
                note,
            )
            for entry_date, type, amount, note in recent
        ],
        "upi_uri": uri,
        "qr_svg": uri and segno.make(uri, error="m").svg_inline(scale=4, dark="#111"),
    }


def _what(words: dict, *, type: str, supplier: bool) -> str:
    """An entry's line as the party reads it: what it opened, or a payment."""
    if type != dues.OPENS[Kind.SUPPLIER if supplier else Kind.CUSTOMER]:
        return words["got"]
    return words["bought"] if supplier else words["gave"]
