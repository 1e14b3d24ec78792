"""Quiz attempts taken before signing in become the account's at sign-in.

With JavaScript the device's stored results reach the account through the progress sync;
without it they live only in this browser's session, so they are claimed here, and the next
sync from any device brings their scores into the learner's progress.
"""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from quiz.attempts import SESSION_OWNER_KEY, claim_session_attempts


@receiver(user_logged_in, dispatch_uid="quiz.claim_session_attempts")
def claim_attempts_on_sign_in(sender: object, request: HttpRequest | None, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    session_key = request.session.get(SESSION_OWNER_KEY, "")
    if session_key:
        claim_session_attempts(session_key=session_key, user_id=user.pk)
