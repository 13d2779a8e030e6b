import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('minutes', '0001_initial'),
        ('resolutions', '0006_dashboard_indexes'),
    ]

    # The vote now lives in minutes/ (same table, resolutions_vote): only Django's idea of it moves, no row
    # does; the resolution's foreign key keeps pointing at the same table.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='resolution',
                    name='vote',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='resolutions', to='minutes.vote', verbose_name='adopting vote'),
                ),
                migrations.DeleteModel(
                    name='Vote',
                ),
            ],
            database_operations=[],
        ),
    ]
