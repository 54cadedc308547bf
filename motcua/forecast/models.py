from django.db import models
from django.utils.translation import gettext_lazy as _


class ForecastSeries(models.Model):
    """The nightly forecast of one agency's dossiers for one procedure, with its backtest.

    Without enough history the series is kept with `enough_history` False and no days, so the
    page can say so instead of drawing a made-up curve."""

    agency = models.ForeignKey("directory.Agency", on_delete=models.CASCADE, related_name="+")
    procedure = models.ForeignKey("catalog.Procedure", on_delete=models.CASCADE, related_name="+")
    computed_at = models.DateTimeField()
    history_start = models.DateField()
    history_days = models.PositiveIntegerField()
    enough_history = models.BooleanField()
    backtest_days = models.PositiveIntegerField(null=True, blank=True)
    # Mean absolute error in dossiers per day, and the weighted absolute percentage error (sum
    # of absolute errors over the sum received; none when nothing was received then).
    backtest_mae = models.FloatField(null=True, blank=True)
    backtest_wape = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = _("dự báo lượng hồ sơ")
        verbose_name_plural = _("dự báo lượng hồ sơ")
        constraints = [models.UniqueConstraint(fields=["agency", "procedure"], name="forecast_one_per_procedure")]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.procedure_id} {self.computed_at:%Y-%m-%d}"

    @property
    def backtest_wape_percent(self) -> float | None:
        return None if self.backtest_wape is None else 100 * self.backtest_wape


class ForecastDay(models.Model):
    """Expected dossiers on one day, with an 80 % prediction interval; 0 on closed days."""

    series = models.ForeignKey(ForecastSeries, on_delete=models.CASCADE, related_name="days")
    day = models.DateField()
    expected = models.FloatField()
    lower = models.FloatField()
    upper = models.FloatField()

    class Meta:
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["series", "day"], name="forecast_day_once")]

    def __str__(self) -> str:
        return f"{self.series_id} {self.day}: {self.expected:.1f}"


class CounterNorm(models.Model):
    """Minutes a counter officer spends receiving one dossier of a procedure; procedures without
    one take MOTCUA_COUNTER_MINUTES_PER_DOSSIER."""

    procedure = models.OneToOneField(
        "catalog.Procedure", verbose_name=_("thủ tục"), on_delete=models.CASCADE, related_name="+"
    )
    minutes_per_dossier = models.PositiveIntegerField(_("số phút tiếp nhận một hồ sơ"))

    class Meta:
        verbose_name = _("định mức tiếp nhận tại quầy")
        verbose_name_plural = _("định mức tiếp nhận tại quầy")

    def __str__(self) -> str:
        return f"{self.procedure_id}: {self.minutes_per_dossier}"
