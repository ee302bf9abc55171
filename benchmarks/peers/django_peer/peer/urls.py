from appointments.views import VideoTokenView
from django.urls import path

urlpatterns = [
    path(
        "api/appointments/video-token/<int:appointment_id>/",
        VideoTokenView.as_view(),
        name="video-token",
    ),
]
