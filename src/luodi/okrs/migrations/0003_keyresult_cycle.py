"""KeyResult.cycle: a copy of its objective's cycle, and the index the dashboard scans.

Existing key results take their objective's cycle; the column is then made required.
"""

import django.db.models.deletion
from django.db import migrations, models

FILL = (
    "UPDATE okrs_keyresult SET cycle_id = "
    "(SELECT o.cycle_id FROM okrs_objective o WHERE o.id = okrs_keyresult.objective_id)"
)


class Migration(migrations.Migration):
    dependencies = [
        ("okrs", "0002_approval_and_alignment_requests"),
        ("orgs", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="keyresult",
            name="cycle",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="orgs.cycle",
            ),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop, elidable=False),
        migrations.AlterField(
            model_name="keyresult",
            name="cycle",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="orgs.cycle",
            ),
        ),
        migrations.AddIndex(
            model_name="keyresult",
            index=models.Index(
                fields=[
                    "cycle",
                    "state",
                    "objective",
                    "organization",
                    "kind",
                    "owner",
                    "start_date",
                    "due_date",
                    "raw_progress",
                    "progress",
                    "last_confidence",
                    "last_checkin_at",
                ],
                name="key_result_cycle_status",
            ),
        ),
    ]
