"""PAdES signatures on issued results, behind a registry of signing plugins.

A result carries two signatures, in the order Decree 30/2020/NĐ-CP prescribes for electronic
documents: the approving leader's personal signature (field "ChuKy", stamp at the bottom
right of the last page), then, when the clerk numbers and issues it, the agency's signature
(field "CoQuan", stamp showing the number and the date of issue), appended as an incremental
update that leaves the leader's signature valid.

A `Signer` signs a PDF in the name it is given (a leader's or an agency's) and names the
certificate authorities whose certificates it signs with (`trust_roots`), which the
verification page trusts. The plugin in use is `settings.MOTCUA_PLUGINS["signing"]`
("dev-ca" by default).

Plugins:

- "dev-ca" (here): a development certificate authority generated with `cryptography` on first
  use under `settings.VAR_DIR / "dev-ca"`; each signer name (a leader, an agency) gets a
  certificate of its own.
  For the demo and tests only: its documents have no legal value.

- "pkcs11" (`motcua.signatures.pkcs11_signer`): a hardware token (the USB tokens officials
  use) or HSM through PKCS#11; the officer types the token's PIN at signing time.
- "csc" (`motcua.signatures.csc_signer`): a remote signing service speaking the Cloud
  Signature Consortium API v2, which keeps the key; the officer confirms each signature with
  a one-time code the service sends to their phone.

A plugin registers in its own module imported at start-up (`SignaturesConfig.ready()`),
builds a pyhanko signer and passes it to `sign_with`, so every plugin gets the same stamp,
metadata and PAdES level. What the officer must give at signing time is the plugin's
`confirmation`; a plugin refuses with `SigningFailed` (a Vietnamese message and a code).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import hashlib
import io
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, Protocol, TypeVar

from asn1crypto import x509 as asn1_x509
from asn1crypto.x509 import Certificate
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.errors import ApplicationError
from motcua.core.plugins import Registry

if TYPE_CHECKING:
    from pyhanko.sign.signers import Signer as PyhankoSigner

logger = logging.getLogger(__name__)
# fontTools logs every glyph subset at INFO/WARNING; certvalidator warns on every soft-fail
# revocation check (the development CA publishes no CRL).
logging.getLogger("fontTools").setLevel(logging.ERROR)
logging.getLogger("pyhanko_certvalidator").setLevel(logging.ERROR)
# The difference analysis logs a traceback for every file changed after signing; anyone can
# upload one on the verification page, and the report already says what is wrong.
logging.getLogger("pyhanko.sign.diff_analysis").setLevel(logging.ERROR)

STAMP_FONT = Path("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf")
# Stamp size and margin from the page's bottom-right corner, in PDF points.
STAMP_WIDTH = 210
STAMP_HEIGHT = 52
STAMP_MARGIN = 28
# Font size of a custom stamp's text (`VisibleStamp`).
STAMP_FONT_SIZE = 10
DEFAULT_FIELD_NAME = "ChuKy"


@dataclass(frozen=True)
class VisibleStamp:
    """Where a signature's visible stamp goes and what it says, instead of the default
    "Ký bởi … / Thời gian …" at the bottom right of the last page.

    `page` counts from 0 (-1 is the last page); `box` is (left, bottom, right, top) in PDF
    points from the page's bottom-left corner; `text` is printed as is, one line per "\n".
    """

    text: str
    page: int
    box: tuple[float, float, float, float]


class Confirmation:
    """What the officer gives at signing time, by plugin."""

    NONE = ""  # nothing (dev-ca)
    PIN = "pin"  # the token's PIN (pkcs11)
    CODE = "code"  # a one-time code the signing service sends on request (csc)


class SigningFailed(ApplicationError):
    """The plugin could not sign (token absent, wrong PIN, code refused, service down…):
    nothing was signed, and the message tells the officer what to do."""


class Signer(Protocol):
    """A way of signing PDFs in a person's or an agency's name."""

    # A `Confirmation` value: what `sign_pdf` needs in `confirmation`.
    confirmation: str

    def confirmation_send(self, *, signer_name: str, seal: bool = False) -> None:
        """Ask the signing service to send the officer a one-time code (plugins whose
        confirmation is `Confirmation.CODE`; the others refuse with `SigningFailed`)."""
        ...

    def sign_pdf(
        self,
        *,
        pdf: bytes,
        signer_name: str,
        reason: str,
        location: str,
        field_name: str = DEFAULT_FIELD_NAME,
        stamp: VisibleStamp | None = None,
        seal: bool = False,
        confirmation: str = "",
    ) -> bytes:
        """Return `pdf` with a PAdES signature in a new field `field_name` and a visible stamp
        (`stamp`, or the default one) appended as an incremental update, so signatures
        already in `pdf` stay valid.

        `seal` is the agency's organisation signature (the electronic seal added at issue),
        otherwise it is the person's own; `confirmation` is what the officer typed (a PIN, a
        code; never stored or logged). Raises `SigningFailed`."""
        ...

    def trust_roots(self) -> list[Certificate]:
        """Root certificates that signatures made by this plugin chain up to."""
        ...


def confirmation_not_needed() -> SigningFailed:
    """The refusal of `confirmation_send` by a plugin that sends no code."""
    return SigningFailed(
        _("Chữ ký số đang dùng không cần mã xác nhận gửi qua điện thoại."), code="signing_code_not_used"
    )


signers = Registry[Signer]("signing")


# --- Signing with pyhanko ----------------------------------------------------------------


def _stamp_box(writer: object) -> tuple[int, int, int, int]:
    """A box at the bottom-right of the last page."""
    page_ref, _path = writer.find_page_for_modification(-1)  # type: ignore[attr-defined]
    box = [round(float(v)) for v in page_ref.get_object().get("/MediaBox", [0, 0, 595, 842])]
    right, bottom = box[2] - STAMP_MARGIN, box[1] + STAMP_MARGIN
    return (right - STAMP_WIDTH, bottom, right, bottom + STAMP_HEIGHT)


P = ParamSpec("P")
R = TypeVar("R")


def _outside_event_loop(function: Callable[P, R]) -> Callable[P, R]:
    """pyhanko's synchronous API calls asyncio.run(), which fails in a thread that already runs
    an event loop (an async server, or Playwright in tests); such calls go to a worker thread."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return function(*args, **kwargs)
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(function, *args, **kwargs).result()

    return wrapper


@_outside_event_loop
def sign_with(
    signer: PyhankoSigner,
    *,
    pdf: bytes,
    signer_name: str,
    reason: str,
    location: str,
    field_name: str = DEFAULT_FIELD_NAME,
    stamp: VisibleStamp | None = None,
) -> bytes:
    """Sign `pdf` (PAdES baseline, SHA-256) with any pyhanko signer, in a new signature field
    `field_name`, with a visible stamp: `stamp`, or by default the signer's name and the
    time at the bottom right of the last page."""
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.layout import AxisAlignment, Margins, SimpleBoxLayoutRule
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.sign.fields import SigFieldSpec, SigSeedSubFilter
    from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner
    from pyhanko.stamp import TextStampStyle

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    now = timezone.localtime()
    font = GlyphAccumulatorFactory(str(STAMP_FONT))
    if stamp is None:
        text, page, box = _("Ký bởi: %(name)s\nThời gian: %(time)s"), -1, _stamp_box(writer)
        text_style = TextBoxStyle(font=font, font_size=9)
    else:
        # pyhanko %-formats the stamp text with the parameters below: keep a "%" literal.
        left, bottom, right, top = stamp.box
        text, page, box = (
            stamp.text.replace("%", "%%"),
            stamp.page,
            (round(left), round(bottom), round(right), round(top)),
        )
        # Narrow margins, so a short text fills a small box at a readable size (shrunk only
        # when it does not fit).
        text_style = TextBoxStyle(
            font=font,
            font_size=STAMP_FONT_SIZE,
            leading=round(STAMP_FONT_SIZE * 1.3),
            box_layout_rule=SimpleBoxLayoutRule(
                x_align=AxisAlignment.ALIGN_MID, y_align=AxisAlignment.ALIGN_MID, margins=Margins.uniform(4)
            ),
        )
    style = TextStampStyle(stamp_text=text, text_box_style=text_style, border_width=1, background=None)
    pdf_signer = PdfSigner(
        PdfSignatureMetadata(
            field_name=field_name,
            md_algorithm="sha256",
            subfilter=SigSeedSubFilter.PADES,
            reason=reason,
            location=location,
            name=signer_name,
        ),
        signer=signer,
        stamp_style=style,
        new_field_spec=SigFieldSpec(sig_field_name=field_name, on_page=page, box=box),
    )
    out = pdf_signer.sign_pdf(
        writer, appearance_text_params={"name": signer_name, "time": now.strftime("%d/%m/%Y %H:%M")}
    )
    return bytes(out.getbuffer())


# --- The development certificate authority -----------------------------------------------

_lock = threading.Lock()
# Development certificates are valid from long ago: a CA first made while a test travels in
# time (or on a machine whose clock was ahead) must still validate signatures made "today".
DEV_VALID_FROM = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


# X.520 caps a common name at 64 (cryptography counts UTF-8 bytes, and Vietnamese letters take
# two or three); a ward's service centre can be longer than that.
COMMON_NAME_MAX_BYTES = 64


def _fit(common_name: str) -> str:
    words = common_name.split()
    while len(" ".join(words).encode()) > COMMON_NAME_MAX_BYTES:
        words.pop()
        if len((" ".join(words) + "…").encode()) <= COMMON_NAME_MAX_BYTES:
            return " ".join(words) + "…"
    return " ".join(words)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "motcua (phát triển)"),
            x509.NameAttribute(NameOID.COMMON_NAME, _fit(common_name)),
        ]
    )


def _write_private(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(path.suffix + f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


class DevCASigner:
    """Development CA: a self-signed root and one EC P-256 certificate per signer name."""

    CA_NAME = "motcua Development CA (không có giá trị pháp lý)"
    confirmation = Confirmation.NONE

    def __init__(self, directory: Path | None = None):
        self.directory = Path(directory or Path(settings.VAR_DIR) / "dev-ca")

    @property
    def ca_cert_path(self) -> Path:
        return self.directory / "ca.crt"

    @property
    def ca_key_path(self) -> Path:
        return self.directory / "ca.key"

    def _ensure_ca(self) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
        with _lock:
            if not self.ca_cert_path.exists():
                self.directory.mkdir(parents=True, exist_ok=True)
                key = ec.generate_private_key(ec.SECP256R1())
                now = dt.datetime.now(dt.UTC)
                name = _name(self.CA_NAME)
                cert = (
                    x509.CertificateBuilder()
                    .subject_name(name)
                    .issuer_name(name)
                    .public_key(key.public_key())
                    .serial_number(x509.random_serial_number())
                    .not_valid_before(DEV_VALID_FROM)
                    .not_valid_after(now + dt.timedelta(days=3650))
                    .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                    .add_extension(
                        x509.KeyUsage(
                            digital_signature=False,
                            content_commitment=False,
                            key_encipherment=False,
                            data_encipherment=False,
                            key_agreement=False,
                            key_cert_sign=True,
                            crl_sign=True,
                            encipher_only=False,
                            decipher_only=False,
                        ),
                        critical=True,
                    )
                    .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                    .sign(key, hashes.SHA256())
                )
                _write_private(
                    self.ca_key_path,
                    key.private_bytes(
                        serialization.Encoding.PEM,
                        serialization.PrivateFormat.PKCS8,
                        serialization.NoEncryption(),
                    ),
                )
                self.ca_cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
                return key, cert
        ca_key = serialization.load_pem_private_key(self.ca_key_path.read_bytes(), password=None)
        assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
        return ca_key, x509.load_pem_x509_certificate(self.ca_cert_path.read_bytes())

    def _ensure_signer(self, signer_name: str) -> tuple[Path, Path]:
        """Key and certificate files for `signer_name`, issued by the CA when first needed."""
        ca_key, ca_cert = self._ensure_ca()
        slug = hashlib.sha256(signer_name.encode()).hexdigest()[:16]
        key_path = self.directory / "signers" / f"{slug}.key"
        cert_path = self.directory / "signers" / f"{slug}.crt"
        with _lock:
            if not cert_path.exists():
                key_path.parent.mkdir(parents=True, exist_ok=True)
                key = ec.generate_private_key(ec.SECP256R1())
                now = dt.datetime.now(dt.UTC)
                cert = (
                    x509.CertificateBuilder()
                    .subject_name(_name(signer_name))
                    .issuer_name(ca_cert.subject)
                    .public_key(key.public_key())
                    .serial_number(x509.random_serial_number())
                    .not_valid_before(DEV_VALID_FROM)
                    .not_valid_after(now + dt.timedelta(days=1825))
                    .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                    .add_extension(
                        x509.KeyUsage(
                            digital_signature=True,
                            content_commitment=True,
                            key_encipherment=False,
                            data_encipherment=False,
                            key_agreement=False,
                            key_cert_sign=False,
                            crl_sign=False,
                            encipher_only=False,
                            decipher_only=False,
                        ),
                        critical=True,
                    )
                    .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                    .add_extension(
                        x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
                    )
                    .sign(ca_key, hashes.SHA256())
                )
                _write_private(
                    key_path,
                    key.private_bytes(
                        serialization.Encoding.PEM,
                        serialization.PrivateFormat.PKCS8,
                        serialization.NoEncryption(),
                    ),
                )
                cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return key_path, cert_path

    def sign_pdf(
        self,
        *,
        pdf: bytes,
        signer_name: str,
        reason: str,
        location: str,
        field_name: str = DEFAULT_FIELD_NAME,
        stamp: VisibleStamp | None = None,
        seal: bool = False,
        confirmation: str = "",
    ) -> bytes:
        from pyhanko.sign.signers import SimpleSigner

        key_path, cert_path = self._ensure_signer(signer_name)
        signer = SimpleSigner.load(str(key_path), str(cert_path), ca_chain_files=(str(self.ca_cert_path),))
        if signer is None:
            raise RuntimeError(f"could not load the development signing key from {key_path}")
        return sign_with(
            signer,
            pdf=pdf,
            signer_name=signer_name,
            reason=reason,
            location=location,
            field_name=field_name,
            stamp=stamp,
        )

    def confirmation_send(self, *, signer_name: str, seal: bool = False) -> None:
        raise confirmation_not_needed()

    def trust_roots(self) -> list[Certificate]:
        _key, cert = self._ensure_ca()
        return [asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))]


@signers.register("dev-ca")
def _dev_ca() -> Signer:
    return DevCASigner()


# --- Validation --------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureReport:
    """What a PDF's signatures say, judged against the active plugin's trust roots.

    `signer_name` and `signed_at` describe the first signature: on a result, the approving
    leader's personal one. `signers` names every signature checked, in signing order (on an
    issued result: the leader, then the issuing agency). `covers_whole_file` is about the last
    signature. A failed report stops at the first signature with a problem.
    """

    valid: bool
    intact: bool = False
    trusted: bool = False
    signer_name: str = ""
    signed_at: dt.datetime | None = None
    covers_whole_file: bool = False
    problem: str = ""  # Vietnamese, empty when valid
    signers: tuple[str, ...] = ()


def _refused(problem: str) -> SignatureReport:
    return SignatureReport(valid=False, problem=problem)


@_outside_event_loop
def validate_signed_pdf(pdf: bytes, *, trust_roots: list[Certificate] | None = None) -> SignatureReport:
    """Check every signature of `pdf`, in signing order.

    Valid means, for each signature: the signed bytes are unchanged (intact), the
    cryptography checks out and the certificate chains up to a trusted root of the active
    signing plugin; what was added after an earlier signature is only signatures and form
    filling (pyhanko's difference analysis: an agency's signature appended after the leader's
    is fine, a changed text or page is not); and the last signature covers the whole file
    (nothing was appended after signing).
    """
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    roots = trust_roots if trust_roots is not None else signers.get().trust_roots()
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = reader.embedded_signatures
    except Exception:
        logger.info("unreadable PDF at signature validation", exc_info=True)
        return _refused(_("Tệp PDF bị hỏng hoặc không đọc được, không thể kiểm tra chữ ký số."))
    if not embedded:
        return _refused(_("Tệp không có chữ ký số nào."))

    names: list[str] = []
    first_signed_at: dt.datetime | None = None
    intact = trusted = covers_whole_file = False
    for index, sig in enumerate(embedded):
        context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
        try:
            status = validate_pdf_signature(sig, signer_validation_context=context)
        except Exception:
            logger.info("signature could not be validated", exc_info=True)
            return _refused(_("Chữ ký số trong tệp bị hỏng hoặc đã bị sửa, không thể kiểm tra."))
        cert = status.signing_cert
        signer_name = str(cert.subject.native.get("common_name", "")) if cert is not None else ""
        names.append(signer_name)
        if index == 0:
            first_signed_at = status.signer_reported_dt
        is_last = index == len(embedded) - 1
        intact, trusted = bool(status.intact), bool(status.trusted)
        covers_whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        level = status.modification_level
        problem = ""
        if not status.intact:
            problem = _("Nội dung tệp đã bị thay đổi sau khi ký: chữ ký số không còn khớp với nội dung.")
        elif not status.valid:
            problem = _("Chữ ký số không hợp lệ.")
        elif not status.trusted:
            problem = _(
                "Chứng thư số dùng để ký không do tổ chức được tin cậy cấp, hoặc đã hết hạn hay bị thu hồi: "
                "không xác nhận được người ký."
            )
        elif not is_last and (level is None or level > ModificationLevel.FORM_FILLING or not status.docmdp_ok):
            problem = _(
                "Tệp đã bị sửa sau chữ ký số của %(signer)s: sau chữ ký này chỉ được thêm chữ ký số khác, "
                "nhưng nội dung văn bản đã bị thay đổi."
            ) % {"signer": signer_name or _("người ký trước")}
        elif is_last and not covers_whole_file:
            problem = _("Tệp đã bị thêm nội dung sau khi ký: phần thêm vào không được chữ ký số bảo vệ.")
        if problem:
            return SignatureReport(
                valid=False,
                intact=intact,
                trusted=trusted,
                signer_name=names[0],
                signed_at=first_signed_at,
                covers_whole_file=covers_whole_file,
                problem=problem,
                signers=tuple(names),
            )
    return SignatureReport(
        valid=True,
        intact=intact,
        trusted=trusted,
        signer_name=names[0],
        signed_at=first_signed_at,
        covers_whole_file=covers_whole_file,
        signers=tuple(names),
    )
