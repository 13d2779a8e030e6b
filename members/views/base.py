"""What the members views share: the member a user may see, and saving a form whose save may break a rule."""

from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from .. import access
from ..models import Member


def member_or_404(request, pk):
    visible = Member.objects.visible_to(access.for_user(request.user))
    return get_object_or_404(visible.select_related("cell", "user"), pk=pk)


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
