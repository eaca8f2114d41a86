"""Who may act in which book: the API's one permission check (settings'
DEFAULT_PERMISSION_CLASSES).

A view acts in a book when its URL names one (`/api/books/{book}/...`, or the book's own routes)
or when it is tenant-scoped (common.scoping) and the URL names none: then it acts in the caller's
default book, which is how /api/customers/ and the v1 and v2 clients' routes keep working. The
book found is the request's tenant. A book the caller is not an active member of is a 404, as if
it did not exist; a role too low for the action is a 403 naming the role needed; an archived
book refuses every change but its restoring.
"""

from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.models import AuthToken
from books.exceptions import BookArchived
from books.models import Membership, MembershipStatus, Role, TokenScope, may
from common.numbers import row_id
from common.scoping import set_tenant

BOOK_URL_KWARG = "book_pk"


class BookAccess(BasePermission):
    """Signed in; and, where the view acts in a book, a member of it with the role it needs."""

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        scope = token_scope(request)
        kwarg = getattr(view, "book_url_kwarg", BOOK_URL_KWARG)
        if kwarg in view.kwargs:
            membership = membership_of(request.user, view.kwargs[kwarg])
            if scope is not None and scope.book_id not in (None, membership.book_id):
                raise NotFound("No book matches the given query.")
        elif getattr(view, "tenant_scoped", False):
            membership = (
                membership_of(request.user, scope.book_id)
                if scope is not None and scope.book_id is not None
                else default_membership_of(request.user)
            )
        elif (
            scope is not None
            and request.method not in SAFE_METHODS
            and not getattr(view, "limited_tokens_may", False)
        ):
            # A token limited to a book reads the account's routes but changes nothing outside
            # its book: no new tokens, books, invitations answered or default book.
            raise PermissionDenied("A token limited to a book or a role changes nothing here.")
        else:
            return True
        role = membership.role
        if scope is not None and scope.role and not may(scope.role, role):
            role = scope.role  # the token's limit, when lower than the member's own role
        set_tenant(request, membership.book, role=role)
        request.membership = membership
        needed = role_needed(request, view)
        if not may(role, needed):
            raise PermissionDenied(
                f"This needs the {needed} role in this book or a higher one; yours is {role}"
                + (" (this token's limit)." if role != membership.role else ".")
            )
        if (
            membership.book.is_archived
            and request.method not in SAFE_METHODS
            and view.action not in getattr(view, "archived_actions", ())
        ):
            raise BookArchived()
        return True


def token_scope(request) -> TokenScope | None:
    """The limits of the named token the request came with, if it has any (found once)."""
    if not hasattr(request, "_token_scope"):
        auth = request.auth
        limited = isinstance(auth, AuthToken) and auth.kind == AuthToken.Kind.INTEGRATION
        request._token_scope = TokenScope.objects.filter(token=auth).first() if limited else None
    return request._token_scope


def role_needed(request, view) -> str:
    """The role the view's action needs: the view's `role_needed()` or `roles` say; else
    reading needs a viewer and anything else an owner."""
    if hasattr(view, "role_needed"):
        needed = view.role_needed()
        if needed:
            return needed
    needed = getattr(view, "roles", {}).get(getattr(view, "action", None))
    if needed:
        return needed
    return Role.VIEWER if request.method in SAFE_METHODS else Role.OWNER


def membership_of(user, book_id) -> Membership:
    """The user's active membership of the book, else a 404 (another's book or no book)."""
    pk = row_id(book_id)
    membership = None
    if pk is not None:
        membership = (
            Membership.objects.select_related("book")
            .filter(user=user, book_id=pk, status=MembershipStatus.ACTIVE)
            .first()
        )
    if membership is None:
        raise NotFound("No book matches the given query.")
    return membership


def default_membership_of(user) -> Membership:
    """The user's membership of their default book, else a 404 saying how to choose one."""
    membership = (
        Membership.objects.select_related("book").filter(user=user, is_default=True).first()
    )
    if membership is None:
        raise NotFound(
            "You have no default book: choose one with PATCH /api/auth/me/ {default_book}, or "
            "use /api/books/{book}/..."
        )
    return membership
