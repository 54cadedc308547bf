"""The papers of a dossier and what each asks of the applicant, by one rule
(`catalog.eforms.form_paper_need`) shared by the papers step, the check before submission and
the reception view, so the tag a citizen sees is the rule the system enforces."""

from dataclasses import dataclass

from motcua.catalog.eforms import PaperNeed, form_paper_need
from motcua.catalog.models import DossierComponent
from motcua.dossiers.models import Dossier, DossierAttachment


@dataclass(frozen=True)
class Paper:
    component: DossierComponent
    need: PaperNeed
    attachments: list[DossierAttachment]

    @property
    def missing(self) -> bool:
        return self.need == PaperNeed.REQUIRED and not self.attachments


def dossier_papers(*, dossier: Dossier) -> list[Paper]:
    """Every component of the dossier's procedure version, with its need and what is attached."""
    form = getattr(dossier.procedure_version, "form", None)
    schema = form.schema if form is not None else None
    attachments = list(dossier.attachments.all())
    return [
        Paper(
            component=component,
            need=form_paper_need(schema, dossier.form_data, position=component.position, required=component.required),
            attachments=[a for a in attachments if a.component_id == component.pk],
        )
        for component in dossier.procedure_version.components.all()
    ]
