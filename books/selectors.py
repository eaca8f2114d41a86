"""Reads of books that are more than a one-line filter."""

from django.db.models import F, QuerySet

from books.models import Book, MembershipStatus


def books_of(user) -> QuerySet[Book]:
    """The books the user is an active member of, each with `role`, the user's role in it."""
    return Book.objects.filter(
        memberships__user=user, memberships__status=MembershipStatus.ACTIVE
    ).annotate(role=F("memberships__role"))
