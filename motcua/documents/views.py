"""The citizen's document store: earlier results and papers, downloadable and reusable."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _

from motcua.documents.files import private_file_response
from motcua.documents.models import StoredDocument


@login_required(login_url="accounts:login")
def store(request: HttpRequest) -> HttpResponse:
    documents = StoredDocument.objects.filter(owner_id=int(request.user.pk or 0)).select_related("source_dossier")
    return render(request, "documents/store.html", {"documents": documents})


@login_required(login_url="accounts:login")
def download(request: HttpRequest, pk: int) -> HttpResponseBase:
    document = StoredDocument.objects.filter(pk=pk, owner_id=int(request.user.pk or 0)).first()
    if document is None:
        raise Http404(_("Không tìm thấy giấy tờ."))
    return private_file_response(
        file=document.file, download_name=f"{document.title}.{document.file.name.rsplit('.', 1)[-1]}", inline=True
    )
