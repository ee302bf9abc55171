"""GET /api/appointments/video-token/<id>/ exactly as the API guide describes it."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView
from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VideoGrant

from appointments.models import Appointment


def token_lifetime_minutes(duration_minutes):
    return min(max(duration_minutes + 30, 60), 240)


class VideoTokenView(APIView):
    def get(self, request, appointment_id):
        try:
            appointment = Appointment.objects.get(id=appointment_id)
        except Appointment.DoesNotExist:
            return Response({"error": "Appointment not found"}, status=status.HTTP_404_NOT_FOUND)

        user = request.user
        if user.id not in (appointment.patient_id, appointment.psychologist_id):
            return Response({"error": "Permission denied"}, status=status.HTTP_403_FORBIDDEN)

        if not appointment.video_room_id:
            return Response(
                {"error": "No video room found for this appointment"},
                status=status.HTTP_404_NOT_FOUND,
            )

        try:
            minutes = token_lifetime_minutes(appointment.duration_minutes)
            ttl = minutes * 60
            identity = f"{user.id}-{user.email}"
            token = AccessToken(
                settings.TWILIO_ACCOUNT_SID,
                settings.TWILIO_API_KEY,
                settings.TWILIO_API_SECRET,
                identity=identity,
                ttl=ttl,
            )
            token.add_grant(VideoGrant(room=appointment.video_room_id))
            access_token = token.to_jwt()
            expires_at = timezone.now() + timedelta(seconds=ttl)
        except Exception as exc:
            return Response(
                {"error": f"Failed to generate access token: {exc}"},
                status=status.HTTP_500_INTERNAL_SERVER_ERROR,
            )

        return Response(
            {
                "access_token": access_token,
                "room_name": appointment.video_room_id,
                "user_identity": identity,
                "expires_in": ttl,
                "expires_at": expires_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "appointment_id": appointment.id,
                "appointment_duration_minutes": appointment.duration_minutes,
                "token_valid_until": f"{minutes} minutes ({minutes // 60} hours)",
            }
        )
