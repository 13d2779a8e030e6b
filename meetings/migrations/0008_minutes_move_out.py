from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('meetings', '0007_dashboards_move_out'),
        ('minutes', '0001_initial'),
        ('resolutions', '0007_vote_moves_to_minutes'),
    ]

    # The minutes, their parts and the quality policies now live in minutes/ (same tables, meetings_*): only
    # Django's idea of them moves, no row does (minutes/migrations/0001_initial.py takes them over).
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='Addendum'),
                migrations.DeleteModel(name='Contribution'),
                migrations.DeleteModel(name='MinutesRevision'),
                migrations.DeleteModel(name='MinutesSection'),
                migrations.DeleteModel(name='MinutesTask'),
                migrations.DeleteModel(name='QualityPolicy'),
                migrations.DeleteModel(name='Minutes'),
            ],
            database_operations=[],
        ),
    ]
