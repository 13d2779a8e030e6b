"""What every meetings view needs: the meeting a user may see, and the refusal of one who may not manage."""

from django.shortcuts import get_object_or_404

from members import access

from ..models import Meeting


def meeting_or_404(request, pk):
    return get_object_or_404(Meeting.objects.visible_to(access.for_user(request.user)).select_related("cell"), pk=pk)


def require_manage(request, cell):
    access.require(access.for_user(request.user).can_manage_meetings(cell))
