"""A procedure's same-day and cut-off rules, as the catalogue's time note states them.

The national records write them in prose, always next to the processing time, e.g.
"Ngay trong ngày tiếp nhận hồ sơ; trường hợp nhận hồ sơ sau 15 giờ mà không giải quyết được
ngay thì trả kết quả trong ngày làm việc tiếp theo" or "Thực hiện trong ngày làm việc nhận được
đủ hồ sơ xóa nợ; nếu thời điểm nhận đủ hồ sơ, sau 15 giờ cùng ngày thì … trong ngày làm việc
tiếp theo". The import reads two facts from such a note: the result is due the same working day
(`same_day`), and the hour after which reception counts from the next working day (`cutoff`).
A note that says neither leaves the version on the global rules.
"""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from motcua.catalog.constants import TimeUnit

# "trong ngày", "ngay trong ngày", "trong ngày làm việc", but not "trong ngày làm việc tiếp
# theo", which is the consequence of the cut-off rather than the rule itself.
_SAME_DAY = re.compile(r"\btrong\s+ngày(?!(?:\s+làm\s+việc)?\s+tiếp\s+theo)", re.IGNORECASE)
# "nhận hồ sơ sau 15 giờ", "nhận đủ hồ sơ, sau 15 giờ cùng ngày", "được nộp sau 15 giờ",
# "nhận trước 15 giờ 30": an hour tied to receiving the dossier within the same clause.
_CUTOFF = re.compile(
    r"\b(?:nhận|nộp)\b[^.;]{0,40}?\b(?:sau|trước)\s+(\d{1,2})\s*(?:giờ|h)(?:\s*(\d{2})\b)?", re.IGNORECASE
)


@dataclass(frozen=True)
class ReceptionRule:
    same_day: bool = False
    cutoff: dt.time | None = None


def parse_reception_rule(note: str, *, processing_time: Decimal, unit: str) -> ReceptionRule:
    """The same-day and cut-off rules `note` states; the defaults when it states none.

    Same day only for a legal time of at most one working day: "trong ngày hoặc không quá 02
    ngày làm việc" leaves the choice to the officer, and the appointment must hold for the
    longer time.
    """
    same_day = bool(_SAME_DAY.search(note)) and unit == TimeUnit.WORKING_DAY and processing_time <= 1
    cutoff = None
    match = _CUTOFF.search(note)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if hour < 24 and minute < 60:
            cutoff = dt.time(hour, minute)
    return ReceptionRule(same_day=same_day, cutoff=cutoff)
