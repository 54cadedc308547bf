"""Pre-filling forms so a citizen never types or uploads again what the State already holds.

Two sources of field values, addressed by "source paths" that e-form definitions name:

* "profile.<field>": what the citizen told us once (CitizenProfile);
* "population.<field>" and "population.<father|mother|spouse>.<field>": the national population
  database, looked up at most once per `Prefill` and only when a population path is asked for.

And one source of papers: `stored_documents_for_component` offers the papers already in the
citizen's data store (kho dữ liệu) for a dossier component, instead of a new upload.
"""

import re
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from motcua.accounts.models import CitizenProfile
from motcua.core.audit import audit_record
from motcua.core.privacy import mask_id
from motcua.core.text import fold
from motcua.documents.models import StoredDocument
from motcua.exchange.constants import ExchangePurpose
from motcua.exchange.services import ExchangeContext, population_lookup
from motcua.integrations.population import (
    RELATIONS,
    Person,
    PopulationRecord,
    PopulationRegistry,
    PopulationUnavailable,
)

PROFILE_FIELDS = ("full_name", "id_number", "birth_date", "phone", "email", "address")
POPULATION_FIELDS = (
    "full_name",
    "id_number",
    "birth_date",
    "gender",
    "ethnicity",
    "nationality",
    "permanent_address",
    "permanent_unit_code",
)
# The relative's ward or commune too: an address pre-filled without it fails validation.
RELATION_FIELDS = (
    "full_name",
    "id_number",
    "birth_date",
    "gender",
    "ethnicity",
    "nationality",
    "permanent_address",
    "permanent_unit_code",
)

# Every path `Prefill.value` answers, for form builders that offer a choice of sources.
SOURCE_PATHS: tuple[str, ...] = (
    *(f"profile.{name}" for name in PROFILE_FIELDS),
    *(f"population.{name}" for name in POPULATION_FIELDS),
    *(f"population.{relation}.{name}" for relation in RELATIONS for name in RELATION_FIELDS),
)


def _plain(value: Any) -> Any:
    """Form-ready value: dates as ISO strings, blanks as None (nothing to pre-fill)."""
    if isinstance(value, date):
        return value.isoformat()
    if value == "":
        return None
    return value


class Prefill:
    """Values for a citizen's forms, from their profile and the population database."""

    def __init__(
        self,
        *,
        profile: CitizenProfile | None,
        registry: PopulationRegistry | None = None,
        looked_up_by: Any = None,
        reason: dict[str, Any] | None = None,
    ):
        self.profile = profile
        # An officer filling in a form for the citizen: each registry lookup is audited.
        self._looked_up_by = looked_up_by
        self._reason = reason or {}
        # Messages for the citizen (Vietnamese), e.g. that the population database is down.
        self.warnings: list[str] = []
        self._registry = registry
        self._looked_up = False
        self._record: PopulationRecord | None = None

    @classmethod
    def for_user(
        cls,
        user: AbstractBaseUser | AnonymousUser,
        *,
        registry: PopulationRegistry | None = None,
        looked_up_by: Any = None,
        reason: dict[str, Any] | None = None,
    ) -> "Prefill":
        """A pre-fill for `user`; staff and anonymous users have no profile and get only None.

        `looked_up_by` is someone else acting for `user` (an officer at the counter), recorded
        with `reason` in the audit trail whenever the population registry is asked.
        """
        profile: CitizenProfile | None = None
        if user.is_authenticated:
            profile = CitizenProfile.objects.select_related("address_unit").filter(user_id=user.pk).first()
        return cls(profile=profile, registry=registry, looked_up_by=looked_up_by, reason=reason)

    @property
    def population(self) -> PopulationRecord | None:
        """The citizen's population record, looked up on first use only (None if unknown)."""
        if not self._looked_up:
            self._looked_up = True
            id_number = self.profile.id_number if self.profile else None
            if id_number:
                try:
                    self._record = population_lookup(
                        id_number=id_number,
                        registry=self._registry,
                        context=ExchangeContext(
                            purpose=ExchangePurpose.PREFILL,
                            actor=self._looked_up_by or (self.profile.user if self.profile else None),
                            dossier_id=self._reason.get("dossier"),
                            subject_user=self.profile.user if self.profile else None,
                        ),
                    )
                    self._audit_lookup(id_number)
                except PopulationUnavailable:
                    self.warnings.append(
                        gettext(
                            "Không kết nối được Cơ sở dữ liệu quốc gia về dân cư; "
                            "vui lòng tự nhập các thông tin còn thiếu."
                        )
                    )
        return self._record

    def _audit_lookup(self, id_number: str) -> None:
        if self._looked_up_by is None or self.profile is None:
            return
        with transaction.atomic():
            audit_record(
                actor=self._looked_up_by,
                action="population.lookup",
                obj=self.profile.user,
                summary={"id_number": mask_id(id_number), "found": self._record is not None, **self._reason},
            )

    def value(self, path: str) -> Any:
        """The value for a source path such as "profile.phone" or "population.spouse.full_name".

        Dates come as ISO strings, "profile.address" as {"unit": <commune code>, "detail": text};
        unknown paths and missing values give None.
        """
        source, _, rest = path.partition(".")
        if source == "profile":
            return self._profile_value(rest)
        if source == "population":
            return self._population_value(rest)
        return None

    def values(self, paths: Iterable[str]) -> dict[str, Any]:
        return {path: self.value(path) for path in paths}

    def _profile_value(self, name: str) -> Any:
        profile = self.profile
        if profile is None or name not in PROFILE_FIELDS:
            return None
        if name == "address":
            unit = profile.address_unit.code if profile.address_unit else None
            detail = profile.address_detail or None
            return {"unit": unit, "detail": detail} if unit or detail else None
        return _plain(getattr(profile, name))

    def _population_value(self, rest: str) -> Any:
        head, _, tail = rest.partition(".")
        person: Person | None
        if tail:
            if head not in RELATIONS or tail not in RELATION_FIELDS:
                return None
            name = tail
        else:
            if head not in POPULATION_FIELDS:
                return None
            name = head
        record = self.population
        if record is None:
            return None
        person = record.relation(head) if tail else record.person
        return _plain(getattr(person, name)) if person else None


# --- Reusing papers from the citizen's data store. ---

# Words that say which copy is wanted, not which paper: "Bản sao Giấy khai sinh (có chứng
# thực)" is still a birth certificate.
_FILLER = re.compile(r"\b(ban sao|ban chinh|co chung thuc|chung thuc|hop le|neu co)\b")

# Names of the same paper. Two titles that both contain a phrase of one group are the same paper
# even when their other words differ ("Căn cước công dân" / "Bản sao thẻ Căn cước").
KEY_PHRASES: tuple[tuple[str, ...], ...] = (
    ("giay khai sinh", "trich luc khai sinh"),
    ("giay chung sinh",),
    ("can cuoc", "chung minh nhan dan"),
    ("ho chieu",),
    ("giay chung nhan ket hon", "trich luc ket hon", "trich luc dang ky ket hon"),
    ("xac nhan tinh trang hon nhan",),
    ("so ho khau",),
    ("xac nhan thong tin ve cu tru", "xac nhan thong tin cu tru"),
    ("giay bao tu",),
    ("trich luc khai tu",),
    ("quyen su dung dat",),
    ("giay phep lai xe",),
    ("giay phep xay dung",),
    ("dang ky doanh nghiep",),
    ("dang ky ho kinh doanh",),
)


def _words(folded: str) -> set[str]:
    return set(_FILLER.sub(" ", folded).split())


def _has_phrase(folded: str, phrase: str) -> bool:
    return f" {phrase} " in f" {folded} "


def paper_matches(*, stored_title: str, component_name: str) -> bool:
    """Whether a stored paper titled `stored_title` can serve as the component `component_name`.

    The rule, after folding both (no accents, lower case) and dropping words about the kind of
    copy ("bản sao", "có chứng thực"…): the two match when every word of one is a word of the
    other, or when both name the same paper by a known key phrase. A one-word title matches
    only an identical one, so "Giấy" alone is not offered for every "Giấy …".
    """
    title = fold(stored_title)
    component = fold(component_name)
    title_words, component_words = _words(title), _words(component)
    if not title_words or not component_words:
        return False
    smaller, larger = sorted((title_words, component_words), key=len)
    if smaller == larger or (len(smaller) >= 2 and smaller <= larger):
        return True
    return any(
        any(_has_phrase(title, phrase) for phrase in group) and any(_has_phrase(component, phrase) for phrase in group)
        for group in KEY_PHRASES
    )


# Papers that attest one event (a birth, a death): each serves the one registration of that
# event. A birth notice ("Giấy chứng sinh") already sent with a birth registration, or issued
# more than a year ago, is about a child already registered, not a new one: it is not
# offered again (a year: the law asks for registration within 60 days, and a late one does
# not wait for a store entry that old). Other papers (identity card, birth certificate,
# marriage certificate) describe a person or a status and serve any number of dossiers.
EVENT_PAPERS = ("giay chung sinh", "giay bao tu")
EVENT_PAPER_MAX_AGE = timedelta(days=365)


def stored_document_is_spent(*, document: StoredDocument, dossier_id: int | None = None) -> bool:
    """Whether `document` is an event paper (`EVENT_PAPERS`) that can no longer serve: older
    than `EVENT_PAPER_MAX_AGE`, or already sent from the store with another dossier of its
    owner that went further than a draft (a dossier withdrawn or refused at reception does not
    count: that event was never registered). `dossier_id` is the dossier asking, whose own
    attachment does not count."""
    from motcua.dossiers.constants import AttachmentSource, DossierStatus
    from motcua.dossiers.models import DossierAttachment

    title = fold(document.title_folded or document.title)
    if not any(_has_phrase(title, phrase) for phrase in EVENT_PAPERS):
        return False
    if document.created_at < timezone.now() - EVENT_PAPER_MAX_AGE:
        return True
    uses = DossierAttachment.objects.filter(
        dossier__applicant_id=document.owner_id, source=AttachmentSource.DOCUMENT_STORE, sha256=document.sha256
    ).exclude(dossier__status__in=[DossierStatus.DRAFT, DossierStatus.WITHDRAWN, DossierStatus.REJECTED])
    if dossier_id is not None:
        uses = uses.exclude(dossier_id=dossier_id)
    return uses.exists()


def stored_documents_for_component(
    *, user: AbstractBaseUser | AnonymousUser, component_name: str, dossier_id: int | None = None
) -> list[StoredDocument]:
    """The citizen's stored papers that can serve as `component_name` in the dossier
    `dossier_id`, newest first: matching by name, and not spent (`stored_document_is_spent`)."""
    if not user.is_authenticated:
        return []
    documents = StoredDocument.objects.filter(owner_id=user.pk).order_by("-created_at", "-pk")
    return [
        document
        for document in documents
        if paper_matches(stored_title=document.title_folded or document.title, component_name=component_name)
        and not stored_document_is_spent(document=document, dossier_id=dossier_id)
    ]
