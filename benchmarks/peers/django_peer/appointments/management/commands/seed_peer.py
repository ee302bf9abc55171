"""Load a vtctl import file (CONTRACT.md's format) and print one JWT per user.

    python manage.py seed_peer FILE    ->  stdout: {"<user id>": "<access JWT>", ...}
"""

import json

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.dateparse import parse_datetime
from rest_framework_simplejwt.tokens import AccessToken

from appointments.models import Appointment, User


class Command(BaseCommand):
    help = "Seed users and appointments from a vtctl import file; print their JWTs as JSON."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        with open(options["file"], encoding="utf-8") as fh:
            data = json.load(fh)
        with transaction.atomic():
            Appointment.objects.all().delete()
            User.objects.all().delete()
            users = {}
            for u in data["users"]:
                users[u["id"]] = User.objects.create(
                    id=u["id"], username=u["email"], email=u["email"],
                    first_name=u.get("name", ""), role=u["role"],
                )
            Appointment.objects.bulk_create(
                Appointment(
                    id=a["id"],
                    patient=users[a["patient_id"]],
                    psychologist=users[a["psychologist_id"]],
                    duration_minutes=a["duration_minutes"],
                    starts_at=parse_datetime(a["starts_at"]),
                    video_room_id=a.get("video_room_id"),
                )
                for a in data["appointments"]
            )
        tokens = {str(uid): str(AccessToken.for_user(user)) for uid, user in users.items()}
        self.stdout.write(json.dumps(tokens))
