"""Messages: one thread per trajectory between its employer contacts and its specialists.

Decisions:

* A message is never edited or deleted: the thread is part of the file.
* The employee is not in the thread (domain.md section 4) and never sees it.
* Unread means: posted by someone else after the user last opened the thread. Agency admins
  read threads but are not in them: nothing counts as unread for them, and they get no notice.
* The email notice says only that there is a new message and links to it: no names, no text,
  because email leaves the portal's protection. A recipient gets one notice per unread thread:
  further messages before they read it send nothing more.
"""

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import access, live, medical, writes
from portal.constants import AuditAction
from portal.models import User

from .models import Message, ThreadRead, Trajectory

MAX_LENGTH = 4000


def _unread(user) -> QuerySet:
    if access.reads_threads_without_being_in_them(user):
        return Message.objects.none()
    read_later = ThreadRead.objects.filter(
        user=user, trajectory_id=OuterRef("trajectory_id"), read_at__gte=OuterRef("created_at")
    )
    return Message.objects.visible_to(user).exclude(author=user).filter(~Exists(read_later))


#: How long a counted number of unread messages is kept. The number is exact while it is
#: kept (its key names everything that can change it), so this only bounds the memory.
UNREAD_SECONDS = 60 * 60


def unread_count(user) -> int:
    """Messages by others in every thread the user may see, not read yet.

    Every page's header shows this number, and counting it through the scoping layer is the
    dearest query of a page that has no other (some 10 ms). So it is kept in the cache under
    everything that can change it and counted again (one query) only when one of these moved:
    the versions of the user's dashboards (``portal.live``: every service that posts a message
    or changes a trajectory or its members raises them, for staff the agency's, which a
    stand-in raises too), the user's own live key (raised when their access changes) and the
    version of their reading (``thread_read`` raises it). One cache read when nothing moved."""
    if access.reads_threads_without_being_in_them(user):
        return 0
    keys = [
        live.user_key(user.pk),
        _reads_key(user.pk),
        *live.live_keys(user, access.home_kind(user)),
    ]
    token = live.token(keys)  # before counting: a message meanwhile is counted next time
    key = f"messages:unread:{user.pk}:{token}"
    count = cache.get(key)
    if count is None:
        count = _unread(user).count()
        cache.set(key, count, UNREAD_SECONDS)
    return count


def thread(*, user, trajectory: Trajectory) -> QuerySet:
    return (
        Message.objects.visible_to(user)
        .filter(trajectory=trajectory)
        .select_related("author")
        .order_by("created_at", "id")
    )


def _reads_key(user_id: int) -> str:
    """The version of a user's reading, part of the key of their unread count."""
    return f"messages:read:{user_id}"


def thread_read(*, user, trajectory: Trajectory) -> None:
    """Mark the thread read up to now. The version of the user's reading is raised at once,
    so this request's header counts again, and once more after the commit, so that a count
    another request of theirs made meanwhile, from before this read, is not the one kept."""
    ThreadRead.objects.update_or_create(
        user=user,
        trajectory=trajectory,
        defaults={"read_at": timezone.now(), "agency_id": trajectory.agency_id},
    )
    key = _reads_key(user.pk)
    live.bump([key])
    transaction.on_commit(lambda: live.bump([key]), robust=True)


def threads(*, user) -> QuerySet[Trajectory]:
    """The trajectories with messages the user may see, newest activity first, with counts.
    One query."""
    visible = Message.objects.visible_to(user)
    unread_ids = _unread(user).values("id")
    return (
        Trajectory.objects.visible_to(user)
        .filter(id__in=visible.values("trajectory_id"))
        .select_related("employee", "legal_entity")
        .annotate(
            message_count=Count("messages", filter=Q(messages__in=visible.values("id"))),
            unread=Count("messages", filter=Q(messages__in=unread_ids)),
            last_message_at=Max(
                "messages__created_at", filter=Q(messages__in=visible.values("id"))
            ),
        )
        .order_by("-last_message_at")
    )


@transaction.atomic
def message_post(
    *, author: User, trajectory: Trajectory, body: str, medical_confirmed: bool = False
) -> Message:
    """A message in the trajectory's thread (never changed or deleted afterwards); each other
    participant is emailed that a message waits, once until they have read it. A message of
    agency staff reaches the employer: medical words in it are named first and the writer
    rephrases or confirms (``portal.medical``; the confirmation is audited)."""
    writes.allowed(access.can_post_message(author, trajectory))
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a message first.")})
    if len(body) > MAX_LENGTH:
        raise ValidationError(
            {"body": _("A message has at most %(n)s characters.") % {"n": MAX_LENGTH}}
        )
    words = medical.medical_words(body) if access.is_agency_staff(author) else []
    medical.check(words, confirmed=medical_confirmed)
    message = Message.objects.create(
        trajectory=trajectory, agency_id=trajectory.agency_id, author=author, body=body
    )
    thread_read(user=author, trajectory=trajectory)
    writes.record(AuditAction.CREATE, message, actor=author,
                 details={"medical_words_confirmed": words} if words else None)  # fmt: skip
    from .tasks import notify_message

    recipients = list(
        access.message_participants(trajectory).exclude(pk=author.pk).values_list("pk", flat=True)
    )
    for user_id in recipients:
        transaction.on_commit(
            lambda user_id=user_id: notify_message.delay(
                message.pk, user_id, agency_id=message.agency_id
            ),
            robust=True,
        )
    return message


def notice_due(*, message: Message, user: User) -> bool:
    """Whether this message should send ``user`` an email: it is still unread and it is the
    oldest unread one in its thread (so a busy thread sends one notice until it is read)."""
    unread = _unread(user).filter(trajectory_id=message.trajectory_id)
    if not unread.filter(pk=message.pk).exists():
        return False
    return not unread.filter(
        Q(created_at__lt=message.created_at) | Q(created_at=message.created_at, id__lt=message.id)
    ).exists()
