from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Vote(models.Model):
    """A vote at a meeting (section IV of the minutes). Only official members vote (domain §3)."""

    class Method(models.TextChoices):
        HANDS = "hands", _("Show of hands")
        BALLOT = "ballot", _("Secret ballot")

    minutes = models.ForeignKey("meetings.Minutes", models.CASCADE, related_name="votes")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    subject = models.CharField(_("subject"), max_length=300)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices, default=Method.HANDS)
    votes_for = models.PositiveSmallIntegerField(_("for"), validators=[MaxValueValidator(10000)])
    votes_against = models.PositiveSmallIntegerField(_("against"), default=0, validators=[MaxValueValidator(10000)])
    votes_other = models.PositiveSmallIntegerField(_("other opinions"), default=0,
                                                   validators=[MaxValueValidator(10000)])  # fmt: skip
    # The base N and the result, as computed when the vote was recorded.
    base = models.PositiveSmallIntegerField(_("vote base"), default=0)
    passed = models.BooleanField(_("passed"), default=False)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["order", "pk"]
        constraints = [
            # Passing: votes for > N/2 (integer division gives the same answer for whole numbers of votes).
            models.CheckConstraint(condition=Q(passed=False) | Q(votes_for__gt=F("base") / 2), name="vote_passed_rule"),
        ]

    def __str__(self):
        return self.subject
