"""Who may see and do what: the one place that decides.

Seeing is decided by the organisation tree. A cell's members see their own cell; a higher committee's
viewers and administrators see every unit below theirs. Querysets are narrowed by the access object built
here (`OrgUnit.objects.visible_to(access.for_user(user))`, likewise members, meetings and resolutions), so an
object outside them is a 404 for the views. The models never import this module: it imports them.
Doing is decided by role: the `can_*` methods answer, and views turn a "no" into a 403 with `require`.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import JSONField, OuterRef, Q, Subquery
from django.db.models.functions import JSONObject
from django.utils.translation import gettext as _

from .models import Grant, Member, OrgUnit, User

# Cell positions that manage the cell's member records.
MANAGING_POSITIONS = {Member.Position.SECRETARY, Member.Position.DEPUTY}
# Cell positions that see members' private data (birth date, card number).
COMMITTEE_POSITIONS = {Member.Position.SECRETARY, Member.Position.DEPUTY, Member.Position.COMMITTEE}
# Cell positions from the lowest (`Member.Position` is declared in this order).
POSITION_ORDER = list(Member.Position)


class JSONRows(Subquery):
    """A subquery's rows (one JSON object each, in a column named `item`) as one JSON array, `[]` for none."""

    output_field = JSONField()
    template = "(SELECT COALESCE(jsonb_agg(rows.item), '[]'::jsonb) FROM (%(subquery)s) AS rows)"

    def as_sqlite(self, compiler, connection, **extra_context):
        template = "(SELECT json_group_array(json(rows.item)) FROM (%(subquery)s) AS rows)"
        return self.as_sql(compiler, connection, template=template, **extra_context)


# In the models' field order: `Model.from_db` takes the values of a partial row in that order.
GRANT_FIELDS = tuple(field.attname for field in Grant._meta.concrete_fields if field.attname != "user_id")
UNIT_FIELDS = tuple(field.attname for field in OrgUnit._meta.concrete_fields)


def users_with_access():
    """Users with everything `Access` needs in the same row: their member and cell (joined) and their grants
    with their units (one JSON array). The login backend loads the request's user through it, so that a
    page's user and access cost one query instead of three (issue 17: the cheapest page in four)."""
    grants = Grant.objects.filter(user=OuterRef("pk")).values(
        item=JSONObject(**{f: f for f in GRANT_FIELDS}, **{f"unit.{f}": f"unit__{f}" for f in UNIT_FIELDS})
    )
    return User._default_manager.select_related("member__cell").annotate(access_grants=JSONRows(grants))


def _loaded_grants(user):
    """The grants `users_with_access` brought along with `user`, as model instances, by unit path."""
    grants = []
    for row in user.access_grants:
        unit = OrgUnit.from_db("default", UNIT_FIELDS, [row[f"unit.{f}"] for f in UNIT_FIELDS])
        grant = Grant.from_db("default", GRANT_FIELDS, [row[f] for f in GRANT_FIELDS])
        grant.user_id, grant.unit, grant.user = user.pk, unit, user
        grants.append(grant)
    return sorted(grants, key=lambda grant: grant.unit.path)


def for_user(user):
    """The user's access, computed once per request (cached on the user object)."""
    cached = getattr(user, "_chibo_access", None)
    if cached is None:
        cached = Access(user)
        if user.is_authenticated:
            user._chibo_access = cached
    return cached


def cell_or_404(user, pk):
    """The cell `pk` if this user sees it; any other unit, or a cell outside their tree, is a 404."""
    from django.http import Http404
    from django.shortcuts import get_object_or_404

    user_access = for_user(user)
    own = user_access.member.cell if user_access.member is not None else None
    if own is not None and str(own.pk) == str(pk):
        # Their own cell, which every scope lets them see, came with their access (`users_with_access`): the
        # same row in the same request, without a query of its own on every page of the cell.
        cell = own
    else:
        cell = get_object_or_404(OrgUnit.objects.visible_to(user_access), pk=pk)
    if not cell.is_cell:
        raise Http404
    return cell


def require(allowed):
    """Turn a refused permission into a 403."""
    if not allowed:
        raise PermissionDenied


class Access:
    def __init__(self, user):
        self.user = user
        self.member = None
        self.grants = []
        self.is_superuser = bool(user.is_authenticated and user.is_active and user.is_superuser)
        if not (user.is_authenticated and user.is_active):
            return
        if hasattr(user, "access_grants"):  # loaded by `users_with_access`: no query here
            try:
                member = user.member
            except Member.DoesNotExist:
                member = None
            self.member = member if member is not None and member.status != Member.Status.TRANSFERRED else None
            self.grants = _loaded_grants(user)
        else:
            self.member = (
                Member.objects.select_related("cell")
                .filter(user=user)
                .exclude(status=Member.Status.TRANSFERRED)
                .first()
            )
            self.grants = list(Grant.objects.filter(user=user).select_related("unit").order_by("unit__path"))

    # --- what they see -------------------------------------------------------------------------

    def scope(self, prefix=""):
        """A filter over units (or over objects reaching a unit through `prefix`) that this user sees."""
        if self.is_superuser:
            return Q()
        scope = Q(**{f"{prefix}pk__in": []})
        for grant in self.grants:
            scope |= Q(**{f"{prefix}path__startswith": grant.unit.path})
        if self.member:
            scope |= Q(**{f"{prefix}path__startswith": self.member.cell.path})
        return scope

    def units(self, queryset):
        return queryset.filter(self.scope())

    def sees_path(self, path):
        """Whether the unit at `path` is among those `units()` lets through (for rows read without it)."""
        if self.is_superuser:
            return True
        paths = [grant.unit.path for grant in self.grants] + ([self.member.cell.path] if self.member else [])
        return any(path.startswith(seen) for seen in paths)

    def members(self, queryset):
        return queryset.filter(self.scope("cell__"))

    def transfers(self, queryset):
        """Permanent transfers from or to a cell this user sees: the receiving cell's side, in another branch
        of the tree, follows the transfer without seeing the member's record."""
        return queryset.filter(self.scope("from_cell__") | self.scope("to_cell__"))

    def meetings(self, queryset, prefix=""):
        """Meetings of the cells this user sees; a committee meeting only for the committee and above.

        `prefix` scopes rows that reach their meeting through it: `meetings(Minutes.objects, "meeting__")`."""
        visible = queryset.filter(self.scope(f"{prefix}cell__"))
        if self.is_superuser:
            return visible
        allowed = ~Q(**{f"{prefix}kind": "committee"})
        for grant in self.grants:
            allowed |= Q(**{f"{prefix}cell__path__startswith": grant.unit.path})
        if self.member is not None and self.position in COMMITTEE_POSITIONS:
            allowed |= Q(**{f"{prefix}cell_id": self.member.cell_id})
        return visible.filter(allowed)

    def manageable_cells(self, queryset):
        """Cells whose members this user manages through a higher-committee administrator role."""
        if self.is_superuser:
            return queryset.cells()
        scope = Q(pk__in=[])
        for grant in self.grants:
            if grant.role == Grant.Role.ADMIN:
                scope |= Q(path__startswith=grant.unit.path)
        return queryset.cells().filter(scope)

    def top_units(self):
        """The units this user's view of the tree starts from."""
        if self.is_superuser:
            return list(OrgUnit.objects.filter(parent__isnull=True))
        return [grant.unit for grant in self.grants]

    # --- what they may do ----------------------------------------------------------------------

    @property
    def position(self):
        """The user's position in their own cell, or None when they hold none that counts."""
        if self.member and self.member.status == Member.Status.ACTIVE:
            return self.member.position
        return None

    def position_in(self, cell):
        if self.member and self.member.cell_id == cell.pk:
            return self.position
        return None

    def grant_over(self, unit):
        """The strongest higher-committee role over `unit` (its own unit included), or None."""
        if self.is_superuser:
            return Grant.Role.ADMIN
        roles = {grant.role for grant in self.grants if unit.path.startswith(grant.unit.path)}
        if Grant.Role.ADMIN in roles:
            return Grant.Role.ADMIN
        return Grant.Role.VIEWER if roles else None

    def can_view_tree(self):
        return self.is_superuser or bool(self.grants)

    def can_manage_unit(self, unit):
        return self.grant_over(unit) == Grant.Role.ADMIN

    def can_manage_members(self, cell):
        return self.position_in(cell) in MANAGING_POSITIONS or self.grant_over(cell) == Grant.Role.ADMIN

    def can_manage_member(self, member):
        """Edit `member`'s record, change their status or cell, or invite them to a login.

        An administrator above manages anyone; the cell's secretary or deputy only members below their own
        position (as stored). Whoever could change the record or the e-mail of someone at or above them could
        take that person's place: the deputy would send the new secretary's pending invitation to his own
        address, or suspend the secretary. Nobody manages their own record either (`can_edit_own_contact`).
        """
        if self.member is not None and member.pk == self.member.pk:
            return False  # an administrator above too: their own record is for the committee above them
        if self.grant_over(member.cell) == Grant.Role.ADMIN:
            return True
        return member.position in self._positions_below(self.position_in(member.cell))

    def can_edit_own_contact(self, member):
        """A secretary or deputy keeps their own e-mail and phone up to date; nothing else of their record."""
        return self.member is not None and member.pk == self.member.pk and self.can_manage_members(member.cell)

    @staticmethod
    def _positions_below(own):
        """The positions a secretary or deputy manages: those below their own. Nobody else manages any."""
        return POSITION_ORDER[: POSITION_ORDER.index(own)] if own in MANAGING_POSITIONS else []

    def position_refusal(self, member, position):
        """Why this user may not give `member` (as stored; unsaved when new) `position`, or None when they may.

        The cell elects and the committee above confirms: an administrator above sets any position; the
        cell's secretary or deputy only positions below their own, for members below them; nobody their own.
        """
        if position == member.position:
            return None
        if self.member is not None and member.pk is not None and member.pk == self.member.pk:
            return _("You cannot change your own position.")
        if self.grant_over(member.cell) == Grant.Role.ADMIN:
            return None
        below = self._positions_below(self.position_in(member.cell))
        if member.pk is not None and member.position not in below:
            return _("Only the committee above can change the position of a member at or above your own.")
        if position not in below:
            return _("You can only give positions below your own; the committee above confirms the others.")
        return None

    def can_view_private(self, member):
        return (
            (self.member is not None and self.member.pk == member.pk)
            or self.position_in(member.cell) in COMMITTEE_POSITIONS
            or self.grant_over(member.cell) is not None
        )

    def is_cell_committee(self, cell):
        return self.position_in(cell) in COMMITTEE_POSITIONS

    # --- meetings ------------------------------------------------------------------------------

    def can_manage_meetings(self, cell):
        """Plan, prepare, invite, move and cancel: the cell committee, or a higher-committee administrator."""
        return self.is_cell_committee(cell) or self.grant_over(cell) == Grant.Role.ADMIN

    def can_record_attendance(self, meeting):
        """The committee, or the member appointed to take the minutes of this meeting."""
        if self.can_manage_meetings(meeting.cell):
            return True
        return self.member is not None and meeting.minute_taker_id == self.member.pk and self.position is not None

    def can_edit_minutes(self, meeting):
        return self.can_record_attendance(meeting)

    def can_sign_minutes(self, minutes):
        """The chair, the cell's secretary (always, whoever chaired), or an administrator above.

        The chair is the meeting's (`Meeting.chair`): the committee's choice, set by whoever manages the cell's
        meetings, and the unsigned minutes follow it (`minutes.workflow.record_chair`, `follow_meeting_chair`).
        Never the chair written on the minutes alone: a minute-taker can edit the minutes."""
        meeting = minutes.meeting
        cell = meeting.cell
        if self.member is not None and meeting.chair_id == self.member.pk and self.position is not None:
            return True
        return self.position_in(cell) == Member.Position.SECRETARY or self.grant_over(cell) == Grant.Role.ADMIN

    def can_update_task(self, task):
        """The member responsible for the task, or whoever manages the cell's meetings."""
        working = (Member.Status.ACTIVE, Member.Status.VISITING)
        if self.member is not None and task.responsible_id == self.member.pk and self.member.status in working:
            return True
        return self.can_manage_meetings(task.resolution.cell)

    def can_record_papers(self, transfer):
        """The sending side: whoever manages the member's record there."""
        return transfer.from_cell_id == transfer.member.cell_id and self.can_manage_member(transfer.member)

    def can_record_presentation(self, transfer):
        """The receiving side: whoever manages the receiving cell's members."""
        return self.can_manage_members(transfer.to_cell)

    def can_view_dashboard(self, unit):
        """A committee's figures: its viewers and administrators above, and a cell's own committee."""
        return self.grant_over(unit) is not None or (unit.is_cell and self.is_cell_committee(unit))

    def can_publish_guidance(self, unit):
        return not unit.is_cell and self.grant_over(unit) == Grant.Role.ADMIN

    # --- party dues (dues/, domain §11) --------------------------------------------------------

    def can_manage_dues(self, cell, member=None):
        """Keep the cell's dues book (payments, corrections, bases, exemptions) and send its monthly report:
        the cell committee, who collect the dues; never over their own dues (`member`: whose dues change)."""
        if member is not None and self.member is not None and member.pk == self.member.pk:
            return False
        return self.is_cell_committee(cell)

    def can_view_dues(self, cell):
        """The whole dues book and its reports: the cell committee and every committee above."""
        return self.is_cell_committee(cell) or self.grant_over(cell) is not None

    def can_view_member_dues(self, member):
        """A member's own dues, and whoever sees the cell's book."""
        return (self.member is not None and self.member.pk == member.pk) or self.can_view_dues(member.cell)

    def can_receive_dues_report(self, cell):
        """Mark a cell's monthly dues report received: an administrator of a committee above the cell."""
        return self.grant_over(cell) == Grant.Role.ADMIN and self.position_in(cell) is None

    def can_set_dues_rates(self, unit):
        """Set the dues rates for the cells below: an administrator of that committee (never a cell)."""
        return not unit.is_cell and self.grant_over(unit) == Grant.Role.ADMIN
