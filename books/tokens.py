"""Writes to the tokens of books: personal tokens limited to a book and a role, and book tokens
that belong to a book (recorded in its activity trail)."""

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.text import slugify

from accounts import services as account_services
from accounts.models import AuthToken
from books.activity import record
from books.models import Book, Membership, MembershipStatus, TokenScope


@transaction.atomic
def create_personal_token(*, user, name: str, book: Book | None = None, role: str = ""):
    """A named token of the user's, limited (if asked) to one book and at most one role; answer
    it and its secret (shown this once)."""
    token, secret = account_services.create_token(user=user, name=name)
    if book is not None or role:
        TokenScope.objects.create(token=token, book=book, role=role)
    return token, secret


@transaction.atomic
def create_book_token(*, book: Book, name: str, role: str, by):
    """A token that belongs to the book, for an integration: it acts with `role` in this book
    only, whoever joins or leaves, until an owner revokes it. Its user is an account made for
    it (no password: no one signs in as it), a member of this book alone."""
    username = f"token:{slugify(name)[:100] or 'token'}:{secrets.token_hex(4)}"
    integration = get_user_model().objects.create_user(username=username, password=None)
    Membership.objects.create(
        book=book,
        user=integration,
        role=role,
        status=MembershipStatus.ACTIVE,
        is_default=True,
        invited_by=by,
    )
    token, secret = account_services.create_token(user=integration, name=name)
    TokenScope.objects.create(token=token, book=book, role=role, book_token=True)
    changes = {"name": [None, name], "role": [None, role], "username": [None, username]}
    record(book_id=book.pk, actor=by, action="token.created", target=token, changes=changes)
    return token, secret


@transaction.atomic
def revoke_book_token(*, scope: TokenScope, by) -> None:
    """End a book token for good: its account leaves the book and can never act again (the
    entries it posted keep naming it)."""
    token = scope.token
    changes = {"name": [token.name, None], "role": [scope.role, None]}
    record(book_id=scope.book_id, actor=by, action="token.revoked", target=token, changes=changes)
    integration = token.user
    Membership.objects.filter(user=integration).delete()
    AuthToken.objects.filter(user=integration).delete()
    integration.is_active = False
    integration.save(update_fields=["is_active"])
