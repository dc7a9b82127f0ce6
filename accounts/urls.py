from django.urls import path

from accounts import views

urlpatterns = [
    path("faculty/<int:pk>/", views.faculty_profile, name="faculty-profile"),
]
