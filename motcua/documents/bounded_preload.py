"""Imported once by the upload inspection forkserver (see `bounded`): every forked child then
starts with Django set up and pypdf and Pillow loaded."""

import django

django.setup()

import motcua.documents.files  # noqa: E402, F401  (pypdf, Pillow and the inspectors)
