"""The minutes as a Word document: cells print and file what they edit in Word. The same blocks as the official
PDF (templates/minutes/pdf/minutes.html), from the same context; "DỰ THẢO" on every page until they are signed."""

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from chibo import filenames, word

from .workflow import pdf_context


def is_draft(minutes):
    """Until they are signed the minutes may still change: the file says so, and is named so."""
    return not minutes.is_locked


def minutes_docx(minutes):
    with translation.override("vi"):
        return _build(pdf_context(minutes), is_draft(minutes))


def file_name(minutes):
    """The same name as the minutes' PDF, and -du-thao until they are signed."""
    day = timezone.localtime(minutes.meeting.starts_at).date()
    return filenames.minutes(minutes.meeting.cell, day, "docx", draft=is_draft(minutes))


def _build(c, draft):
    doc, att, day = c["doc"], c["att"], c["day"]
    document = word.new_document(settings.PDF_MARGINS_MM)
    cell = doc["cell"]
    date_line = _("day %(d)s month %(m)s year %(y)s") % {"d": f"{day.day:02d}", "m": f"{day.month:02d}", "y": day.year}
    title = " – ".join([_("Minutes"), c["subtitle"], cell["name"], f"{day:%d/%m/%Y}"])
    word.set_properties(document, author=cell["name"], title=title, subject=doc["title"], now=timezone.now(),
                        draft_label=_("DRAFT") if draft else "")  # fmt: skip
    if draft:
        word.mark_draft(document, _("DRAFT"))
    add = lambda text, **style: word.paragraph(document, text, **style)  # noqa: E731
    left = ([(cell["parent"].upper(), {})] if cell["parent"] else []) + [(cell["name"].upper(), {"bold": True}),
                                                                        ("*", {})]  # fmt: skip
    right = [("ĐẢNG CỘNG SẢN VIỆT NAM", {"bold": True, "underline": True, "size": 15}),
             (f"{cell['place_name']}, {date_line}", {"italic": True, "space_before": 8})]  # fmt: skip
    word.party_header(document, left, right)
    word.heading(document, _("Minutes").upper(), 1)
    add(c["subtitle"], bold=True, align=word.CENTER)

    started, ended = c["started"], c["ended"]
    starting = _("starting at %(time)s on %(date)s") % {"time": f"{started:%H:%M}", "date": f"{started:%d/%m/%Y}"}
    add(f"- {pgettext('minutes', 'Time')}: {starting}")
    add(f"- {_('Place')}: {doc['place']}")
    add(f"- {_('Chair')}: {_('comrade')} {doc['chair'] or '…'}" + (f", {doc['chair_title']}" if doc["chair_title"]
                                                                   else ""))  # fmt: skip
    add(f"- {_('Minute-taker')}: {_('comrade')} {doc['minute_taker'] or '…'}")
    if doc["guests"]:
        add(f"- {_('Guests from higher committees')}: {doc['guests']}")
    for paragraph in doc.get("opening", []):
        add(f"- {paragraph}")

    word.heading(document, f"I. {pgettext('minutes', 'Attendance')}".upper(), 2)
    add(_("Members on the roll: %(total)s (%(official)s official, %(probationary)s probationary, %(visiting)s here "
          "on temporary activity).") % att)  # fmt: skip
    add(_("Exempt from activities: %(exempt)s; away on temporary activity elsewhere: %(away)s.") % att)
    present = _("Present: %(present)s/%(base)s (%(rate)s%%).") % {**att, "rate": number_format(att["rate"] or 0)}
    if att["late"]:
        present += " " + _("Of whom %(late)s came late.") % {"late": att["late"]}
    add(present)
    excused = "; ".join(f"{_('comrade')} {a['name']}: {a['reason']}" for a in att["excused"])
    add(f"{_('Absent with a reason')}: {len(att['excused'])}" + (f" ({excused})" if excused else "") + ".")
    unexcused = ", ".join(f"{_('comrade')} {name}" for name in att["unexcused"])
    add(f"{_('Absent without a reason')}: {len(att['unexcused'])}" + (f" ({unexcused})" if unexcused else "") + ".")

    word.heading(document, f"II. {_('Content')}".upper(), 2)
    for index, section in enumerate(doc["sections"], start=1):
        word.heading(document, f"{index}. {section['heading']}", 3)
        add(section["text"] or "…")
    word.heading(document, f"{len(doc['sections']) + 1}. {_('Opinions in the discussion')}", 3)
    for contribution in doc["contributions"]:
        add(f"- {_('Comrade')} {contribution['member']}: {contribution['summary']}")
    if not doc["contributions"]:
        add("…")
    word.heading(document, f"{len(doc['sections']) + 2}. {_('Praise, reminders and criticism')}", 3)
    add(doc["praise_criticism"] or "…")

    conclusion = _("The chair's conclusion")
    word.heading(document, f"III. {conclusion}".upper(), 2)
    add(doc["conclusion"] or "…")
    if doc["tasks"]:
        add(f"{_('Tasks assigned')}:", bold=True, keep_with_next=True)
        rows = [(t["what"], f"{_('comrade')} {t['who']}" if t["who"] else "",
                 f"{t['deadline_date']:%d/%m/%Y}" if t["deadline_date"] else "") for t in doc["tasks"]]  # fmt: skip
        word.assignment_table(document, [_("Task"), _("Responsible"), _("Deadline")], rows)

    word.heading(document, f"IV. {_('Votes')}".upper(), 2)
    for index, vote in enumerate(doc["votes"], start=1):
        add(f"{index}. {vote['subject']}", bold=True, keep_with_next=True)
        in_favour = _("in favour %(f)s/%(n)s") % {"f": vote["for"], "n": vote["base"]}
        result = _("Passed.") if vote["passed"] else _("Not passed.")
        add(f"{_('Method')}: {vote['method_label']}; {in_favour}; {_('against')}: {vote['against']}; "
            f"{_('other opinions')}: {vote['other']}. {result}")  # fmt: skip
    if not doc["votes"]:
        add("…")

    word.heading(document, f"V. {_('Self-assessment of quality')}".upper(), 2)
    if c["quality_total"]:
        add(_("%(total)s points, graded %(grade)s.") % {"total": number_format(c["quality_total"], 1),
                                                        "grade": c["grade"]})  # fmt: skip
    else:
        add("…")
    add(_("The meeting ended at %(time)s; the minutes were read out and approved by the cell.")
        % {"time": f"{ended:%H:%M}"}, space_before=10, keep_with_next=True)  # fmt: skip

    signed = []
    if c["signed_at"]:
        signed_on = timezone.localtime(c["signed_at"]).date()
        signed = [(_("Signed in Chibo on %(d)s") % {"d": f"{signed_on:%d/%m/%Y}"}, {"italic": True, "size": 12})]
    word.signatures(
        document,
        [[(_("MINUTE-TAKER"), {"bold": True, "space_before": 18}),
          (f"({_('signature and full name')})", {"italic": True, "size": 12})],
         [(_("CHAIR"), {"bold": True, "space_before": 18}), (_("ON BEHALF OF THE CELL"), {"bold": True}),
          (_("SECRETARY"), {})]],
        [[(doc["minute_taker"], {"bold": True})], [(doc["chair"], {"bold": True}), *signed]],
    )  # fmt: skip

    for index, addendum in enumerate(doc["addenda"], start=1):
        heading = _("Addendum %(n)s, %(d)s") % {"n": index, "d": f"{addendum['signed_at']:%d/%m/%Y}"}
        add(heading, bold=True, space_before=18, keep_with_next=True)
        add(addendum["text"], keep_with_next=True)
        add(_("Signed: %(name)s") % {"name": addendum["by"]}, italic=True, size=12)
    return document
