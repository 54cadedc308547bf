from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.service_index.constants import PointsSource


class IndicatorPoints(models.Model):
    """The points and full-marks threshold of one indicator, editable by administrators: the
    Decision publishes only the group maxima and a few indicators' points, the rest are ours."""

    code = models.CharField(_("mã chỉ số"), max_length=8, unique=True)
    points = models.DecimalField(_("điểm tối đa"), max_digits=5, decimal_places=2)
    # The rate (in %) from which the indicator earns all its points; below it, in proportion.
    threshold = models.DecimalField(_("ngưỡng đạt điểm tối đa (%)"), max_digits=5, decimal_places=2, default=100)
    source = models.CharField(_("nguồn điểm"), max_length=16, choices=PointsSource.choices)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("điểm chỉ số 766")
        verbose_name_plural = _("điểm các chỉ số 766")

    def __str__(self) -> str:
        return f"{self.code}: {self.points}"
