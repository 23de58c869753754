"""API tokens get a name, a scope and an expiry. Tokens issued before could write, so they keep
read-write; they are named "token" and expire 90 days from this migration."""

from datetime import timedelta

from django.db import migrations, models
from django.utils import timezone


def _name_and_expire(apps, schema_editor):
    ApiToken = apps.get_model("records", "ApiToken")
    ApiToken.objects.update(name="token", expires=timezone.now() + timedelta(days=90))


class Migration(migrations.Migration):
    dependencies = [("records", "0003_audit_outcome_route")]

    operations = [
        migrations.AlterModelOptions(name="apitoken", options={"ordering": ["-created"]}),
        migrations.AddField(
            model_name="apitoken",
            name="name",
            field=models.CharField(default="token", max_length=100),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="apitoken",
            name="scope",
            field=models.CharField(
                choices=[("read", "read only"), ("read-write", "read and write")],
                default="read-write",
                max_length=10,
            ),
        ),
        migrations.AlterField(
            model_name="apitoken",
            name="scope",
            field=models.CharField(
                choices=[("read", "read only"), ("read-write", "read and write")],
                default="read",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="hint",
            field=models.CharField(blank=True, max_length=8),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="expires",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(_name_and_expire, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires",
            field=models.DateTimeField(),
        ),
    ]
