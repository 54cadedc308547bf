"""Imported once by the upload inspection forkserver (see `bounded`): every forked child then
starts with Django set up and pikepdf, img2pdf and Pillow loaded."""

import django

django.setup()

import motcua.documents.files  # noqa: E402, F401  (pikepdf, img2pdf, Pillow and the inspectors)
