from django.db import migrations


def create_versions(apps, schema_editor):
    Organization = apps.get_model("orgs", "Organization")
    ReportVersion = apps.get_model("reports", "ReportVersion")
    ReportVersion.objects.bulk_create(
        [
            ReportVersion(organization_id=pk)
            for pk in Organization.objects.values_list("pk", flat=True)
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(create_versions, migrations.RunPython.noop)]
