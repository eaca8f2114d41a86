"""The account routes that know of books, mounted at /api/auth/ beside accounts.urls."""

from django.urls import path

from books import views

urlpatterns = [
    path("register/", views.RegisterView.as_view(), name="register"),
    path("me/", views.MeView.as_view(), name="me"),
]
