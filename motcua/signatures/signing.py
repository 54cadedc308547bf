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
import dataclasses
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

from motcua.core.plugins import Registry
from motcua.signatures.errors import SigningFailed
from motcua.signatures.ltv import (
    TimestampUnavailable,
    signing_errors_explained,
    signing_validation_context,
    timestamp_refused,
    timestamper,
)
from motcua.signatures.trust import trust_roots as configured_trust_roots
from motcua.signatures.validation import SignatureCheck, Verdict, document_timestamp_time, signature_check

if TYPE_CHECKING:
    from pyhanko.sign.signers import Signer as PyhankoSigner
    from pyhanko.sign.timestamps.api import TimeStamper

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
    from pyhanko.sign.signers.pdf_signer import DSSContentSettings, SigDSSPlacementPreference
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
    metadata = PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        name=signer_name,
        # PAdES B-LT: the chain and the revocation answers go into the document security store,
        # in the signature's own revision, so the last signature still covers the whole file.
        embed_validation_info=True,
        validation_context=signing_validation_context(),
        dss_settings=DSSContentSettings(placement=SigDSSPlacementPreference.TOGETHER_WITH_SIGNATURE, include_vri=False),
    )

    def signed(time_stamps: TimeStamper | None) -> bytes:
        pdf_signer = PdfSigner(
            metadata,
            signer=signer,
            timestamper=time_stamps,
            stamp_style=style,
            new_field_spec=SigFieldSpec(sig_field_name=field_name, on_page=page, box=box),
        )
        with signing_errors_explained():
            out = pdf_signer.sign_pdf(
                IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False),
                appearance_text_params={"name": signer_name, "time": now.strftime("%d/%m/%Y %H:%M")},
            )
        return bytes(out.getbuffer())

    time_stamps = timestamper()
    try:
        return signed(time_stamps)
    except TimestampUnavailable as error:
        if settings.MOTCUA_SIGNING_TIMESTAMP_REQUIRED:
            raise timestamp_refused() from error
        return signed(None)


def _document_timestamp(pdf: bytes, time_stamps: TimeStamper) -> bytes:
    """A document time stamp over the whole of `pdf`, after the validation material of what it
    seals: the chain and revocation answers of the file's last document time stamp if any
    (validated now), and the new time stamp's TSA's own, so it covers every byte."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.signers import PdfTimeStamper
    from pyhanko.sign.signers.pdf_signer import TimestampDSSContentSettings
    from pyhanko.sign.validation import validate_pdf_timestamp
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    context = signing_validation_context()
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    with signing_errors_explained():
        earlier = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_timestamp_signatures
        if earlier:
            # What pyhanko's update_archival_timestamp_chain does, except that it puts the new
            # TSA's material after the new time stamp, which then no longer covers the file.
            status = validate_pdf_timestamp(earlier[-1], validation_context=context)
            if status.validation_path is None:
                raise SigningFailed(
                    _("Dấu thời gian lưu trữ cuối cùng của văn bản không còn xác thực được: không thể gia hạn."),
                    code="archive_timestamp_invalid",
                )
            DocumentSecurityStore.supply_dss_in_writer(
                writer, earlier[-1].pkcs7_content, paths=(status.validation_path,), validation_context=context
            )
        out = PdfTimeStamper(time_stamps).timestamp_pdf(
            writer,
            md_algorithm="sha256",
            validation_context=context,
            dss_settings=TimestampDSSContentSettings(update_before_ts=True, include_vri=False),
        )
    return bytes(out.getbuffer())


@_outside_event_loop
def archive_timestamp_add(pdf: bytes) -> bytes:
    """Seal an issued result (PAdES B-LTA): a document time stamp over the whole file, after
    the validation material of its signatures, with the TSA's own chain and revocation
    answers in the document security store. Without a TSA (none required) `pdf` comes back
    unchanged."""
    time_stamps = timestamper()
    if time_stamps is None:
        return pdf
    try:
        return _document_timestamp(pdf, time_stamps)
    except TimestampUnavailable as error:
        if settings.MOTCUA_SIGNING_TIMESTAMP_REQUIRED:
            raise timestamp_refused() from error
        return pdf


def archive_timestamp_expiry(pdf: bytes) -> dt.datetime | None:
    """When the certificate of the time-stamping authority that made the last document time
    stamp of `pdf` expires (None without one): from then on nothing vouches for that time
    stamp, so it must be renewed before (`archive_timestamp_renew`)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    stamps = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_timestamp_signatures
    return stamps[-1].signer_cert.not_valid_after if stamps else None


@_outside_event_loop
def archive_timestamp_renew(pdf: bytes) -> bytes:
    """Renew the archive time stamps of an issued result (PAdES B-LTA, ETSI EN 319 142-1):
    the last document time stamp's chain and current revocation answers go into the
    document security store, then a new document time stamp, from the TSA's current
    certificate, covers it all; a validator judges the older one at the newer one's time.
    Refuses (`SigningFailed`) without a TSA or when it does not answer."""
    refused = SigningFailed(
        _("Máy chủ cấp dấu thời gian (TSA) không phản hồi: chưa gia hạn được dấu thời gian lưu trữ, sẽ thử lại."),
        code="archive_timestamp_tsa_unavailable",
    )
    time_stamps = timestamper()
    if time_stamps is None:
        raise refused
    try:
        return _document_timestamp(pdf, time_stamps)
    except TimestampUnavailable as error:
        raise refused from error


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


def _dev_certificate(
    key: ec.EllipticCurvePrivateKey,
    *,
    subject: x509.Name,
    issuer: x509.Name,
    issuer_key: ec.EllipticCurvePrivateKey,
    days: int,
    ca: bool,
) -> x509.Certificate:
    """A development CA's certificate for `key`, valid from DEV_VALID_FROM to `days` from now:
    the CA's own (`ca`, self-signed: signs certificates and CRLs) or a signer's (signs documents,
    non-repudiation, naming the CA's key)."""
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(DEV_VALID_FROM)
        .not_valid_after(dt.datetime.now(dt.UTC) + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=not ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if not ca:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
        )
    return builder.sign(issuer_key, hashes.SHA256())


def _write_key_and_certificate(
    key: ec.EllipticCurvePrivateKey, key_path: Path, cert: x509.Certificate, cert_path: Path
) -> None:
    _write_private(
        key_path,
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


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
                name = _name(self.CA_NAME)
                cert = _dev_certificate(key, subject=name, issuer=name, issuer_key=key, days=3650, ca=True)
                _write_key_and_certificate(key, self.ca_key_path, cert, self.ca_cert_path)
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
                cert = _dev_certificate(
                    key, subject=_name(signer_name), issuer=ca_cert.subject, issuer_key=ca_key, days=1825, ca=False
                )
                _write_key_and_certificate(key, key_path, cert, cert_path)
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
    """What a PDF's signatures say, judged against the trust list (`signatures.trust`).

    `checks` describes every signature and document time stamp, in signing order (on an
    issued result: the leader, the issuing agency, the archive time stamp); `signers` names
    the signatures' signers and `signer_name` and `signed_at` describe the first one: on a
    result, the approving leader's personal one. `intact` and `trusted` hold for every
    signature, `covers_whole_file` for the last one; `problem` is the first problem found.
    """

    valid: bool
    intact: bool = False
    trusted: bool = False
    signer_name: str = ""
    signed_at: dt.datetime | None = None
    covers_whole_file: bool = False
    problem: str = ""  # Vietnamese, empty when valid
    signers: tuple[str, ...] = ()
    checks: tuple[SignatureCheck, ...] = ()


def _refused(problem: str) -> SignatureReport:
    return SignatureReport(valid=False, problem=problem)


def _changed_after(check: SignatureCheck, status: object, *, is_last: bool) -> bool:
    """Was the file changed after this signature in a way signatures do not allow? After an
    earlier signature only signatures, form filling and validation material may follow
    (pyhanko's difference analysis); after the last one, nothing."""
    from pyhanko.sign.diff_analysis import ModificationLevel

    if is_last:
        return not check.covers_whole_file
    level = getattr(status, "modification_level", None)
    # A document time stamp has no DocMDP permissions to break (pyhanko leaves it None).
    return level is None or level > ModificationLevel.FORM_FILLING or getattr(status, "docmdp_ok", None) is False


def _problem(check: SignatureCheck, *, is_last: bool) -> str:
    signer = check.signer_name or _("người ký")
    if check.verdict == Verdict.TAMPERED:
        return _("Nội dung tệp đã bị thay đổi sau khi ký: chữ ký số không còn khớp với nội dung.")
    if check.verdict == Verdict.INVALID:
        return _("Chữ ký số không hợp lệ.")
    if check.verdict == Verdict.UNTRUSTED:
        return _("Chứng thư số dùng để ký không do tổ chức được tin cậy cấp: không xác nhận được người ký.")
    if check.verdict == Verdict.REVOKED:
        return _("Chứng thư số của %(signer)s đã bị thu hồi trước thời điểm ký: chữ ký số không có giá trị.") % {
            "signer": signer
        }
    if check.verdict == Verdict.EXPIRED:
        return _("Chứng thư số của %(signer)s đã hết hạn hoặc chưa có hiệu lực tại thời điểm ký.") % {"signer": signer}
    if check.verdict == Verdict.REVOCATION_UNKNOWN:
        return _(
            "Không kiểm tra được chứng thư số của %(signer)s đã bị thu hồi hay chưa: "
            "không có thông tin thu hồi (CRL/OCSP) tại thời điểm ký."
        ) % {"signer": signer}
    if check.changed_after and is_last:
        return _("Tệp đã bị thêm nội dung sau khi ký: phần thêm vào không được chữ ký số bảo vệ.")
    if check.changed_after:
        return _(
            "Tệp đã bị sửa sau chữ ký số của %(signer)s: sau chữ ký này chỉ được thêm chữ ký số khác, "
            "nhưng nội dung văn bản đã bị thay đổi."
        ) % {"signer": signer}
    return ""


@_outside_event_loop
def validate_signed_pdf(
    pdf: bytes,
    *,
    trust_roots: list[Certificate] | None = None,
    fetch: bool = True,
) -> SignatureReport:
    """Check every signature and document time stamp of `pdf`, in signing order.

    Valid means, for each: the signed bytes are unchanged (intact), the cryptography checks
    out and the certificate chains up to a root of the trust list (default: the configured
    one), was neither expired nor revoked when it signed (the time its time stamp proves;
    revocation answers from the file, fetched when `fetch` and missing); what was added after
    an earlier signature is only signatures, form filling and validation material (an
    agency's signature after the leader's is fine, a changed text or page is not); and the
    last one covers the whole file.
    """
    from pyhanko.pdf_utils.reader import PdfFileReader

    roots = trust_roots if trust_roots is not None else configured_trust_roots()
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = reader.embedded_signatures
    except Exception:
        logger.info("unreadable PDF at signature validation", exc_info=True)
        return _refused(_("Tệp PDF bị hỏng hoặc không đọc được, không thể kiểm tra chữ ký số."))
    if not reader.embedded_regular_signatures:
        return _refused(_("Tệp không có chữ ký số nào."))

    checks: list[SignatureCheck] = []
    problem = ""
    for index, sig in enumerate(embedded):
        is_last = index == len(embedded) - 1
        try:
            # An archive time stamp renewed by a later one is judged at the later one's time.
            renewed_at = next(
                (when for later in embedded[index + 1 :] if (when := document_timestamp_time(later)) is not None), None
            )
            check, status = signature_check(sig, roots, fetch=fetch, renewed_at=renewed_at)
        except Exception:
            logger.info("signature could not be validated", exc_info=True)
            return _refused(_("Chữ ký số trong tệp bị hỏng hoặc đã bị sửa, không thể kiểm tra."))
        check = dataclasses.replace(check, changed_after=_changed_after(check, status, is_last=is_last))
        checks.append(check)
        problem = problem or _problem(check, is_last=is_last)
    signatures = [check for check in checks if not check.document_timestamp]
    return SignatureReport(
        valid=not problem,
        intact=all(check.intact for check in checks),
        trusted=all(check.trusted for check in checks),
        signer_name=signatures[0].signer_name,
        signed_at=signatures[0].signed_at,
        covers_whole_file=checks[-1].covers_whole_file,
        problem=problem,
        signers=tuple(check.signer_name for check in signatures),
        checks=tuple(checks),
    )
