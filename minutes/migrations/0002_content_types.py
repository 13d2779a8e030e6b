from django.db import migrations

MOVED = {
    "meetings": ["minutes", "minutessection", "contribution", "minutestask", "minutesrevision", "addendum",
                 "qualitypolicy"],
    "resolutions": ["vote"],
}


def _move(apps, moves):
    content_types = apps.get_model("contenttypes", "ContentType")
    for old, new, model in moves:
        if not content_types.objects.filter(app_label=new, model=model).exists():
            content_types.objects.filter(app_label=old, model=model).update(app_label=new)


def rename_content_types(apps, schema_editor):
    _move(apps, [(old, "minutes", model) for old, models in MOVED.items() for model in models])


def keep_content_types(apps, schema_editor):
    _move(apps, [("minutes", old, model) for old, models in MOVED.items() for model in models])


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('meetings', '0008_minutes_move_out'),
        ('minutes', '0001_initial'),
        ('resolutions', '0007_vote_moves_to_minutes'),
    ]

    # Permissions and the admin's history point at content types: renaming them keeps both.
    operations = [
        migrations.RunPython(rename_content_types, keep_content_types),
    ]
