# The audit log records exports and refused attempts, the route they came through, and lets a
# clinic's privacy officer review it (records.review_clinic_audit).

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0002_api_token"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="auditentry",
            options={
                "ordering": ["-at"],
                "permissions": [
                    (
                        "review_clinic_audit",
                        "Can review the audit log of their own clinic's patients",
                    )
                ],
                "verbose_name_plural": "audit entries",
            },
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="action",
            field=models.CharField(
                choices=[
                    ("read", "read"),
                    ("create", "create"),
                    ("update", "update"),
                    ("delete", "delete"),
                    ("export", "export"),
                ],
                max_length=8,
            ),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="outcome",
            field=models.CharField(
                choices=[("allowed", "allowed"), ("denied", "denied")],
                default="allowed",
                max_length=8,
            ),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="route",
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(fields=["patient", "at"], name="audit_patient_at"),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(fields=["user", "at"], name="audit_user_at"),
        ),
    ]
