"""A reminder's words: the default texts by kind of party and language, a book's own over them,
and filling one in. A text may use only the placeholders in PLACEHOLDERS."""

import string

from customers.models import Kind

PLACEHOLDERS = {
    "customer": "the customer's (or supplier's) name",
    "business": "the book's name",
    "amount": "what is due, in the book's currency",
    "overdue": "what of it is overdue",
    "due_date": "the oldest unpaid due date",
    "link": "the statement link",
    "phone": "the book's phone",
}
MAX_LENGTH = 2000

DEFAULTS = {
    Kind.CUSTOMER: {
        "en": "Dear {customer}, a reminder from {business}: {amount} is due from you, the "
        "oldest part since {due_date}. Your account, and how to pay: {link}",
        "hi": "नमस्ते {customer}, {business} की ओर से याद दिलाना: आपकी ओर {amount} बकाया है, "
        "सबसे पुराना {due_date} से। अपना खाता देखें और भुगतान करें: {link}",
        "bn": "নমস্কার {customer}, {business} থেকে মনে করিয়ে দিচ্ছি: আপনার কাছে {amount} বাকি "
        "আছে, সবচেয়ে পুরনোটি {due_date} থেকে। আপনার হিসাব দেখুন ও টাকা দিন: {link}",
    },
    Kind.SUPPLIER: {
        "en": "Dear {customer}, from {business}: by our books we owe you {amount}, the oldest "
        "part due on {due_date}. Our account with you: {link}",
        "hi": "नमस्ते {customer}, {business} की ओर से: हमारे खाते के अनुसार हमें आपको {amount} "
        "देने हैं, सबसे पुराना {due_date} को देय। आपके साथ हमारा खाता: {link}",
        "bn": "নমস্কার {customer}, {business} থেকে: আমাদের হিসাবে আপনাকে {amount} দিতে হবে, "
        "সবচেয়ে পুরনোটি {due_date} তারিখে দেয়। আপনার সঙ্গে আমাদের হিসাব: {link}",
    },
}
LANGUAGES = list(DEFAULTS[Kind.CUSTOMER])
SUBJECTS = {
    Kind.CUSTOMER: {
        "en": "Payment reminder from {business}",
        "hi": "{business} की ओर से भुगतान का अनुस्मारक",
        "bn": "{business} থেকে টাকা দেওয়ার অনুস্মারক",
    },
    Kind.SUPPLIER: {
        "en": "Our account with you, from {business}",
        "hi": "{business} की ओर से: आपके साथ हमारा खाता",
        "bn": "{business} থেকে: আপনার সঙ্গে আমাদের হিসাব",
    },
}


def problems(text: str) -> list[str]:
    """What is wrong with a text as a template (nothing: it may be used)."""
    if len(text) > MAX_LENGTH:
        return [f"At most {MAX_LENGTH} characters."]
    try:
        fields = [
            (name, spec, conversion)
            for _, name, spec, conversion in string.Formatter().parse(text)
            if name is not None
        ]
    except ValueError as exc:
        return [f"Not a valid template ({exc}); write a brace as {{{{ or }}}}."]
    wrong = [
        f"Unknown placeholder {{{name}}}; use {', '.join('{' + p + '}' for p in PLACEHOLDERS)}."
        for name, spec, conversion in fields
        if name not in PLACEHOLDERS or spec or conversion
    ]
    return wrong


def effective(own: dict) -> dict:
    """Every text a book uses, by kind and language: its own where it has one."""
    return {
        kind: {lang: own.get(kind, {}).get(lang) or text for lang, text in texts.items()}
        for kind, texts in DEFAULTS.items()
    }


def with_changes(own: dict, changes: dict) -> dict:
    """A book's own texts with `changes` ({kind: {language: text}}) over them; an empty text
    drops the book's own, so the default is used again."""
    merged = {kind: dict(own.get(kind, {})) for kind in DEFAULTS}
    for kind, by_language in changes.items():
        for language, text in by_language.items():
            if text:
                merged[kind][language] = text
            else:
                merged[kind].pop(language, None)
    return {kind: by_language for kind, by_language in merged.items() if by_language}


def language_of(locale_language: str) -> str:
    return locale_language if locale_language in LANGUAGES else "en"


def fill(template: str, values: dict) -> str:
    """The text with its placeholders filled (checked by problems() when it was saved)."""
    return template.format_map(values)
