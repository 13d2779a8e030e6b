"""Write members.xlsx, the source of members.xls and the protected files (see README.md)."""

from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

book = Workbook()
sheet = book.active
sheet.title = "Danh sách"
sheet.append(["DANH SÁCH ĐẢNG VIÊN CHI BỘ THÔN ĐÔNG"])
sheet.append([])
sheet.append(["STT", "Họ và tên", "Giới tính", "Ngày sinh", "Số thẻ đảng", "Ngày vào Đảng", "Ngày chính thức",
              "Điện thoại"])  # fmt: skip
# Dates as date cells; the first phone typed as a number (Excel drops its 0), the second as text.
sheet.append([1, "Nguyễn Văn Ất", "Nam", datetime(1960, 3, 15), 10000101, datetime(1985, 2, 3),
              datetime(1986, 2, 3), 912345678])  # fmt: skip
sheet.append([2, "Trần Thị Ánh Tuyết", "Nữ", datetime(1975, 12, 31), "10000102", datetime(2001, 5, 19),
              "19/05/2002", "0987654321"])  # fmt: skip
for row in sheet.iter_rows(min_row=4):
    for cell in row:
        if isinstance(cell.value, datetime):
            cell.number_format = "dd/mm/yyyy"
waiting = book.create_sheet("Dự bị")
waiting.append(["Họ và tên", "Giới tính", "Ngày vào Đảng"])
waiting.append(["Lê Văn Dự", "Nam", datetime(2026, 5, 19)])
book.create_sheet("Trống")
book.save(Path(__file__).resolve().parent / "members.xlsx")
