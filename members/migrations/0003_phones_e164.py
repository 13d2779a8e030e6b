from django.db import migrations


def to_e164(apps, schema_editor):
    """Phone numbers as stored before are written in E.164; one that is not a number stays as it was (the
    member's form asks for a valid one at the next edit, and no SMS or Zalo message goes to it)."""
    from django.core.exceptions import ValidationError

    from members.phones import normalise

    Member = apps.get_model("members", "Member")
    for member in Member.objects.exclude(phone="").only("pk", "phone").iterator(chunk_size=2000):
        try:
            e164 = normalise(member.phone)
        except ValidationError:
            continue
        if e164 != member.phone:
            Member.objects.filter(pk=member.pk).update(phone=e164)


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0002_member_imports"),
    ]

    operations = [
        migrations.RunPython(to_e164, migrations.RunPython.noop),
    ]
