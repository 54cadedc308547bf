"""The outbox dispatcher: claims due messages, hands them to their channel, records the outcome.

Runs after the commit that wrote the messages (tasks.outbox_send, for those messages) and on
a timer in every worker (tasks.outbox_dispatch_due, for everything due). Any number of
dispatchers may run at once:

- a message is *claimed* by one conditional UPDATE (due → "sending" with a lease): of two
  workers racing for a row, one updates it and the other updates nothing and moves on;
- the claim is committed before the provider is called, and the outcome is written with the
  lease as a fencing token, so a worker that lost its lease cannot overwrite a newer claim;
- a worker that dies mid-send leaves its rows "sending"; when the lease runs out the next pass
  sends them again with the same provider reference, which SMS and Zalo de-duplicate on and
  which is the e-mail's Message-ID (docs/notifications.md, "exactly once");
- a newer message never overtakes an older unfinished one to the same recipient on the same
  channel ("line"): messages go out in the order they were recorded;
- fair: channels are served in turn, each with its own quota and time per pass, and within a
  channel every recipient's oldest message comes before anyone's second;
- when a provider is down (or refuses message after message) its channel is paused for every
  dispatcher (OutboxChannelPause, a circuit breaker) instead of each message burning an
  attempt; after the pause one message tries it again, and the pause doubles while it fails.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.notifications.channels import ChannelFailure, channel_send
from motcua.notifications.constants import (
    REPLY_EVENTS,
    UNFINISHED_STATUSES,
    NotificationChannel,
    OutboxStatus,
)
from motcua.notifications.models import OutboxChannelPause, OutboxMessage
from motcua.notifications.privacy import mask_recipient

logger = logging.getLogger(__name__)


@dataclass
class DispatchReport:
    sent: int = 0
    retrying: int = 0
    dead: int = 0
    # Due when the pass began and left for a later one: behind an older message, in SMS quiet
    # hours, its channel paused or out of quota or time.
    waiting: int = 0
    # Channels skipped because their provider is down (the breaker is open).
    channels_paused: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


# --- timing -------------------------------------------------------------------------------------


def _parse_quiet_hours(spec: str) -> tuple[datetime.time, datetime.time] | None:
    """ "21:00-07:00" → (21:00, 07:00); "" → None (no quiet hours)."""
    if not spec.strip():
        return None
    start, end = (datetime.time.fromisoformat(part.strip()) for part in spec.split("-", 1))
    return (start, end) if start != end else None


def quiet_hours_end(at: datetime.datetime) -> datetime.datetime | None:
    """The end of the SMS quiet period `at` falls in (local time), or None outside it."""
    window = _parse_quiet_hours(settings.MOTCUA_SMS_QUIET_HOURS)
    if window is None:
        return None
    start, end = window
    local = timezone.localtime(at)
    now = local.time()
    if start < end:  # e.g. 12:00-13:30, within one day
        inside = start <= now < end
        end_day = local.date()
    else:  # e.g. 21:00-07:00, across midnight
        inside = now >= start or now < end
        end_day = local.date() + datetime.timedelta(days=1) if now >= start else local.date()
    if not inside:
        return None
    return timezone.make_aware(datetime.datetime.combine(end_day, end), timezone.get_current_timezone())


def not_before(*, channel: str, event: str, at: datetime.datetime) -> datetime.datetime:
    """`at`, or the end of the SMS quiet hours when an SMS would go out during them.

    Replies to inbound texts are exempt: the person just wrote to us.
    """
    if channel == NotificationChannel.SMS and event not in REPLY_EVENTS:
        return quiet_hours_end(at) or at
    return at


def backoff(attempts: int) -> datetime.timedelta:
    """Wait after the `attempts`-th failure: base × 2^(attempts-1), capped."""
    base = settings.MOTCUA_OUTBOX_BACKOFF_SECONDS
    seconds = min(base * 2 ** max(attempts - 1, 0), settings.MOTCUA_OUTBOX_BACKOFF_MAX_SECONDS)
    return datetime.timedelta(seconds=seconds)


def _due(now: datetime.datetime) -> Q:
    return Q(status__in=[OutboxStatus.PENDING, OutboxStatus.FAILED], next_attempt_at__lte=now) | Q(
        status=OutboxStatus.SENDING, locked_until__lt=now
    )


# --- one pass -----------------------------------------------------------------------------------


def outbox_dispatch(*, message_ids: Sequence[int] | None = None, limit: int | None = None) -> DispatchReport:
    """Send what is due (only `message_ids` when given). Never raises for a provider's failure:
    the message is rescheduled or, after MOTCUA_OUTBOX_MAX_ATTEMPTS, marked dead.

    Fair: each channel is a lane of its own, served in turn one message at a time, with at most
    `limit` (MOTCUA_OUTBOX_BATCH_SIZE) messages and MOTCUA_OUTBOX_CHANNEL_BUDGET_SECONDS of
    sending per pass, so a slow or refusing provider never holds up another channel. Within a
    lane only the oldest unfinished message of each recipient is eligible, oldest first, so one
    recipient with many messages gets one per round like everyone else.
    """
    report = DispatchReport()
    started = timezone.now()
    _bury_abandoned(started)
    lanes = []
    for channel in NotificationChannel.values:
        pause = _channel_pause(channel, started)
        if pause.paused:
            report.channels_paused += 1
            continue
        quota = limit or settings.MOTCUA_OUTBOX_BATCH_SIZE
        lanes.append(_Lane(channel=channel, message_ids=message_ids, quota=quota, trips=pause.trips))
    while lanes:
        for lane in list(lanes):
            if not lane.step(report):
                lanes.remove(lane)
    left = OutboxMessage.objects.filter(_due(started))
    if message_ids is not None:
        left = left.filter(pk__in=list(message_ids))
    report.waiting += left.count()
    return report


# The reason of a failure that is not the provider's answer: a bug or a library error here.
UNEXPECTED_ERROR = "error"

# Line heads fetched per query: few, so a lane also sees messages recorded while it runs.
_FETCH = 20


class _Lane:
    """One channel's share of a pass: its due line heads, its quota, its time and its breaker."""

    def __init__(self, *, channel: str, message_ids: Sequence[int] | None, quota: int, trips: int):
        self.channel = channel
        self.message_ids = None if message_ids is None else list(message_ids)
        self.quota = quota
        self.trips = trips  # the breaker's trips in a row: a message that goes through closes it
        self.spent = datetime.timedelta()
        self.budget = datetime.timedelta(seconds=settings.MOTCUA_OUTBOX_CHANNEL_BUDGET_SECONDS)
        self.failures_in_a_row = 0
        self.seen: set[int] = set()
        self.queue: list[tuple[int, str]] = []

    def step(self, report: DispatchReport) -> bool:
        """Handle the lane's next message; False when the lane is done for this pass."""
        if self.quota <= 0 or self.spent >= self.budget:
            return False
        if not self.queue:
            self.queue = self._heads()
            if not self.queue:
                return False
        pk, event = self.queue.pop(0)
        self.seen.add(pk)
        later = not_before(channel=self.channel, event=event, at=timezone.now())
        if later > timezone.now():
            OutboxMessage.objects.filter(pk=pk, status__in=[OutboxStatus.PENDING, OutboxStatus.FAILED]).update(
                next_attempt_at=later
            )
            report.waiting += 1
            return True
        message = _claim(pk)
        if message is None:  # another worker has it
            return True
        self.quota -= 1
        began = timezone.now()
        outcome = _deliver(message)
        self.spent += timezone.now() - began
        if outcome is None:
            report.sent += 1
            self.failures_in_a_row = 0
            if self.trips:
                outbox_channel_resume(channel=self.channel)
                self.trips = 0
            return True
        if message.status == OutboxStatus.DEAD:
            report.dead += 1
        else:
            report.retrying += 1
        if not outcome.retryable or outcome.reason == UNEXPECTED_ERROR:
            # The message's own fault (a refused address…) or ours (a receipt that fails to
            # render): says nothing about the provider.
            return True
        self.failures_in_a_row += 1
        if outcome.provider_down or self.failures_in_a_row >= settings.MOTCUA_OUTBOX_CHANNEL_FAILURE_THRESHOLD:
            _channel_trip(self.channel, trips=self.trips, reason=str(outcome))
            return False
        return True

    def _heads(self) -> list[tuple[int, str]]:
        """Due messages heading their line: no older unfinished one to the same recipient."""
        older_unfinished = OutboxMessage.objects.filter(
            channel=OuterRef("channel"),
            recipient=OuterRef("recipient"),
            pk__lt=OuterRef("pk"),
            status__in=UNFINISHED_STATUSES,
        )
        heads = (
            OutboxMessage.objects.filter(_due(timezone.now()), channel=self.channel)
            .exclude(pk__in=self.seen)
            .filter(~Exists(older_unfinished))
            .order_by("id")
        )
        if self.message_ids is not None:
            heads = heads.filter(pk__in=self.message_ids)
        return list(heads.values_list("pk", "event")[: min(_FETCH, self.quota)])


# --- the channel breaker ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Pause:
    paused: bool
    trips: int


def _channel_pause(channel: str, now: datetime.datetime) -> _Pause:
    state = OutboxChannelPause.objects.filter(channel=channel).values_list("trips", "paused_until").first()
    if state is None:
        return _Pause(paused=False, trips=0)
    trips, until = state
    longest = datetime.timedelta(seconds=settings.MOTCUA_OUTBOX_CHANNEL_PAUSE_MAX_SECONDS)
    # A pause reaching further than the longest one comes from a clock set back: it is over.
    paused = until is not None and now < until <= now + longest
    return _Pause(paused=paused, trips=trips)


def _channel_trip(channel: str, *, trips: int, reason: str) -> None:
    """Pause `channel` for every dispatcher: its provider is down, or refuses all it is given.
    Its messages keep their attempts meanwhile; the pause doubles with each trip in a row."""
    seconds = min(
        settings.MOTCUA_OUTBOX_CHANNEL_PAUSE_SECONDS * 2**trips, settings.MOTCUA_OUTBOX_CHANNEL_PAUSE_MAX_SECONDS
    )
    until = timezone.now() + datetime.timedelta(seconds=seconds)
    OutboxChannelPause.objects.update_or_create(
        channel=channel, defaults={"trips": trips + 1, "paused_until": until, "reason": reason[:255]}
    )
    logger.warning("Outbox: channel %s paused for %d s (trip %d in a row): %s", channel, seconds, trips + 1, reason)


def outbox_channel_resume(*, channel: str) -> None:
    """Close the channel's breaker: a message went through, or an administrator fixed what
    stopped it (e.g. a new Zalo token)."""
    OutboxChannelPause.objects.filter(channel=channel).update(trips=0, paused_until=None, reason="")
    logger.info("Outbox: channel %s works again", channel)


def _bury_abandoned(now: datetime.datetime) -> None:
    """A row whose last allowed attempt died mid-send is not tried forever (it may be a message
    that crashes the worker): it is marked dead for an administrator to look at."""
    buried = OutboxMessage.objects.filter(
        status=OutboxStatus.SENDING, locked_until__lt=now, attempts__gte=settings.MOTCUA_OUTBOX_MAX_ATTEMPTS
    ).update(
        status=OutboxStatus.DEAD,
        locked_until=None,
        last_error=_("Tiến trình gửi dừng giữa chừng ở lần thử cuối; nhà cung cấp có thể đã nhận tin."),
    )
    if buried:
        logger.error("Outbox: %d message(s) abandoned mid-send on their last attempt, marked dead", buried)


def _claim(pk: int) -> OutboxMessage | None:
    """The message, now "sending" under our lease; None if another worker claimed it first.

    One UPDATE whose WHERE repeats the due condition: the database serialises the two
    writers, and the second one finds nothing left to update. It runs in autocommit (or the
    caller's transaction), so the claim is durable before the provider is called.
    """
    now = timezone.now()
    lease = now + datetime.timedelta(seconds=settings.MOTCUA_OUTBOX_LEASE_SECONDS)
    claimed = (
        OutboxMessage.objects.filter(pk=pk)
        .filter(_due(now))
        .filter(attempts__lt=settings.MOTCUA_OUTBOX_MAX_ATTEMPTS)
        .update(status=OutboxStatus.SENDING, locked_until=lease, attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    return OutboxMessage.objects.get(pk=pk)


def _deliver(message: OutboxMessage) -> ChannelFailure | None:
    """Send a claimed message and record the outcome; the failure, or None when sent."""
    try:
        provider_id = channel_send(message)
    except ChannelFailure as refused:
        _record_failure(message, refused)
        return refused
    except Exception as error:
        # A bug or an unexpected library error must not lose the message: retry it later.
        logger.exception("Outbox: unexpected error sending message %s", message.pk)
        unexpected = ChannelFailure(UNEXPECTED_ERROR, retryable=True, provider_down=False, detail=type(error).__name__)
        _record_failure(message, unexpected)
        return unexpected
    outbox_mark_sent(message=message, provider_id=provider_id)
    return None


def outbox_mark_sent(*, message: OutboxMessage, provider_id: str) -> None:
    """Record that the provider took `message` (claimed by us: its lease is the fencing token)."""
    updated = OutboxMessage.objects.filter(
        pk=message.pk, status=OutboxStatus.SENDING, locked_until=message.locked_until
    ).update(
        status=OutboxStatus.SENT,
        provider_id=provider_id[:255],
        sent_at=timezone.now(),
        locked_until=None,
        last_error="",
    )
    logger.info(
        "Outbox: sent message=%s channel=%s event=%s to=%s provider_id=%s attempt=%d%s",
        message.pk,
        message.channel,
        message.event,
        mask_recipient(message.recipient),
        provider_id,
        message.attempts,
        "" if updated else " (already recorded by a receipt or another worker)",
    )


def _record_failure(message: OutboxMessage, failure: ChannelFailure) -> None:
    now = timezone.now()
    if not failure.retryable or message.attempts >= settings.MOTCUA_OUTBOX_MAX_ATTEMPTS:
        message.status = OutboxStatus.DEAD
        next_at = message.next_attempt_at
    else:
        message.status = OutboxStatus.FAILED
        next_at = not_before(channel=message.channel, event=message.event, at=now + backoff(message.attempts))
    OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.SENDING, locked_until=message.locked_until).update(
        status=message.status, next_attempt_at=next_at, locked_until=None, last_error=str(failure)[:500]
    )
    log = logger.error if message.status == OutboxStatus.DEAD else logger.warning
    log(
        "Outbox: %s message=%s channel=%s event=%s to=%s attempt=%d reason=%s next=%s",
        "gave up on" if message.status == OutboxStatus.DEAD else "will retry",
        message.pk,
        message.channel,
        message.event,
        mask_recipient(message.recipient),
        message.attempts,
        failure.reason,
        next_at.isoformat() if message.status == OutboxStatus.FAILED else "-",
    )
