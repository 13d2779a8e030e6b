import codecs
import io
import unicodedata
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from members.models import CellMembership, Member, MemberImport

pytestmark = pytest.mark.django_db

HEADER = "STT;Họ và tên;Giới tính;Ngày sinh;Số thẻ đảng;Ngày vào Đảng;Ngày chính thức;Điện thoại"
GOOD_CSV = "\n".join(
    [
        "DANH SÁCH ĐẢNG VIÊN CHI BỘ THÔN ĐÔNG",  # a title block above the header, as lists have
        "",
        HEADER,
        "1;Nguyễn Văn An;Nam;15/03/1960;10000001;03/02/1985;03/02/1986;0912345678",
        "2;Trần Thị Ánh;Nữ;1/7/1975;10000002;19/05/2001;19/05/2002;",
        "3;Lê Văn Út;nam;;;02/09/2025;;",
        "",
    ]
)


def to_cp1258(text):
    """Windows-1258 as Excel writes it: precomposed letters, tone marks as combining characters."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = b""
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", char)
            letter = unicodedata.normalize("NFC", base + "".join(m for m in marks if m not in tones))
            out += (letter + "".join(m for m in marks if m in tones)).encode("cp1258")
    return out


def upload(content, name="danh-sach.csv"):
    if isinstance(content, str):
        content = content.encode("utf-8-sig")
    return SimpleUploadedFile(name, content)


def xlsx(rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def as_secretary(client, secretary):
    client.force_login(secretary)
    return client


def preview(client, cell, content, name="danh-sach.csv"):
    return client.post(reverse("members:import", args=[cell.pk]), {"file": upload(content, name)})


def confirm(client, cell, response):
    return client.post(reverse("members:import", args=[cell.pk]), {"token": response.context["token"]})


def row_errors(response):
    return {row.number: row.errors for row in response.context["rows"] if row.errors}


def test_a_good_csv_is_previewed_then_imported(as_secretary, cell):
    before = Member.objects.count()
    response = preview(as_secretary, cell, GOOD_CSV)
    assert response.status_code == 200
    assert row_errors(response) == {}
    assert [row.number for row in response.context["rows"]] == [4, 5, 6]  # lines as the secretary sees them
    assert Member.objects.count() == before  # nothing saved before confirming

    response_token = response.context["token"]
    response = confirm(as_secretary, cell, response)
    assert response.status_code == 302
    imported = Member.objects.filter(cell=cell, card_number__in=["10000001", "10000002"]).order_by("card_number")
    assert [(m.full_name, m.gender, m.birth_date, m.admitted_on, m.official_on) for m in imported] == [
        ("Nguyễn Văn An", "male", date(1960, 3, 15), date(1985, 2, 3), date(1986, 2, 3)),
        ("Trần Thị Ánh", "female", date(1975, 7, 1), date(2001, 5, 19), date(2002, 5, 19)),
    ]
    probationary = Member.objects.get(full_name="Lê Văn Út")
    assert probationary.official_on is None and probationary.card_number == ""
    assert imported[0].phone == "+84912345678"
    assert CellMembership.objects.filter(member__in=imported, cell=cell, ended_on=None).count() == 2
    assert Member.objects.count() == before + 3
    # The preview cannot be confirmed twice.
    again = as_secretary.post(reverse("members:import", args=[cell.pk]), {"token": response_token})
    assert again.status_code == 302
    assert Member.objects.count() == before + 3


def test_a_good_xlsx_with_real_date_cells_is_imported(as_secretary, cell):
    content = xlsx(
        [
            ["Họ và tên", "Giới tính", "Ngày sinh", "Ngày vào Đảng", "Ngày chính thức", "Số điện thoại", "Email"],
            ["Phạm Thị Hồng Nhung", "Nữ", datetime(1980, 12, 31), datetime(2005, 3, 8), "08/03/2006", 912000111,
             "nhung@example.vn"],
        ]
    )  # fmt: skip
    response = preview(as_secretary, cell, content, "list.xlsx")
    assert row_errors(response) == {}
    confirm(as_secretary, cell, response)
    member = Member.objects.get(full_name="Phạm Thị Hồng Nhung")
    assert (member.birth_date, member.admitted_on, member.official_on) == (
        date(1980, 12, 31),
        date(2005, 3, 8),
        date(2006, 3, 8),
    )
    assert (member.phone, member.email) == ("+84912000111", "nhung@example.vn")


def test_row_problems_are_listed_in_vietnamese_and_nothing_is_imported(as_secretary, cell, make_member):
    make_member(cell, "Hoàng Văn Cũ", card_number="55555555")
    content = "\n".join(
        [
            HEADER,
            "1;Nguyễn Văn Đúng;Nam;15/03/1960;10000001;03/02/1985;03/02/1986;",
            "2;Trần Thị Sai;Nữ;31/02/1975;;19/05/2001;;",  # no 31 February
            "3;Lê Văn Trùng;Nam;;10000001;19/05/2001;;",  # card number repeated in the file
            "4;Phan Văn Có;Nam;;55555555;19/05/2001;;",  # card number already in Chibo
            "5;Vũ Thị Lạ;Khác;;;19/05/2001;18/05/2001;",  # bad gender, official before admission
            "6;Đỗ Văn Thiếu;Nam;;;;;",  # no admission date
        ]
    )
    before = Member.objects.count()
    response = as_secretary.post(
        reverse("members:import", args=[cell.pk]), {"file": upload(content)}, HTTP_ACCEPT_LANGUAGE="vi"
    )
    errors = row_errors(response)
    assert set(errors) == {3, 4, 5, 6, 7}
    assert any("Ngày sinh" in e and "31/02/1975" in e for e in errors[3])
    assert any("10000001" in e and "dòng 2" in e for e in errors[4])
    assert any("55555555" in e for e in errors[5])
    assert any("Nam" in e and "Nữ" in e for e in errors[6])
    assert any("Ngày chính thức" in e or "sau ngày vào Đảng" in e for e in errors[6])
    assert any("Ngày vào Đảng" in e for e in errors[7])
    page = response.content.decode()
    assert "5 dòng có lỗi" in page  # the summary, in Vietnamese
    assert 'name="token"' not in page  # no button to confirm
    # Even a forged confirmation of this preview imports nothing.
    confirm(as_secretary, cell, response)
    assert Member.objects.count() == before


def test_over_long_and_malformed_values_are_row_problems_not_errors(as_secretary, cell):
    content = "\n".join(
        [
            "Họ và tên;Giới tính;Ngày vào Đảng;Email;Điện thoại;Số thẻ đảng",
            "Nguyễn Văn " + "Dài" * 60 + ";Nam;01/01/2000;;;",
            "Trần Thị Thư;Nữ;01/01/2000;không-phải-email;;",
            "Lê Văn Số;Nam;01/01/2000;;" + "9" * 30 + ";" + "1" * 40,
        ]
    )
    before = Member.objects.count()
    response = as_secretary.post(
        reverse("members:import", args=[cell.pk]), {"file": upload(content)}, HTTP_ACCEPT_LANGUAGE="en"
    )
    errors = row_errors(response)
    assert set(errors) == {2, 3, 4}
    assert any(e.startswith("Full name:") and "100" in e for e in errors[2])
    assert any(e.startswith("E-mail:") for e in errors[3])
    assert any(e.startswith("Phone:") for e in errors[4]) and any(e.startswith("Party card number:") for e in errors[4])
    confirm(as_secretary, cell, response)
    assert Member.objects.count() == before


def with_raw_number(content, placeholder, raw):
    """The same workbook with one number cell's stored text replaced, as another program may write it."""
    source, target = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(target, "w") as archive:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = data.replace(f"<v>{placeholder}</v>".encode(), f"<v>{raw}</v>".encode())
            archive.writestr(item, data)
    return target.getvalue()


def test_unreadable_cell_values_are_row_problems(as_secretary, cell):
    content = xlsx([["Họ và tên", "Giới tính", "Ngày vào Đảng", "Điện thoại"],
                    ["Nguyễn Văn Vô", "Nam", "01/01/2000", 424242]])  # fmt: skip
    content = with_raw_number(content, 424242, "1E999")  # infinity
    response = preview(as_secretary, cell, content, "list.xlsx")
    assert list(row_errors(response)) == [2]


def test_a_nul_character_anywhere_in_a_csv_is_refused(as_secretary, cell):
    content = GOOD_CSV.replace("Trần Thị Ánh", "Trần Thị\x00Ánh") + ("\n" + "x" * 5000)
    response = as_secretary.post(
        reverse("members:import", args=[cell.pk]), {"file": upload(content)}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "not a spreadsheet" in response.context["form"].errors["file"][0]


def test_blank_rows_do_not_hide_members_from_the_row_limit(as_secretary, cell, settings):
    settings.MEMBER_IMPORT_MAX_ROWS = 20
    rows = [["Họ và tên", "Giới tính", "Ngày vào Đảng"]]
    for number in range(25):
        rows += [[f"Nguyễn Văn Số {number}", "Nam", "01/01/2000"], [None, None, None]]
    response = as_secretary.post(
        reverse("members:import", args=[cell.pk]), {"file": upload(xlsx(rows), "list.xlsx")}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "more than 20 members" in response.context["form"].errors["file"][0]


def test_xlsx_lines_are_numbered_as_in_the_spreadsheet(as_secretary, cell):
    rows = [["DANH SÁCH"], [None], ["Họ và tên", "Giới tính", "Ngày vào Đảng"], [None], ["Lê Văn Năm", "Nam", "x"]]
    response = preview(as_secretary, cell, xlsx(rows), "list.xlsx")
    assert list(row_errors(response)) == [5]


def test_a_card_number_taken_between_preview_and_confirmation_stops_the_import(as_secretary, cell, other_cell,
                                                                               make_member):  # fmt: skip
    response = preview(as_secretary, cell, GOOD_CSV)
    assert row_errors(response) == {}
    make_member(other_cell, "Người Nhanh Tay", card_number="10000002")
    before = Member.objects.count()
    response = confirm(as_secretary, cell, response)
    assert response.status_code == 200
    assert 5 in row_errors(response)
    assert Member.objects.count() == before


def test_a_member_already_in_the_cell_is_flagged(as_secretary, cell, make_member):
    make_member(cell, "Nguyễn Văn An", birth_date=date(1960, 3, 15))
    response = preview(as_secretary, cell, GOOD_CSV)
    assert any("Nguyễn Văn An" in e for e in row_errors(response)[4])


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.csv", "The submitted file is empty."),
        ("\n\n;;\n", "blank.csv", "The file is empty."),
        ("Tên;Tuổi\nAn;30\n", "wrong.csv", "The columns are not the expected ones."),
        (HEADER + "\n", "header-only.csv", "no members under it"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64, "photo.csv", "not a spreadsheet"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old.xls", "old Excel file (.xls) cannot be read"),
        (b"PK\x03\x04" + b"garbage" * 20, "broken.xlsx", "not an Excel spreadsheet"),
    ],
)
def test_bad_files_get_a_clear_message_and_change_nothing(as_secretary, cell, content, name, message):
    before = Member.objects.count()
    response = as_secretary.post(
        reverse("members:import", args=[cell.pk]), {"file": upload(content, name)}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert any(message in error for error in errors), errors
    assert Member.objects.count() == before


def test_a_huge_file_is_refused_before_it_is_read(as_secretary, cell, settings):
    settings.MEMBER_IMPORT_MAX_BYTES = 1000
    response = as_secretary.post(
        reverse("members:import", args=[cell.pk]),
        {"file": upload(GOOD_CSV + "x" * 2000)},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "too large" in response.context["form"].errors["file"][0]


def test_too_many_rows_are_refused(as_secretary, cell, settings):
    settings.MEMBER_IMPORT_MAX_ROWS = 2
    response = as_secretary.post(
        reverse("members:import", args=[cell.pk]), {"file": upload(GOOD_CSV)}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "more than 2 members" in response.context["form"].errors["file"][0]
    assert Member.objects.filter(card_number="10000001").count() == 0


def test_a_cp1258_csv_from_old_excel_keeps_its_diacritics(as_secretary, cell):
    content = to_cp1258("Họ và tên,Giới tính,Ngày vào Đảng\nNguyễn Thị Ấm,Nữ,01/01/2000\n")
    response = preview(as_secretary, cell, content)
    assert row_errors(response) == {}
    assert response.context["rows"][0].values["full_name"] == "Nguyễn Thị Ấm"


def test_the_template_downloads_and_imports_back(as_secretary, cell):
    response = as_secretary.get(reverse("members:import_template", args=[cell.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    response = preview(as_secretary, cell, response.content, "template.xlsx")
    assert row_errors(response) == {}
    assert response.context["rows"][0].values["full_name"] == "Nguyễn Văn An"


def test_a_preview_confirmed_twice_at_once_is_imported_once_even_with_the_cache_away(
    as_secretary, cell, settings, meanwhile
):
    """Two presses of the button at once: both pass the checks, the first press's import commits just before
    the second saves. The second is refused by the database, which holds without Redis."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": f"redis://127.0.0.1:{closed}/0"}}
    before = Member.objects.count()
    response = preview(as_secretary, cell, GOOD_CSV)
    token = response.context["token"]
    meanwhile(MemberImport, lambda: MemberImport.objects.create(token=token, cell=cell, count=3))
    again = as_secretary.post(reverse("members:import", args=[cell.pk]), {"token": token}, follow=True)
    assert "Danh sách này đang được nhập hoặc đã được nhập." in again.content.decode()
    assert Member.objects.count() == before  # the winner's members are its own; this press saved none
    assert MemberImport.objects.count() == 1


# --- files as offices make them ----------------------------------------------------------------------------

FILES = Path(__file__).parent / "files"  # how each was made: files/README.md
UNICODE_TEXT = "\r\n".join(
    [
        "STT\tHọ và tên\tGiới tính\tNgày sinh\tNgày vào Đảng\tĐiện thoại",
        "1\tNguyễn Thị Ngọc Ánh\tNữ\t15/03/1960\t03/02/1985\t912345678",  # the number cell's 0 lost on export
        '2\t"Đặng Văn Ơn"\tNam\t\t19/05/2001\t0987 654 321',
        "",
    ]
)


@pytest.mark.parametrize(
    ("encoding", "name"),
    [
        ("utf-16", "danh-sach.txt"),  # Excel's "Unicode Text": UTF-16 LE with its byte-order mark, tabs
        ("utf-16", "danh-sach.csv"),  # the same, renamed .csv by the secretary
        ("utf-16-le", "khong-bom.txt"),  # without a byte-order mark
        ("utf-16-be-bom", "big-endian.txt"),
        ("utf-8-sig", "utf8-bom.txt"),
        ("utf-8", "utf8.txt"),
    ],
)
def test_excels_unicode_text_is_read_whatever_its_name(as_secretary, cell, encoding, name):
    if encoding == "utf-16-be-bom":
        content = "\ufeff".encode("utf-16-be") + UNICODE_TEXT.encode("utf-16-be")
    else:
        content = UNICODE_TEXT.encode(encoding)
    response = preview(as_secretary, cell, content, name)
    assert response.status_code == 200 and "form" not in response.context, response.context.get("form")
    rows = response.context["rows"]
    assert row_errors(response) == {}
    assert [(r.number, r.values["full_name"], r.values["phone"]) for r in rows] == [
        (2, "Nguyễn Thị Ngọc Ánh", "+84912345678"),
        (3, "Đặng Văn Ơn", "+84987654321"),
    ]
    assert rows[0].values["birth_date"] == date(1960, 3, 15)
    confirm(as_secretary, cell, response)
    assert Member.objects.get(full_name="Nguyễn Thị Ngọc Ánh").admitted_on == date(1985, 2, 3)


def test_an_old_excel_file_is_read_with_its_dates_numbers_and_other_sheets_named(as_secretary, cell):
    response = preview(as_secretary, cell, (FILES / "members.xls").read_bytes(), "danh sach.xls")
    assert row_errors(response) == {}
    rows = response.context["rows"]
    assert [r.number for r in rows] == [4, 5]  # as in the sheet, under its title block
    first, second = (r.values for r in rows)
    assert (first["full_name"], first["birth_date"], first["admitted_on"], first["official_on"]) == (
        "Nguyễn Văn Ất", date(1960, 3, 15), date(1985, 2, 3), date(1986, 2, 3))  # fmt: skip
    assert first["card_number"] == "10000101"  # a number cell, read without ".0"
    assert first["phone"] == "+84912345678"  # typed as the number 912345678: its 0 comes back
    assert (second["birth_date"], second["official_on"], second["phone"]) == (
        date(1975, 12, 31), date(2002, 5, 19), "+84987654321")  # fmt: skip
    page = response.content.decode()
    notes = page.split('id="import-notes"')[1].split("</div></div>")[0]
    assert "Trang tính “Dự bị”: 1 dòng không được đọc." in notes
    assert "“Danh sách”" in notes and "Trống" not in notes  # an empty sheet is not worth a word
    confirm(as_secretary, cell, response)
    assert Member.objects.filter(cell=cell, full_name__in=["Nguyễn Văn Ất", "Trần Thị Ánh Tuyết"]).count() == 2
    assert not Member.objects.filter(full_name="Lê Văn Dự").exists()


def test_the_first_sheet_with_the_members_header_is_read_and_the_others_named(as_secretary, cell):
    workbook = Workbook()
    cover = workbook.active
    cover.title = "Bìa"
    cover.append(["ĐẢNG BỘ XÃ AN BÌNH"])
    cover.append(["Chi bộ thôn Đông"])
    members = workbook.create_sheet("Đảng viên")
    members.append(["Họ và tên", "Giới tính", "Ngày vào Đảng"])
    members.append(["Phan Văn Hai", "Nam", "01/01/2000"])
    moved = workbook.create_sheet("Đã chuyển đi")
    moved.append(["Họ và tên", "Giới tính", "Ngày vào Đảng"])
    moved.append(["Hà Văn Đi", "Nam", "01/01/1990"])
    moved.append(["Hà Thị Xa", "Nữ", "01/01/1991"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = preview(as_secretary, cell, buffer.getvalue(), "list.xlsx")
    assert [r.values["full_name"] for r in response.context["rows"]] == ["Phan Văn Hai"]
    notes = response.context["notes"]
    assert notes == [
        "Trang tính “Bìa”: 2 dòng không được đọc. Chỉ nhập trang tính “Đảng viên”.",
        "Trang tính “Đã chuyển đi”: 2 dòng không được đọc. Chỉ nhập trang tính “Đảng viên”.",
    ]


MONTH_FIRST = "\n".join(
    [
        "Họ và tên;Giới tính;Ngày sinh;Ngày vào Đảng",
        "Nguyễn Văn Một;Nam;05/03/1960;19/05/2001",  # 5 March or 3 May?
        "Trần Văn Hai;Nam;03/25/1960;12/12/2001",  # month first, for sure; 12/12 reads the same either way
        "Lê Văn Ba;Nam;;2001-05-19",
    ]
)


def test_day_month_dates_are_flagged_when_other_dates_put_the_month_first(as_secretary, cell):
    response = preview(as_secretary, cell, MONTH_FIRST)
    rows = {r.number: r for r in response.context["rows"]}
    assert rows[2].values["birth_date"] == date(1960, 3, 5)  # read day first, not swapped
    assert rows[2].warnings == [
        "Ngày sinh: “05/03/1960” được đọc là ngày 5 tháng 3 năm 1960; các ngày khác trong tệp ghi tháng trước "
        "(dòng 3: “03/25/1960”). Hãy kiểm tra lại ngày này trong tệp."
    ]
    assert rows[3].errors == ["Ngày sinh: “03/25/1960” ghi tháng trước; hãy ghi ngày trước: 25/03/1960."]
    assert rows[3].warnings == [] and rows[4].warnings == []
    page = response.content.decode()
    assert 'id="import-warnings"' in page and "⚠" in page


def test_a_date_to_check_does_not_stop_the_import(as_secretary, cell):
    content = MONTH_FIRST.replace("03/25/1960", "25/03/1960") + "\nĐỗ Văn Bốn;Nam;02/13/1970;01/01/2000"
    response = preview(as_secretary, cell, content)
    assert set(row_errors(response)) == {5}  # only the month-first date is a problem
    content = content.replace("02/13/1970", "")
    response = preview(as_secretary, cell, content)
    assert row_errors(response) == {}
    assert all(not r.warnings for r in response.context["rows"])  # no month-first date left: nothing to check
    day_first = MONTH_FIRST.replace("03/25/1960", "25/03/1960")
    response = preview(as_secretary, cell, day_first)
    assert all(not r.warnings for r in response.context["rows"])


def test_phone_numbers_typed_as_numbers_keep_their_leading_zero(as_secretary, cell):
    content = xlsx(
        [
            ["Họ và tên", "Giới tính", "Ngày vào Đảng", "Điện thoại"],
            ["Nguyễn Văn Di Động", "Nam", "01/01/2000", 912345678],  # 0912 345 678
            ["Nguyễn Văn Cũ", "Nam", "01/01/2000", 1683456789],  # 0168 345 6789, renumbered 038 345 6789
            ["Nguyễn Văn Bàn", "Nam", "01/01/2000", 2439876543],  # Hà Nội landline 024 3987 6543
            ["Nguyễn Văn Mã", "Nam", "01/01/2000", 84912345679],  # written with the country code
            ["Nguyễn Văn Số Thực", "Nam", "01/01/2000", 987654321.0],  # a float from another program
        ]
    )
    response = preview(as_secretary, cell, content, "list.xlsx")
    assert row_errors(response) == {}
    assert [r.values["phone"] for r in response.context["rows"]] == [
        "+84912345678", "+84383456789", "+842439876543", "+84912345679", "+84987654321"]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "damage", "message"),
    [
        ("protected.xls", None, "có mật khẩu"),
        ("protected.xlsx", None, "có mật khẩu"),
        ("members.xls", lambda data: data[:3000], "Không đọc được tệp Excel cũ (.xls)"),
        ("members.xls", lambda data: data[:512] + b"\xff" * (len(data) - 512), "Không đọc được tệp Excel cũ (.xls)"),
        # A sector chain that loops back on itself (found by fuzzing): xlrd's own reader never returned.
        ("looping.xls", None, "Không đọc được tệp Excel cũ (.xls)"),
    ],
)
def test_protected_or_broken_excel_files_are_refused_with_a_clear_message(as_secretary, cell, name, damage,
                                                                          message):  # fmt: skip
    content = (FILES / name).read_bytes()
    content = damage(content) if damage else content
    before = Member.objects.count()
    response = as_secretary.post(reverse("members:import", args=[cell.pk]), {"file": upload(content, name)})
    errors = response.context["form"].errors["file"]
    assert any(message in error for error in errors), errors
    assert Member.objects.count() == before


def test_a_text_file_in_no_known_encoding_is_refused(as_secretary, cell):
    content = codecs.BOM_UTF16_LE + "Họ và tên\tGiới tính\n".encode("utf-16-le") + b"\x00\xdc"  # a lone surrogate
    response = as_secretary.post(reverse("members:import", args=[cell.pk]), {"file": upload(content, "a.txt")},
                                 HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    assert "characters cannot be read" in response.context["form"].errors["file"][0]


def test_unicode_text_without_its_mark_and_with_decomposed_letters_is_read(as_secretary, cell):
    # Decomposed Vietnamese (tone marks as combining characters U+0300…): some zero bytes fall on the other side.
    content = unicodedata.normalize("NFD", UNICODE_TEXT).encode("utf-16-le")
    response = preview(as_secretary, cell, content, "danh-sach.txt")
    assert row_errors(response) == {}
    assert response.context["rows"][0].values["full_name"] == "Nguyễn Thị Ngọc Ánh"


def test_a_small_workbook_declaring_a_million_rows_is_refused_at_once(as_secretary, cell):
    """Two cells, in the first and the last row of a sheet: 9 kB that openpyxl would pad to a million rows of
    16,384 cells. Reading stops at MAX_CELLS_VISITED and says why."""
    from openpyxl import Workbook

    book = Workbook()
    book.active["A1"], book.active["A1048576"] = "Họ và tên", "x"
    book.active.title = "Danh sách"
    buffer = io.BytesIO()
    book.save(buffer)
    before = Member.objects.count()
    response = as_secretary.post(reverse("members:import", args=[cell.pk]),
                                 {"file": upload(buffer.getvalue(), "list.xlsx")})  # fmt: skip
    errors = response.context["form"].errors["file"]
    assert any("“Danh sách” lớn hơn nhiều so với một danh sách" in error for error in errors), errors
    assert Member.objects.count() == before
