"""A cell's structure (domain §8): too few official members to be a cell, a committee it needs, enough members
to become a party committee (đảng bộ). One rule, read by the cell's pages, the unit pages above and the
dashboards (which keep the three counts in their `CellStatus` rows)."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from .access import COMMITTEE_POSITIONS
from .models import Member

# A cell "has a committee" when at least this many members hold a committee position: a chi ủy has at least
# three (secretary, deputy, committee member).
COMMITTEE_MIN = 3


def counts(today, prefix=""):
    """Annotations counting a cell's members on the roll: over `Member` grouped by cell, or over `OrgUnit` with
    `prefix="members__"`.

    Members here on temporary activity belong to their own cell's count; the official are those made official
    by `today`; the committee are the active members holding a committee position.
    """

    def q(**lookups):
        return Q(**{prefix + name: value for name, value in lookups.items()})

    on_roll = ~q(status=Member.Status.TRANSFERRED)
    own = on_roll & ~q(status=Member.Status.VISITING)
    return {
        "official": Count(prefix + "pk", filter=own & q(official_on__lte=today)),
        "own_members": Count(prefix + "pk", filter=own),
        "committee": Count(prefix + "pk", filter=q(status=Member.Status.ACTIVE, position__in=COMMITTEE_POSITIONS)),
    }


@dataclass(frozen=True)
class Structure:
    """A cell's counts (`counts`) and what they mean."""

    official: int
    own_members: int
    committee: int

    @property
    def too_small(self):
        """Fewer official members than a cell needs (CELL_MIN_OFFICIAL)."""
        return self.official < settings.CELL_MIN_OFFICIAL

    @property
    def committee_required(self):
        """Enough official members to need a committee (COMMITTEE_REQUIRED_OFFICIAL)."""
        return self.official >= settings.COMMITTEE_REQUIRED_OFFICIAL

    @property
    def committee_missing(self):
        """Needs a committee and has fewer than COMMITTEE_MIN members holding a committee position."""
        return self.committee_required and self.committee < COMMITTEE_MIN

    @property
    def party_committee_candidate(self):
        """Enough members of its own to become a party committee (PARTY_COMMITTEE_MEMBERS)."""
        return self.own_members >= settings.PARTY_COMMITTEE_MEMBERS

    def warnings(self):
        """What the cell and the committees above should read, in the reader's language."""
        found = []
        if self.too_small:
            found.append(
                _("Only %(n)s official members: a party cell needs at least %(min)s.")
                % {"n": self.official, "min": settings.CELL_MIN_OFFICIAL}
            )
        if self.committee_missing:
            found.append(
                _("%(n)s official members: the cell needs a committee (secretary, deputy and committee members).")
                % {"n": self.official}
            )
        if self.party_committee_candidate:
            found.append(
                _("%(n)s members: the cell can be considered for becoming a party committee (đảng bộ).")
                % {"n": self.own_members}
            )
        return found


def of_cells(cell_ids, today):
    """{cell id: Structure} for the cells, counted in one query (cells without members count zeros)."""
    found = {pk: Structure(0, 0, 0) for pk in cell_ids}
    rows = Member.objects.filter(cell_id__in=cell_ids).values("cell_id").annotate(**counts(today))
    for row in rows:
        cell_id = row.pop("cell_id")
        found[cell_id] = Structure(**row)
    return found


def of(row):
    """The Structure of a row or object carrying the annotations of `counts`."""
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    return Structure(get("official") or 0, get("own_members") or 0, get("committee") or 0)
