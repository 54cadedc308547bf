import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.conf.embedded")
application = get_wsgi_application()

# Uploads are inspected in children of a forkserver that loads Django once (about 2 s): start it
# now, in the background, rather than on the first upload.
from motcua.documents.bounded import start_forkserver  # noqa: E402

start_forkserver()
