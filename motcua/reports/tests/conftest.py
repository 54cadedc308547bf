# The dossier fixtures (a birth registration procedure and its applicant) serve here too.
from motcua.dossiers.tests.conftest import birth_version, hung

__all__ = ["birth_version", "hung"]
