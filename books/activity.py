"""The activity trail: what changed in a book, by whom, recorded by the services that change it,
in their transaction (a change and its record commit together or not at all)."""

from django.db import models

from books.models import Activity

# Every action the trail records, by what it happened to.
ACTIONS = [
    "book.created",
    "book.updated",
    "book.archived",
    "book.restored",
    "book.imported",
    "customer.created",
    "customer.updated",
    "customer.archived",
    "customer.restored",
    "member.invited",
    "member.claimed",
    "member.joined",
    "member.declined",
    "member.role_changed",
    "member.removed",
    "member.left",
    "token.created",
    "token.revoked",
    "link.created",
    "link.revoked",
    "link.opened",
    "webhook.created",
    "webhook.updated",
    "webhook.deleted",
    "webhook.secret_rotated",
    "webhook.redelivered",
    "reminder.settings_updated",
]


def record(*, book_id: int, actor, action: str, target: models.Model, changes: dict | None = None):
    """Record that `actor` (a user; None for the system) did `action` to `target` in the book."""
    assert action in ACTIONS, action
    return Activity.objects.create(
        book_id=book_id,
        actor=actor,
        actor_name=getattr(actor, "username", "") if actor is not None else "",
        action=action,
        object_type=target._meta.model_name,
        object_id=target.pk,
        changes=changes or {},
    )


def snapshot(instance: models.Model, fields) -> dict:
    """The named fields' values, as the trail shows them (JSON: dates and amounts as text)."""
    return {name: _plain(getattr(instance, name)) for name in fields}


def diff(before: dict, after: dict) -> dict:
    """{field: [before, after]} for each field whose value changed."""
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }


def _plain(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
