"""The wording every event starts with, before administrators change it.

Plain data (no models) so the data migration can use it as well as
`notification_templates_ensure`. Only missing templates are ever created from here: an
administrator's edits are never overwritten.

SMS bodies are written with their accents; on a GSM-7 route they are folded when sent
(smstext.py). Zalo messages are ZNS templates that Zalo approves beforehand: the ids below are
placeholders the simulator accepts, to be replaced with the province's approved ids.
"""

from typing import Any

from django.utils.translation import gettext as _

from motcua.notifications.constants import NotificationChannel as C
from motcua.notifications.constants import NotificationEvent as E

# The ZNS parameters of each event (parameter name → template text).
_ZNS_COMMON = {"ma_ho_so": "{{ code }}", "ten_thu_tuc": "{{ procedure_name }}", "trang_thai": "{{ status_label }}"}


def _zns(event: str, **extra: str) -> dict[str, Any]:
    return {"zns_template_id": f"motcua_{event}", "zns_params": {**_ZNS_COMMON, **extra}}


def default_templates() -> list[dict[str, Any]]:
    """Every (event, channel) template, in the active language (Vietnamese)."""
    signature = "\n\n{{ site_name }}\n" + _("Thư này được gửi tự động, vui lòng không trả lời.")
    return [
        # --- submitted -------------------------------------------------------------------------
        {
            "event": E.SUBMITTED,
            "channel": C.EMAIL,
            # The acknowledgement e-mail (below, with the PDF receipt) already tells the citizen:
            # this one is off unless an administrator turns it on.
            "is_active": False,
            "subject": _("Đã nộp hồ sơ {{ code }}"),
            "body": _(
                "Hồ sơ {{ code }} – {{ procedure_name }} đã được gửi đến {{ agency_name }} và đang chờ tiếp nhận."
                "{% if due_date %}\nNgày hẹn trả kết quả dự kiến: {{ due_date }}.{% endif %}"
                "\nTra cứu hồ sơ: {{ tracking_url }}"
            )
            + signature,
        },
        {
            "event": E.SUBMITTED,
            "channel": C.SMS,
            "body": _(
                "Hồ sơ {{ code }} đã được gửi đến {{ agency_name }}, đang chờ tiếp nhận. Tra cứu: {{ tracking_url }}"
            ),
        },
        {"event": E.SUBMITTED, "channel": C.ZALO, "body": "", **_zns(E.SUBMITTED, lien_ket="{{ tracking_url }}")},
        # --- acknowledgement of the submission (the PDF receipt is attached when sent) -------------
        {
            "event": E.ACKNOWLEDGEMENT,
            "channel": C.EMAIL,
            "subject": _("Đã nhận hồ sơ {{ code }}"),
            "body": _(
                "Hệ thống đã nhận hồ sơ {{ code }} – {{ procedure_name }}.\n"
                "Ngày hẹn trả kết quả dự kiến: {{ due_date }}.\n"
                "{% if linked_dossiers %}{{ linked_dossiers }}\n{% endif %}"
                "Giấy xác nhận đính kèm thư này.\nTra cứu hồ sơ: {{ tracking_url }}"
            )
            + signature,
        },
        # The submission's SMS and Zalo message already tell the news there: off unless turned on.
        {
            "event": E.ACKNOWLEDGEMENT,
            "channel": C.SMS,
            "is_active": False,
            "body": _("Hệ thống đã nhận hồ sơ {{ code }}. Tra cứu: {{ tracking_url }}"),
        },
        {
            "event": E.ACKNOWLEDGEMENT,
            "channel": C.ZALO,
            "is_active": False,
            "body": "",
            **_zns(E.ACKNOWLEDGEMENT, lien_ket="{{ tracking_url }}"),
        },
        # --- accepted (receipt with the appointment) ------------------------------------------------
        {
            "event": E.ACCEPTED,
            "channel": C.EMAIL,
            "subject": _("Hồ sơ {{ code }} đã được tiếp nhận, hẹn trả ngày {{ due_date }}"),
            "body": _(
                "{{ agency_name }} đã tiếp nhận hồ sơ {{ code }} – {{ procedure_name }}.\n"
                "Ngày hẹn trả kết quả: {{ due_date }}.\n{{ next_step }}\nTra cứu hồ sơ: {{ tracking_url }}"
            )
            + signature,
        },
        {
            "event": E.ACCEPTED,
            "channel": C.SMS,
            "body": _(
                "Hồ sơ {{ code }} đã được tiếp nhận. Hẹn trả kết quả ngày {{ due_date }}. Tra cứu: {{ tracking_url }}"
            ),
        },
        {"event": E.ACCEPTED, "channel": C.ZALO, "body": "", **_zns(E.ACCEPTED, ngay_hen="{{ due_date }}")},
        # --- supplement requested (at reception, or during processing: the clock stops) ---------------
        {
            "event": E.SUPPLEMENT_REQUESTED,
            "channel": C.EMAIL,
            "subject": _("Hồ sơ {{ code }} cần bổ sung giấy tờ"),
            "body": _(
                "{{ agency_name }} đề nghị bổ sung, hoàn thiện hồ sơ {{ code }} – {{ procedure_name }}.\n"
                "Nội dung cần bổ sung:\n{{ reason }}\n\n{{ next_step }}\nTra cứu và bổ sung: {{ tracking_url }}"
            )
            + signature,
        },
        {
            "event": E.SUPPLEMENT_REQUESTED,
            "channel": C.SMS,
            "body": _("Hồ sơ {{ code }} cần bổ sung giấy tờ. Xem chi tiết và bổ sung tại: {{ tracking_url }}"),
        },
        {
            "event": E.SUPPLEMENT_REQUESTED,
            "channel": C.ZALO,
            "body": "",
            **_zns(E.SUPPLEMENT_REQUESTED, ly_do="{{ reason }}"),
        },
        # --- rejected ----------------------------------------------------------------------------------
        {
            "event": E.REJECTED,
            "channel": C.EMAIL,
            "subject": _("Hồ sơ {{ code }} không được tiếp nhận"),
            "body": _(
                "{{ agency_name }} từ chối tiếp nhận hồ sơ {{ code }} – {{ procedure_name }}.\n"
                "Lý do:\n{{ reason }}\n{% if refund %}\n{{ refund }}\n{% endif %}\nTra cứu hồ sơ: {{ tracking_url }}"
            )
            + signature,
        },
        {
            "event": E.REJECTED,
            "channel": C.SMS,
            "body": _(
                "Hồ sơ {{ code }} không được tiếp nhận.{% if refund %} {{ refund }}{% endif %} "
                "Xem lý do tại: {{ tracking_url }}"
            ),
        },
        {"event": E.REJECTED, "channel": C.ZALO, "body": "", **_zns(E.REJECTED, ly_do="{{ reason }}")},
        # --- fee due -------------------------------------------------------------------------------------
        {
            "event": E.FEE_DUE,
            "channel": C.EMAIL,
            "subject": _("Hồ sơ {{ code }}: đề nghị nộp phí, lệ phí"),
            "body": _(
                "Hồ sơ {{ code }} – {{ procedure_name }} cần nộp phí, lệ phí{% if amount %}: {{ amount }}{% endif %}.\n"
                "{% if reason %}{{ reason }}\n{% endif %}Nộp trực tuyến hoặc tra cứu tại: {{ tracking_url }}"
            )
            + signature,
        },
        {
            "event": E.FEE_DUE,
            "channel": C.SMS,
            "body": _(
                "Hồ sơ {{ code }} cần nộp phí, lệ phí{% if amount %} {{ amount }}{% endif %}. "
                "Nộp tại: {{ tracking_url }}"
            ),
        },
        {"event": E.FEE_DUE, "channel": C.ZALO, "body": "", **_zns(E.FEE_DUE, so_tien="{{ amount }}")},
        # --- fees received (online or at the counter, with the receipt) ------------------------------
        {
            "event": E.FEES_RECEIVED,
            "channel": C.EMAIL,
            "subject": _("Hồ sơ {{ code }}: đã nhận phí, lệ phí"),
            "body": _(
                "Đã nhận {{ amount }} phí, lệ phí của hồ sơ {{ code }} – {{ procedure_name }}.\n"
                "Biên lai điện tử: {{ receipt }}; tải biên lai trên trang hồ sơ.\n"
                "Tra cứu hồ sơ: {{ tracking_url }}"
            )
            + signature,
        },
        {
            "event": E.FEES_RECEIVED,
            "channel": C.SMS,
            "body": _("Đã nhận {{ amount }} phí, lệ phí hồ sơ {{ code }}. Biên lai {{ receipt }}."),
        },
        {"event": E.FEES_RECEIVED, "channel": C.ZALO, "body": "", **_zns(E.FEES_RECEIVED, so_tien="{{ amount }}")},
        # --- refund done -----------------------------------------------------------------------------
        {
            "event": E.REFUNDED,
            "channel": C.EMAIL,
            "subject": _("Hồ sơ {{ code }}: đã hoàn trả phí, lệ phí"),
            "body": _(
                "Đã hoàn trả {{ amount }} phí, lệ phí của hồ sơ {{ code }} – {{ procedure_name }} "
                "({{ refund_method }}).\nTra cứu hồ sơ: {{ tracking_url }}"
            )
            + signature,
        },
        {
            "event": E.REFUNDED,
            "channel": C.SMS,
            "body": _("Đã hoàn trả {{ amount }} phí, lệ phí hồ sơ {{ code }} ({{ refund_method }})."),
        },
        {"event": E.REFUNDED, "channel": C.ZALO, "body": "", **_zns(E.REFUNDED, so_tien="{{ amount }}")},
        # --- result ready ----------------------------------------------------------------------------
        {
            "event": E.RESULT_READY,
            "channel": C.EMAIL,
            "subject": _("Đã có kết quả hồ sơ {{ code }}"),
            "body": _(
                "Hồ sơ {{ code }} – {{ procedure_name }} đã có kết quả.\n{{ next_step }}\n"
                "Tra cứu hồ sơ: {{ tracking_url }}"
            )
            + signature,
        },
        {
            "event": E.RESULT_READY,
            "channel": C.SMS,
            "body": _(
                "Hồ sơ {{ code }} đã có kết quả. Nhận kết quả theo hình thức đã chọn. Tra cứu: {{ tracking_url }}"
            ),
        },
        {"event": E.RESULT_READY, "channel": C.ZALO, "body": "", **_zns(E.RESULT_READY)},
        # --- late, with the apology and the new appointment ---------------------------------------------
        {
            "event": E.LATE_APOLOGY,
            "channel": C.EMAIL,
            "subject": _("Xin lỗi vì hồ sơ {{ code }} chưa có kết quả đúng hẹn"),
            "body": _(
                "{{ agency_name }} xin lỗi ông/bà vì hồ sơ {{ code }} – {{ procedure_name }} chưa có kết quả đúng hẹn."
                "{% if reason %}\nLý do: {{ reason }}{% endif %}\nNgày hẹn trả kết quả mới: {{ due_date }}.\n"
                "Tra cứu hồ sơ: {{ tracking_url }}"
            )
            + signature,
        },
        {
            "event": E.LATE_APOLOGY,
            "channel": C.SMS,
            "body": _(
                "{{ agency_name }} xin lỗi vì hồ sơ {{ code }} trễ hẹn. Hẹn trả kết quả mới: ngày {{ due_date }}."
            ),
        },
        {
            "event": E.LATE_APOLOGY,
            "channel": C.ZALO,
            "body": "",
            **_zns(E.LATE_APOLOGY, ngay_hen="{{ due_date }}", ly_do="{{ reason }}"),
        },
        # --- result posted (the one-stop unit recorded the shipment) ----------------------------------
        {
            "event": E.RESULT_POSTED,
            "channel": C.EMAIL,
            "subject": _("Kết quả hồ sơ {{ code }} đã được gửi qua bưu chính"),
            "body": _(
                "Kết quả hồ sơ {{ code }} – {{ procedure_name }} đã được gửi qua bưu chính: {{ shipment }}.\n"
                "Ông/bà dùng số hiệu bưu gửi để theo dõi trên trang của đơn vị bưu chính.\n"
                "Tra cứu hồ sơ: {{ tracking_url }}"
            )
            + signature,
        },
        {
            "event": E.RESULT_POSTED,
            "channel": C.SMS,
            "body": _("Kết quả hồ sơ {{ code }} đã gửi qua bưu chính: {{ shipment }}."),
        },
        {"event": E.RESULT_POSTED, "channel": C.ZALO, "body": "", **_zns(E.RESULT_POSTED, buu_gui="{{ shipment }}")},
        # --- stopped (stop notice, form 05 of Circular 03/2025) ---------------------------------------------
        {
            "event": E.STOPPED,
            "channel": C.EMAIL,
            "subject": _("Hồ sơ {{ code }} đã dừng giải quyết"),
            "body": _(
                "{{ agency_name }} thông báo dừng giải quyết hồ sơ {{ code }} – {{ procedure_name }}.\n"
                "Lý do:\n{{ reason }}\n\nThông báo dừng giải quyết hồ sơ có tại: {{ tracking_url }}"
            )
            + signature,
        },
        {
            "event": E.STOPPED,
            "channel": C.SMS,
            "body": _("Hồ sơ {{ code }} đã dừng giải quyết. Xem lý do tại: {{ tracking_url }}"),
        },
        {"event": E.STOPPED, "channel": C.ZALO, "body": "", **_zns(E.STOPPED, ly_do="{{ reason }}")},
        # --- withdrawal after acceptance, decided by the agency ----------------------------------------
        {
            "event": E.WITHDRAWAL_ACCEPTED,
            "channel": C.EMAIL,
            "subject": _("Hồ sơ {{ code }} đã được rút theo đề nghị của ông/bà"),
            "body": _(
                "{{ agency_name }} đồng ý cho rút hồ sơ {{ code }} – {{ procedure_name }} và dừng giải quyết hồ sơ."
                "{% if reason %}\nÝ kiến: {{ reason }}{% endif %}\nTra cứu hồ sơ: {{ tracking_url }}"
            )
            + signature,
        },
        {
            "event": E.WITHDRAWAL_ACCEPTED,
            "channel": C.SMS,
            "body": _("Hồ sơ {{ code }} đã được rút theo đề nghị của ông/bà. Tra cứu: {{ tracking_url }}"),
        },
        {
            "event": E.WITHDRAWAL_ACCEPTED,
            "channel": C.ZALO,
            "body": "",
            **_zns(E.WITHDRAWAL_ACCEPTED, y_kien="{{ reason }}"),
        },
        {
            "event": E.WITHDRAWAL_REFUSED,
            "channel": C.EMAIL,
            "subject": _("Đề nghị rút hồ sơ {{ code }} không được chấp thuận"),
            "body": _(
                "{{ agency_name }} không đồng ý cho rút hồ sơ {{ code }} – {{ procedure_name }}; "
                "hồ sơ tiếp tục được giải quyết.\nLý do:\n{{ reason }}\n\nTra cứu hồ sơ: {{ tracking_url }}"
            )
            + signature,
        },
        {
            "event": E.WITHDRAWAL_REFUSED,
            "channel": C.SMS,
            "body": _(
                "Đề nghị rút hồ sơ {{ code }} không được chấp thuận; hồ sơ tiếp tục giải quyết. Xem: {{ tracking_url }}"
            ),
        },
        {
            "event": E.WITHDRAWAL_REFUSED,
            "channel": C.ZALO,
            "body": "",
            **_zns(E.WITHDRAWAL_REFUSED, ly_do="{{ reason }}"),
        },
        # --- completed (result handed over) ---------------------------------------------------------------
        {
            "event": E.COMPLETED,
            "channel": C.EMAIL,
            "subject": _("Hồ sơ {{ code }} đã hoàn thành"),
            "body": _("Kết quả hồ sơ {{ code }} – {{ procedure_name }} đã được trả. Hồ sơ đã hoàn thành.") + signature,
        },
        {
            "event": E.COMPLETED,
            "channel": C.SMS,
            "body": _("Hồ sơ {{ code }} đã trả kết quả và hoàn thành. Cảm ơn ông/bà đã sử dụng dịch vụ."),
        },
        {"event": E.COMPLETED, "channel": C.ZALO, "body": "", **_zns(E.COMPLETED)},
        # --- rating requested (after completion) -----------------------------------------------------------
        {
            "event": E.RATING_REQUESTED,
            "channel": C.EMAIL,
            "subject": _("Mời đánh giá việc giải quyết hồ sơ {{ code }}"),
            "body": _(
                "Mời ông/bà đánh giá mức độ hài lòng với việc giải quyết hồ sơ {{ code }} – {{ procedure_name }} "
                "tại: {{ tracking_url }}\nViệc đánh giá là tự nguyện và không ảnh hưởng đến kết quả đã nhận."
            )
            + signature,
        },
        {
            "event": E.RATING_REQUESTED,
            "channel": C.SMS,
            "body": _("Mời ông/bà đánh giá việc giải quyết hồ sơ {{ code }} tại: {{ tracking_url }}"),
        },
        {
            "event": E.RATING_REQUESTED,
            "channel": C.ZALO,
            "body": "",
            **_zns(E.RATING_REQUESTED, lien_ket="{{ tracking_url }}"),
        },
        # --- answers to "HS <mã hồ sơ>" ----------------------------------------------------------------------
        {
            "event": E.STATUS_REPLY,
            "channel": C.SMS,
            "body": _(
                "Hồ sơ {{ code }}: {{ status_label }}.{% if due_date %} Hẹn trả: {{ due_date }}.{% endif %} "
                "{{ next_step }}"
            ),
        },
        {
            "event": E.STATUS_REPLY,
            "channel": C.ZALO,
            "body": "",
            **_zns(E.STATUS_REPLY, ngay_hen="{{ due_date }}", viec_tiep_theo="{{ next_step }}"),
        },
        {
            "event": E.NOT_FOUND_REPLY,
            "channel": C.SMS,
            "body": _("Không tìm thấy hồ sơ {{ code }}. Kiểm tra lại mã hồ sơ trên giấy tiếp nhận."),
        },
        {
            "event": E.NOT_FOUND_REPLY,
            "channel": C.ZALO,
            "body": "",
            "zns_template_id": "motcua_not_found_reply",
            "zns_params": {"ma_ho_so": "{{ code }}"},
        },
        {
            "event": E.HELP_REPLY,
            "channel": C.SMS,
            "body": _("Để tra cứu hồ sơ, soạn: HS <mã hồ sơ>, ví dụ HS 000.01.50.H15-261127-0001"),
        },
        {
            "event": E.HELP_REPLY,
            "channel": C.ZALO,
            "body": "",
            "zns_template_id": "motcua_help_reply",
            "zns_params": {"cu_phap": "HS <mã hồ sơ>"},
        },
    ]
