"""Every URL × every role, in one table: anonymous → login, outsiders → 404, insiders without the right → 403."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from dashboards.models import DashboardReport
from meetings import services
from meetings.models import Document, Guidance, Meeting, ThematicTopic
from members import services as member_services
from members.models import Member
from minutes import workflow as minutes_workflow
from minutes.models import Minutes, Vote
from resolutions import services as resolution_services
from resolutions.models import Resolution, Task

LOGIN = "login"
ROLES = ["anonymous", "member", "outsider", "secretary", "viewer_other_branch", "commune_viewer", "commune_admin"]

# url name, how to build its arguments, method, then the expected answer per role (in ROLES order).
TABLE = [
    ("members:home", None, "get", [LOGIN, 200, 200, 200, 200, 200, 200]),
    # The large-text switch only sets a cookie: for anyone, a reply link's reader included.
    ("members:text_size", None, "post", [302, 302, 302, 302, 302, 302, 302]),
    ("members:tree", None, "get", [LOGIN, 403, 403, 403, 200, 200, 200]),
    ("members:unit", "commune", "get", [LOGIN, 404, 404, 404, 404, 200, 200]),
    ("members:unit", "cell", "get", [LOGIN, 302, 404, 302, 404, 302, 302]),
    ("members:unit_create", "commune", "get", [LOGIN, 404, 404, 404, 404, 403, 200]),
    ("members:list", "cell", "get", [LOGIN, 200, 404, 200, 404, 200, 200]),
    ("members:list", "commune", "get", [LOGIN, 404, 404, 404, 404, 404, 404]),
    ("members:create", "cell", "get", [LOGIN, 403, 404, 200, 404, 403, 200]),
    ("members:import", "cell", "get", [LOGIN, 403, 404, 200, 404, 403, 200]),
    ("members:import_template", "cell", "get", [LOGIN, 403, 404, 200, 404, 403, 200]),
    ("members:detail", "target", "get", [LOGIN, 200, 404, 200, 404, 200, 200]),
    ("members:edit", "target", "get", [LOGIN, 403, 404, 200, 404, 403, 200]),
    ("members:status", "target", "get", [LOGIN, 403, 404, 200, 404, 403, 200]),
    ("members:transfer", "target", "get", [LOGIN, 403, 404, 200, 404, 403, 200]),
    ("members:invite", "target", "post", [LOGIN, 403, 404, 302, 404, 403, 302]),
    # Writes by POST: nothing is saved by those refused (the responses of the others are form pages).
    ("members:create", "cell", "post", [LOGIN, 403, 404, 200, 404, 403, 200]),
    ("members:edit", "target", "post", [LOGIN, 403, 404, 200, 404, 403, 200]),
    ("members:status", "target", "post", [LOGIN, 403, 404, 200, 404, 403, 200]),
    ("members:transfer", "target", "post", [LOGIN, 403, 404, 200, 404, 403, 200]),
    ("members:import", "cell", "post", [LOGIN, 403, 404, 200, 404, 403, 200]),
    ("members:unit_create", "commune", "post", [LOGIN, 404, 404, 404, 404, 403, 200]),
    ("members:detail", "outsider_record", "get", [LOGIN, 404, 200, 404, 200, 404, 404]),
    # A permanent transfer: started by whoever manages the member; followed by both cells and the committees above.
    ("members:transfer_start", "target", "post", [LOGIN, 403, 404, 200, 404, 403, 200]),
    ("members:transfer_detail", "transfer", "get", [LOGIN, 200, 404, 200, 404, 200, 200]),
    ("members:transfer_detail", "transfer", "post", [LOGIN, 403, 404, 200, 404, 403, 200]),
    ("members:edit", "outsider_record", "get", [LOGIN, 404, 200, 404, 403, 404, 404]),
]

# Meetings: cell pages are seen by the cell and the committees above; planning needs the cell committee
# or a higher-committee administrator; replying needs one's own invitation.
SEES = [LOGIN, 200, 404, 200, 404, 200, 200]
MANAGES = [LOGIN, 403, 404, 200, 404, 403, 200]
MANAGES_POST = [LOGIN, 403, 404, 302, 404, 403, 302]
TABLE += [
    ("meetings:calendar", "cell", "get", SEES),
    ("meetings:calendar", "commune", "get", [LOGIN, 404, 404, 404, 404, 404, 404]),
    ("meetings:create", "cell", "get", MANAGES),
    ("meetings:create", "cell", "post", MANAGES),
    ("meetings:schedule", "cell", "get", MANAGES),
    ("meetings:topics", "cell", "get", SEES),
    ("meetings:topics", "cell", "post", MANAGES),
    ("meetings:topic_meeting", "topic", "get", MANAGES),
    ("meetings:topic_draft", "topic", "get", SEES),
    ("meetings:guidance", "commune", "get", [LOGIN, 404, 404, 404, 404, 200, 200]),
    ("meetings:guidance", "commune", "post", [LOGIN, 404, 404, 404, 404, 403, 200]),
    ("meetings:guidance", "cell", "get", [LOGIN, 404, 404, 404, 404, 404, 404]),
    ("meetings:guidance_file", "guidance", "get", SEES),
    ("meetings:detail", "meeting", "get", SEES),
    ("meetings:edit", "meeting", "get", MANAGES),
    ("meetings:edit", "meeting", "post", MANAGES),
    ("meetings:confirm", "meeting", "post", MANAGES_POST),
    ("meetings:move", "meeting", "get", MANAGES),
    ("meetings:move", "meeting", "post", MANAGES),
    ("meetings:postpone", "meeting", "get", MANAGES),
    ("meetings:cancel", "meeting", "post", MANAGES),
    ("meetings:agenda", "meeting", "get", MANAGES),
    ("meetings:document_upload", "meeting", "get", MANAGES),
    ("meetings:document_upload", "meeting", "post", MANAGES),
    ("meetings:replies", "meeting", "get", MANAGES),
    ("meetings:reach", "meeting", "get", MANAGES),
    ("meetings:invitation_sheet_request", "meeting", "post", MANAGES_POST),
    ("meetings:record_reply", "invited", "post", MANAGES_POST),
    ("meetings:reply", "meeting", "get", [LOGIN, 200, 404, 200, 404, 404, 404]),
    ("meetings:attendance", "meeting", "get", MANAGES),
    ("meetings:attendance", "meeting", "post", MANAGES),
    ("meetings:ics", "meeting", "get", SEES),
    ("meetings:document", "document", "get", SEES),
    ("meetings:document_delete", "document", "post", MANAGES_POST),
    ("meetings:mine", None, "get", [LOGIN, 200, 200, 200, 200, 200, 200]),
    ("meetings:feed_renew", None, "post", [LOGIN, 302, 302, 302, 404, 404, 404]),
]
# Minutes: read by everyone who sees the meeting, written by the committee (or the minute-taker), signed by
# the chair or the secretary, or an administrator above.
SIGNS = [LOGIN, 403, 404, 302, 404, 403, 302]
SEES_POST = [LOGIN, 302, 404, 302, 404, 302, 302]
TABLE += [
    ("meetings:minutes", "held", "get", SEES),
    ("meetings:minutes_start", "held", "post", MANAGES_POST),
    ("meetings:minutes_edit", "held", "get", MANAGES),
    ("meetings:minutes_edit", "held", "post", MANAGES),
    ("meetings:minutes_approve", "held", "post", MANAGES_POST),
    ("meetings:minutes_reopen", "held", "post", MANAGES_POST),
    ("meetings:minutes_sign", "held", "post", SIGNS),
    ("meetings:minutes_addendum", "held", "post", SIGNS),
    ("meetings:minutes_render", "held", "post", MANAGES_POST),
    ("meetings:minutes_status", "held", "get", SEES),
    ("meetings:minutes_pdf", "held", "get", SEES),
    ("meetings:minutes_docx", "held", "get", SEES),
    ("meetings:minutes_book", "cell", "get", SEES),
    ("meetings:minutes_book", "cell", "post", MANAGES_POST),  # render the PDFs the book lacks
    ("meetings:minutes_book_pdf", "cell", "get", SEES_POST),
]
# Resolutions: read by the cell and the committees above; drafted and issued by the committee; progress
# reported by the member responsible for a task, or the committee.
TABLE += [
    ("resolutions:list", "cell", "get", SEES),
    ("resolutions:create", "held", "get", MANAGES),
    ("resolutions:create", "held", "post", MANAGES),
    ("resolutions:detail", "resolution", "get", SEES),
    ("resolutions:edit", "resolution", "get", MANAGES),
    ("resolutions:issue", "resolution", "post", MANAGES_POST),
    ("resolutions:task_create", "resolution", "get", MANAGES),
    ("resolutions:task_edit", "task", "get", MANAGES),
    ("resolutions:task_edit", "task", "post", MANAGES),
    ("resolutions:task_withdraw", "task", "post", MANAGES_POST),
    ("resolutions:tasks_from_minutes", "issued", "post", MANAGES_POST),
    ("resolutions:task_progress", "task", "get", [LOGIN, 200, 404, 200, 404, 403, 200]),
    ("resolutions:task_progress", "task", "post", [LOGIN, 200, 404, 200, 404, 403, 200]),
    ("resolutions:mine", None, "get", [LOGIN, 200, 200, 200, 200, 200, 200]),
    ("resolutions:docx", "issued", "get", SEES),
    ("resolutions:evidence", "cell", "get", [LOGIN, 403, 404, 200, 404, 200, 200]),
    ("resolutions:review", "issued", "post", MANAGES_POST),
    ("resolutions:study", "cell", "get", SEES),
    ("resolutions:study", "cell", "post", [LOGIN, 403, 404, 404, 404, 403, 404]),
    ("resolutions:directives", "commune", "get", [LOGIN, 404, 404, 404, 404, 200, 200]),
    ("resolutions:directives", "commune", "post", [LOGIN, 404, 404, 404, 404, 403, 200]),
    ("resolutions:render", "issued", "post", MANAGES_POST),
    ("resolutions:pdf", "issued", "get", SEES),
]

# Dashboards: a committee's viewers and administrators above the unit, and a cell's own committee; a plain
# member of the cell is refused, everyone outside the unit's tree gets a 404, exports included.
UNIT_FIGURES = [LOGIN, 404, 404, 404, 404, 200, 200]
CELL_FIGURES = [LOGIN, 403, 404, 200, 404, 200, 200]
TABLE += [
    ("meetings:dashboard", "commune", "get", UNIT_FIGURES),
    ("meetings:dashboard", "cell", "get", CELL_FIGURES),
    ("meetings:dashboard", "other_commune", "get", [LOGIN, 404, 404, 404, 200, 404, 404]),
    ("meetings:dashboard_cells", "commune", "get", UNIT_FIGURES),
    ("meetings:dashboard_cells", "cell", "get", CELL_FIGURES),
    ("meetings:dashboard_members", "commune", "get", UNIT_FIGURES),
    ("meetings:dashboard_members", "cell", "get", CELL_FIGURES),
    ("meetings:dashboard_export", "commune:dashboard:xlsx", "get", UNIT_FIGURES),
    ("meetings:dashboard_export", "commune:cells:csv", "get", UNIT_FIGURES),
    ("meetings:dashboard_export", "commune:members:xlsx", "get", UNIT_FIGURES),
    ("meetings:dashboard_export", "cell:dashboard:csv", "get", CELL_FIGURES),
    ("meetings:dashboard_export", "other_commune:cells:xlsx", "get", [LOGIN, 404, 404, 404, 200, 404, 404]),
    ("meetings:report_request", "commune", "post", [LOGIN, 404, 404, 404, 404, 302, 302]),
    ("meetings:report_status", "report", "get", UNIT_FIGURES),
    ("meetings:report_file", "report", "get", UNIT_FIGURES),
]

CASES = [
    pytest.param(name, arg, method, role, expected[i], id=f"{name}[{arg}]-{method}-{role}")
    for name, arg, method, expected in TABLE
    for i, role in enumerate(ROLES)
]


@pytest.fixture
def objects(cell, commune, other_commune, outsider, make_member, other_cell, secretary, member, sibling_cell):
    target = make_member(cell, "Hoàng Thị Mục Tiêu", email="muctieu@example.vn")
    leaving = make_member(cell, "Đinh Văn Chuyển")
    transfer = member_services.start_transfer(leaving, sibling_cell, timezone.localdate())
    meeting = services.create_meeting(
        Meeting(cell=cell, starts_at=timezone.now() + timedelta(days=7), place="Nhà văn hóa")
    )
    services.confirm(meeting)
    pdf = SimpleUploadedFile("ke-hoach.pdf", b"%PDF-1.4 test")
    held = services.create_meeting(
        Meeting(cell=cell, starts_at=timezone.now() - timedelta(days=2), place="Nhà văn hóa", status="held")
    )
    record = minutes_workflow.start(held)
    record.pdf.save("bien-ban.pdf", SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 minutes"), save=False)
    Minutes.objects.filter(pk=record.pk).update(pdf=record.pdf.name, pdf_status="ready")
    vote = Vote.objects.create(minutes=record, subject="Nghị quyết", votes_for=1, base=1, passed=True)
    draft = Resolution.objects.create(cell=cell, meeting=held, vote=vote, title="Dự thảo")
    issued = resolution_services.issue(Resolution.objects.create(cell=cell, meeting=held, vote=vote, title="NQ"))
    task = Task.objects.create(resolution=issued, title="Việc", responsible=Member.objects.get(user=member),
                               deadline=date(2026, 12, 31))  # fmt: skip
    issued.pdf.save("nq.pdf", SimpleUploadedFile("nq.pdf", b"%PDF-1.4 nq"), save=False)
    Resolution.objects.filter(pk=issued.pk).update(pdf=issued.pdf.name, pdf_status="ready")
    return {
        "issued": issued,
        "resolution": draft,
        "task": task,
        "held": held,
        "cell": cell,
        "commune": commune,
        "other_commune": other_commune,
        "report": DashboardReport.objects.create(
            unit=commune, month=date(2026, 11, 1), status="ready",
            file=SimpleUploadedFile("bao-cao.pdf", b"%PDF-1.4 report"),
        ),
        "target": target,
        "transfer": transfer,
        "outsider_record": Member.objects.get(user=outsider),
        "meeting": meeting,
        "invited": (meeting, meeting.invitations.first()),
        "document": Document.objects.create(meeting=meeting, title="Kế hoạch", file=pdf, size=13),
        "topic": ThematicTopic.objects.create(cell=cell, year=2026, quarter=4, title="Chuyển đổi số",
                                              draft=SimpleUploadedFile("du-thao.pdf", b"%PDF-1.4 draft")),
        "guidance": Guidance.objects.create(unit=commune, month=date(2026, 12, 1), title="Định hướng tháng 12",
                                            body="…", file=SimpleUploadedFile("dh.pdf", b"%PDF-1.4 dh")),
    }  # fmt: skip


@pytest.mark.parametrize(("name", "arg", "method", "role", "expected"), CASES)
def test_access_table(client, request, objects, name, arg, method, role, expected):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    key, *more = arg.split(":") if arg else [None]
    value = objects[key] if key else None
    pks = [each.pk for each in value] if isinstance(value, tuple) else [value.pk] if key else []
    url = reverse(name, args=[*pks, *more])
    response = getattr(client, method)(url)
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected
