"""What the members views share: the member a user may see, a cell's transfers in progress, and saving a form
whose save may break a rule."""

from django.db import IntegrityError, transaction
from django.db.models import Exists, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from .. import access
from ..models import Member, Transfer


def member_or_404(request, pk):
    visible = Member.objects.visible_to(access.for_user(request.user))
    return get_object_or_404(visible.select_related("cell", "user"), pk=pk)


def cell_transfers(user_access, cell_id):
    """The permanent transfers in progress from or to the cell that this user sees."""
    return (
        Transfer.objects.visible_to(user_access).in_progress().filter(Q(from_cell_id=cell_id) | Q(to_cell_id=cell_id))
    )


def listed_transfers(user_access, cell_id, any_in_progress):
    """The cell's transfers in progress, with who is late, as its pages list them. `any_in_progress`, which the
    page's counting query brings along (`Exists(cell_transfers(…))`, None when it had no row to carry it), spares
    the query when there is none, as for most cells most of the time."""
    if any_in_progress is False:
        return []
    return list(cell_transfers(user_access, cell_id).select_related("member", "from_cell", "to_cell"))


def any_transfer(user_access, cell_id):
    return Exists(cell_transfers(user_access, cell_id))


def save_checked(form, save):
    """Run `save` in a savepoint and return what it returns, or None when the database refused the row.

    Another request may have saved a clashing row (a party card number, a unit code, a second secretary)
    after this form was checked; the constraint then refuses ours. Checking the form again names the field,
    where a 500 would tell the user nothing.
    """
    try:
        with transaction.atomic():
            return save()
    except IntegrityError:
        form.full_clean()
        if not form.errors:
            form.add_error(None, _("Someone else saved a change at the same moment. Check the form and save again."))
        return None
