"""The demo organisation for `seed_demo` (dashboards/management/commands): a province, two communes, six
cells of 8–22 members, and one login per role. The names also serve `seed_scale`."""

import random
from datetime import date, timedelta

from . import services
from .models import Grant, Member, OrgUnit, User, add_years

DEMO_PASSWORD = "chibo-demo-2026"

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = {"male": ["Văn", "Đức", "Minh", "Quang", "Hữu", "Công", "Xuân", "Ngọc"],
          "female": ["Thị", "Thu", "Thanh", "Ngọc", "Kim", "Hồng", "Thị Minh"]}  # fmt: skip
GIVEN = {
    "male": ["An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hùng", "Khánh", "Long", "Lực", "Nam", "Phong", "Quân",
             "Sơn", "Thắng", "Tuấn", "Việt", "Ước", "Ân"],
    "female": ["Anh", "Ánh", "Chi", "Dung", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "Nga", "Nhung",
               "Oanh", "Phương", "Thảo", "Trang", "Yến", "Ơn"],
}  # fmt: skip

TREE = [
    ("HY", None, OrgUnit.Kind.PROVINCIAL, "Đảng bộ tỉnh Hưng Yên", "Hưng Yên", 0),
    ("HY.TH", "HY", OrgUnit.Kind.COMMUNE, "Đảng bộ xã Tân Hưng", "Tân Hưng", 0),
    ("HY.TH.01", "HY.TH", OrgUnit.Kind.CELL, "Chi bộ thôn Đông", "Tân Hưng", 22),
    ("HY.TH.02", "HY.TH", OrgUnit.Kind.CELL, "Chi bộ thôn Đoài", "Tân Hưng", 14),
    ("HY.TH.03", "HY.TH", OrgUnit.Kind.CELL, "Chi bộ thôn Trung", "Tân Hưng", 9),
    ("HY.PH", "HY", OrgUnit.Kind.COMMUNE, "Đảng bộ phường Phố Hiến", "Phố Hiến", 0),
    ("HY.PH.01", "HY.PH", OrgUnit.Kind.CELL, "Chi bộ khu phố 1", "Phố Hiến", 18),
    ("HY.PH.02", "HY.PH", OrgUnit.Kind.CELL, "Chi bộ khu phố 2", "Phố Hiến", 11),
    ("HY.PH.03", "HY.PH", OrgUnit.Kind.CELL, "Chi bộ Trường THCS Phố Hiến", "Phố Hiến", 8),
]

# username, role shown to the user, how the login is attached
LOGINS = [
    ("admin", "Quản trị hệ thống (staff)", "superuser", None),
    ("tinhuy", "Cán bộ Tỉnh ủy (xem toàn tỉnh)", "grant", ("HY", Grant.Role.VIEWER)),
    ("xa.tanhung", "Đảng ủy xã Tân Hưng (quản trị)", "grant", ("HY.TH", Grant.Role.ADMIN)),
    ("bithu", "Bí thư Chi bộ thôn Đông", "position", ("HY.TH.01", Member.Position.SECRETARY)),
    ("phobithu", "Phó Bí thư Chi bộ thôn Đông", "position", ("HY.TH.01", Member.Position.DEPUTY)),
    ("chiuy", "Chi ủy viên Chi bộ thôn Đông", "position", ("HY.TH.01", Member.Position.COMMITTEE)),
    ("dangvien", "Đảng viên Chi bộ thôn Đông", "position", ("HY.TH.01", Member.Position.MEMBER)),
]


def demo_phone(n):
    """A Vietnamese mobile number (E.164) made of one random number: 09x with x a prefix in use."""
    return f"+849{'013456789'[n % 9]}{n // 10 % 10**7:07d}"


def seed_organisation(today):
    """The units by code (created when missing; a cell with members keeps them) and the demo logins."""
    units = {}
    for code, parent_code, kind, name, place, size in TREE:
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None:
            unit = OrgUnit(code=code, parent=units.get(parent_code), kind=kind, name=name, place_name=place)
            unit.save()
        units[code] = unit
        if kind == OrgUnit.Kind.CELL and not unit.members.exists():
            fill_cell(unit, size, today)
    for username, label, how, target in LOGINS:
        attach_login(username, label, how, target, units)
    return units


def fill_cell(cell, size, today):
    """`size` members for an empty cell: the same people every time, of every status the rules know."""
    rng = random.Random(cell.code)  # the same people every time
    for index in range(size):
        gender = "female" if rng.random() < 0.45 else "male"
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE[gender])} {rng.choice(GIVEN[gender])}"
        born = date(rng.randint(1942, 1996), rng.randint(1, 12), rng.randint(1, 28))
        if index == 3:  # an elderly member, exempted by the cell at their request
            born = born.replace(year=1941 + index)
        admitted = add_years(born, rng.randint(22, 40))
        if admitted > today - timedelta(days=60):
            admitted = today - timedelta(days=rng.randint(400, 4000))
        status = Member.Status.ACTIVE
        if index == size - 1:  # the newest members are probationary; one is due for review
            admitted = today - timedelta(days=90)
        elif index == size - 2:
            admitted = today - timedelta(days=380)
        elif index == 3:
            status = Member.Status.EXEMPT
        elif index == 4:
            status = Member.Status.AWAY
        elif index == 5 and size > 12:
            status = Member.Status.VISITING
        if admitted <= add_years(born, 18):
            admitted = add_years(born, 25)
        official = add_years(admitted, 1) if index < size - 2 else None
        member = Member(
            cell=cell,
            full_name=name,
            gender=gender,
            birth_date=born,
            card_number=f"{cell.pk:03d}{index + 1:05d}",
            admitted_on=admitted,
            official_on=official if official and official <= today else None,
            status=status,
            status_since=admitted if status == Member.Status.ACTIVE else today - timedelta(days=rng.randint(30, 300)),
            phone=demo_phone(rng.randint(10000000, 99999999)),
        )
        # How cells really are: most members on Zalo, some who prefer SMS, an elder with no mobile phone (the
        # printed invitation is for them).
        if index % 5 == 2:
            member.channels = "sms,zalo,email"
        if index == 3:  # the elderly member exempted above
            member.phone = ""
        services.create_member(member, note="Dữ liệu mẫu")


def attach_login(username, label, how, target, units):
    """The demo login `username`: staff, a grant on a committee, or a member's position in a cell."""
    user, _ = User.objects.get_or_create(
        username=username, defaults={"email": f"{username}@demo.chibo.vn", "first_name": label}
    )
    user.set_password(DEMO_PASSWORD)
    user.is_staff = user.is_superuser = how == "superuser"
    user.save()
    if how == "grant":
        code, role = target
        Grant.objects.get_or_create(user=user, unit=units[code], defaults={"role": role})
    elif how == "position":
        code, position = target
        if Member.objects.filter(user=user).exists():
            return
        # Give the login to an active official member of the cell who has none yet.
        member = (
            Member.objects.filter(cell=units[code], user__isnull=True, status=Member.Status.ACTIVE)
            .official()
            .exclude(position__in=[Member.Position.SECRETARY, Member.Position.DEPUTY, Member.Position.COMMITTEE])
            .order_by("admitted_on")
            .first()
        )
        member.user, member.position, member.email = user, position, user.email
        member.save(update_fields=["user", "position", "email", "updated_at"])
        user.first_name = member.full_name
        user.save(update_fields=["first_name"])
