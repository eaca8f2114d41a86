"""Books (a merchant's businesses) and their members: the tenant every customer, entry and job
belongs to."""

from django.apps import AppConfig


class BooksConfig(AppConfig):
    name = "books"
