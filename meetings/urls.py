from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("cells/<int:pk>/meetings/", views.cell_calendar, name="calendar"),
    path("cells/<int:pk>/meetings/new/", views.meeting_create, name="create"),
    path("cells/<int:pk>/schedule/", views.schedule, name="schedule"),
    path("cells/<int:pk>/topics/", views.topics, name="topics"),
    path("topics/<int:pk>/meeting/", views.topic_meeting, name="topic_meeting"),
    path("topics/<int:pk>/draft/", views.topic_draft, name="topic_draft"),
    path("units/<int:pk>/guidance/", views.guidance, name="guidance"),
    path("guidance/<int:pk>/file/", views.guidance_file, name="guidance_file"),
    path("meetings/<int:pk>/", views.meeting_detail, name="detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("meetings/<int:pk>/confirm/", views.meeting_confirm, name="confirm"),
    path("meetings/<int:pk>/move/", views.meeting_move, name="move"),
    path("meetings/<int:pk>/postpone/", views.meeting_call_off, {"action": "postpone"}, name="postpone"),
    path("meetings/<int:pk>/cancel/", views.meeting_call_off, {"action": "cancel"}, name="cancel"),
    path("meetings/<int:pk>/agenda/", views.agenda_edit, name="agenda"),
    path("meetings/<int:pk>/documents/new/", views.document_upload, name="document_upload"),
    path("meetings/<int:pk>/replies/", views.meeting_replies, name="replies"),
    path("meetings/<int:pk>/reply/", views.reply, name="reply"),
    path("meetings/<int:pk>/reach/", views.reach, name="reach"),
    path("meetings/<int:pk>/invitations/print/", views.invitation_sheet_request, name="invitation_sheet_request"),
    path("meetings/<int:pk>/invitations.pdf", views.invitation_sheet_file, name="invitation_sheet"),
    path("meetings/<int:pk>/replies/<int:invitation_pk>/record/", views.record_reply, name="record_reply"),
    path("meetings/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("meetings/<int:pk>/calendar.ics", views.meeting_ics, name="ics"),
    path("documents/<int:pk>/", views.document_download, name="document"),
    path("documents/<int:pk>/delete/", views.document_delete, name="document_delete"),
    path("r/<str:token>/", views.reply_link, name="reply_link"),
    path("my/meetings/", views.my_meetings, name="mine"),
    path("my/calendar/renew/", views.calendar_feed_renew, name="feed_renew"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="feed"),
]
