from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    ROLE_CHOICES = (("patient", "Patient"), ("psychologist", "Psychologist"))

    email = models.EmailField(unique=True)
    role = models.CharField(max_length=20, choices=ROLE_CHOICES)


class Appointment(models.Model):
    patient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="patient_appointments")
    psychologist = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="psychologist_appointments"
    )
    duration_minutes = models.PositiveIntegerField(default=60)
    starts_at = models.DateTimeField()
    video_room_id = models.CharField(max_length=255, null=True, blank=True)
