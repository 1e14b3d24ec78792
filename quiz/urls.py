from __future__ import annotations

from django.urls import URLPattern, path

from quiz import views

app_name = "quiz"

urlpatterns: list[URLPattern] = [
    path("lessons/<slug:slug>/quiz/<int:form>/", views.take_quiz, name="take"),
    path("lessons/<slug:slug>/quiz/<int:form>/all/", views.take_quiz_all, name="take-all"),
    path("lessons/<slug:slug>/quiz/<int:form>/new/", views.retake_quiz, name="retake"),
    path(
        "lessons/<slug:slug>/quiz/attempts/<uuid:attempt_id>/questions/<int:number>/",
        views.quiz_step,
        name="step",
    ),
    path(
        "lessons/<slug:slug>/quiz/attempts/<uuid:attempt_id>/practice/",
        views.practise_missed,
        name="practice",
    ),
    path(
        "lessons/<slug:slug>/quiz/attempts/<uuid:attempt_id>/answer/",
        views.check_answer,
        name="answer",
    ),
    path(
        "lessons/<slug:slug>/quiz/attempts/<uuid:attempt_id>/finish/",
        views.finish_quiz,
        name="finish",
    ),
    path(
        "lessons/<slug:slug>/quiz/attempts/<uuid:attempt_id>/",
        views.quiz_result,
        name="result",
    ),
]
