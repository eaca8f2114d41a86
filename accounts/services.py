"""Writes for accounts: registering a merchant and ending a session."""

from django.contrib.auth import get_user_model
from django.db import transaction
from rest_framework_simplejwt.tokens import RefreshToken

User = get_user_model()


@transaction.atomic
def register_user(*, username: str, password: str, email: str = "") -> User:
    """Create a merchant's account; the caller has validated the username and password."""
    return User.objects.create_user(username=username, password=password, email=email)


def tokens_for(user: User) -> dict[str, str]:
    """Issue a fresh refresh and access token pair for the user."""
    refresh = RefreshToken.for_user(user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}
