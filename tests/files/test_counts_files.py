"""Section I of the minutes of a roll of 20 with an exempt and an away member left blank on the attendance
sheet, as pdftotext reads the official PDF and LibreOffice the Word file: the same whole roll in both."""

import pytest

from minutes import workflow
from minutes.models import Minutes
from tests.meetings.conftest import make_meeting  # noqa: F401 (a fixture)
from tests.minutes.test_minutes_counts import roll_of_20  # noqa: F401 (a fixture)

from .conftest import pdf_text
from .test_word_files import download, flat, written_by_libreoffice

pytestmark = pytest.mark.django_db
ROLL = "Tổng số đảng viên: 20 (chính thức 19, dự bị 1, sinh hoạt tạm thời 0)."
EXEMPT_AWAY = "Miễn sinh hoạt: 1; đi sinh hoạt tạm thời nơi khác: 1."
PRESENT = "Có mặt: 17/18 (94,4%)."


def test_the_pdf_and_the_word_file_count_the_whole_roll(client, secretary, roll_of_20, tmp_path, libreoffice):  # noqa: F811
    minutes = workflow.start(roll_of_20)
    pdf = tmp_path / "bien-ban.pdf"
    pdf.write_bytes(workflow.render_pdf(Minutes.objects.get(pk=minutes.pk)))
    client.force_login(secretary)
    _info, word = written_by_libreoffice(
        libreoffice, download(client, "meetings:minutes_docx", roll_of_20.pk, tmp_path)
    )
    for name, text in (("pdf", flat(pdf_text(pdf))), ("word", flat(word))):
        for expected in (ROLL, EXEMPT_AWAY, PRESENT):
            assert expected in text, (name, expected)
