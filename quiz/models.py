"""Quiz attempts: which questions, in which option order, the answers, and the owner."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class Attempt(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    lesson_slug = models.SlugField(max_length=200)
    form = models.PositiveSmallIntegerField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="quiz_attempts",
    )
    # A random token kept in the session (not Django's session key, which changes at sign-in),
    # so an attempt started anonymously survives signing in.
    session_key = models.CharField(max_length=64, blank=True)
    # [[question_id, [option ids in display order]], ...] in question order; fixed at start.
    plan = models.JSONField()
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["session_key", "lesson_slug", "form"], name="quiz_by_session"),
            models.Index(fields=["user", "lesson_slug", "form"], name="quiz_by_user"),
        ]

    def __str__(self) -> str:
        return f"{self.lesson_slug} ({self.form} questions) {self.id}"

    @property
    def total(self) -> int:
        return len(self.plan)

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None


class Answer(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    question_id = models.SlugField(max_length=100)
    selected = models.JSONField()  # option ids
    is_correct = models.BooleanField()
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "question_id"], name="quiz_one_answer_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}: {self.question_id}"
