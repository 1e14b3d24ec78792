from __future__ import annotations

import random
import uuid
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from quiz.attempts import (
    AttemptConflict,
    AttemptNotFound,
    ChoiceMissing,
    Owner,
    QuizRejection,
    answer_question,
    choose_questions,
    current_attempt,
    finish_attempt,
    owns,
    plan_attempt,
    resume_or_start_attempt,
    start_attempt,
)
from quiz.bank import QuestionBank, get_question_bank
from quiz.models import Answer, Attempt
from tests.conftest import LESSON_SLUG

ALICE = Owner(user_id=None, session_key="alice-session")
MALLORY = Owner(user_id=None, session_key="mallory-session")


def the_bank() -> QuestionBank:
    bank = get_question_bank(LESSON_SLUG)
    assert bank is not None
    return bank


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=2**32))
def test_ten_questions_always_cover_every_sub_lesson_in_lesson_order(seed: int) -> None:
    bank = the_bank()
    chosen = choose_questions(bank, form=10, rng=random.Random(seed))
    assert len(chosen) == len({q.id for q in chosen}) == 10
    assert {bank.sub_lesson_of(q) for q in chosen} >= set(bank.sub_lessons)
    assert any(q.section_id == "harm-and-disclosure" for q in chosen)
    order = [q.id for q in bank.questions]
    assert [q.id for q in chosen] == sorted((q.id for q in chosen), key=order.index)


def test_the_fifteen_question_form_is_a_draw_from_the_larger_bank(bank: QuestionBank) -> None:
    forms = {
        tuple(q.id for q in choose_questions(bank, form=15, rng=random.Random(seed)))
        for seed in range(20)
    }
    assert len(forms) > 1
    for form in forms:
        assert len(set(form)) == 15


def test_different_attempts_get_different_questions_and_option_orders(bank: QuestionBank) -> None:
    plans = {plan_attempt(bank, form=10, rng=random.Random(seed)) for seed in range(20)}
    assert len({tuple(p.question_id for p in plan) for plan in plans}) > 1
    orders = {plan[0].option_ids for plan in plans}
    assert len(orders) > 1
    for plan in plans:
        for planned in plan:
            question = bank.question(planned.question_id)
            assert question is not None
            assert sorted(planned.option_ids) == sorted(o.id for o in question.options)


@pytest.mark.django_db
def test_a_started_attempt_is_resumed_until_it_is_finished(bank: QuestionBank) -> None:
    first = resume_or_start_attempt(bank=bank, form=10, owner=ALICE)
    again = resume_or_start_attempt(bank=bank, form=10, owner=ALICE)
    assert again.id == first.id and again.plan == first.plan
    assert resume_or_start_attempt(bank=bank, form=15, owner=ALICE).id != first.id
    assert resume_or_start_attempt(bank=bank, form=10, owner=MALLORY).id != first.id
    finish_attempt(attempt_id=first.id, bank=bank, owner=ALICE)
    assert resume_or_start_attempt(bank=bank, form=10, owner=ALICE).id != first.id


@pytest.mark.django_db
def test_answering_stores_a_graded_answer_and_finishing_scores_on_the_server(
    bank: QuestionBank,
) -> None:
    attempt = start_attempt(bank=bank, form=10, owner=ALICE, rng=random.Random(3))
    right = wrong = 0
    for index, (question_id, option_ids) in enumerate(attempt.plan[:4]):
        question = bank.question(question_id)
        assert question is not None
        if index % 2 == 0:
            positions = [option_ids.index(o) + 1 for o in question.correct_option_ids]
            right += 1
        else:
            positions = [
                option_ids.index(next(o.id for o in question.options if not o.correct)) + 1
            ]
            wrong += 1
        _, grade = answer_question(
            attempt_id=attempt.id,
            bank=bank,
            owner=ALICE,
            question_id=question_id,
            positions=positions,
        )
        assert grade.is_correct == (index % 2 == 0)
    finished = finish_attempt(attempt_id=attempt.id, bank=bank, owner=ALICE)
    assert (finished.score, finished.total) == (right, 10)
    assert finished.finished_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("question", "positions", "error", "message"),
    [
        (
            "no-such-question",
            [1],
            QuizRejection,
            "question: no question 'no-such-question' in this quiz.",
        ),
        ("first", [9], QuizRejection, "option: 9 is not an option of this question (1-4)."),
        ("first", [], ChoiceMissing, "Choose an answer, then press Check."),
    ],
)
def test_bad_answers_are_refused_and_store_nothing(
    bank: QuestionBank,
    question: str,
    positions: list[int],
    error: type[QuizRejection],
    message: str,
) -> None:
    attempt = start_attempt(bank=bank, form=15, owner=ALICE, rng=random.Random(1))
    question_id = attempt.plan[0][0] if question == "first" else question
    with pytest.raises(error) as raised:
        answer_question(
            attempt_id=attempt.id,
            bank=bank,
            owner=ALICE,
            question_id=question_id,
            positions=positions,
        )
    assert raised.value.message == message
    assert not Answer.objects.exists()


@pytest.mark.django_db
def test_a_question_outside_the_attempt_answered_twice_or_after_finishing_is_refused(
    bank: QuestionBank,
) -> None:
    attempt = start_attempt(bank=bank, form=10, owner=ALICE, rng=random.Random(2))
    planned = {question_id for question_id, _ in attempt.plan}
    outside = next(q.id for q in bank.questions if q.id not in planned)
    with pytest.raises(QuizRejection, match="is not part of this attempt"):
        answer_question(
            attempt_id=attempt.id, bank=bank, owner=ALICE, question_id=outside, positions=[1]
        )
    first = attempt.plan[0][0]
    answer_question(attempt_id=attempt.id, bank=bank, owner=ALICE, question_id=first, positions=[1])
    with pytest.raises(AttemptConflict, match="already answered"):
        answer_question(
            attempt_id=attempt.id, bank=bank, owner=ALICE, question_id=first, positions=[2]
        )
    finish_attempt(attempt_id=attempt.id, bank=bank, owner=ALICE)
    with pytest.raises(AttemptConflict, match="finished"):
        answer_question(
            attempt_id=attempt.id,
            bank=bank,
            owner=ALICE,
            question_id=attempt.plan[1][0],
            positions=[1],
        )
    with pytest.raises(AttemptConflict, match="already finished"):
        finish_attempt(attempt_id=attempt.id, bank=bank, owner=ALICE)
    assert Answer.objects.count() == 1


@pytest.mark.django_db
def test_another_browsers_attempt_is_not_found(bank: QuestionBank) -> None:
    attempt = start_attempt(bank=bank, form=10, owner=ALICE)
    with pytest.raises(AttemptNotFound):
        answer_question(
            attempt_id=attempt.id,
            bank=bank,
            owner=MALLORY,
            question_id=attempt.plan[0][0],
            positions=[1],
        )
    with pytest.raises(AttemptNotFound):
        finish_attempt(attempt_id=uuid.uuid4(), bank=bank, owner=ALICE)
    with pytest.raises(AttemptNotFound):
        finish_attempt(attempt_id=attempt.id, bank=bank, owner=MALLORY)
    assert Attempt.objects.get().finished_at is None


@pytest.mark.django_db
def test_an_attempt_started_before_signing_in_moves_to_the_account(bank: QuestionBank) -> None:
    user = get_user_model().objects.create_user("learner@example.com", password="x")
    attempt = start_attempt(bank=bank, form=10, owner=ALICE)
    signed_in = Owner(user_id=user.pk, session_key=ALICE.session_key)
    assert current_attempt(bank=bank, form=10, owner=signed_in) == attempt
    finished = finish_attempt(attempt_id=attempt.id, bank=bank, owner=signed_in)
    assert finished.user_id == user.pk
    on_another_device = Owner(user_id=user.pk, session_key="other-device")
    assert current_attempt(bank=bank, form=10, owner=on_another_device) is None
    assert Attempt.objects.filter(user=user).count() == 1


@pytest.mark.django_db
def test_an_attempt_planned_against_an_older_quiz_is_not_resumed(bank: QuestionBank) -> None:
    attempt = start_attempt(bank=bank, form=10, owner=ALICE)
    attempt.plan = [["retired-question", ["a", "b"]], *attempt.plan[1:]]
    attempt.save()
    assert current_attempt(bank=bank, form=10, owner=ALICE) is None
    with pytest.raises(AttemptConflict, match="has changed"):
        finish_attempt(attempt_id=attempt.id, bank=bank, owner=ALICE)


@pytest.mark.django_db
def test_pruning_deletes_only_old_unfinished_attempts(bank: QuestionBank) -> None:
    old_unfinished = start_attempt(bank=bank, form=10, owner=ALICE)
    old_finished = start_attempt(bank=bank, form=10, owner=ALICE)
    finish_attempt(attempt_id=old_finished.id, bank=bank, owner=ALICE)
    recent = start_attempt(bank=bank, form=15, owner=ALICE)
    answer_question(
        attempt_id=old_unfinished.id,
        bank=bank,
        owner=ALICE,
        question_id=old_unfinished.plan[0][0],
        positions=[1],
    )
    Attempt.objects.filter(id__in=[old_unfinished.id, old_finished.id]).update(
        started_at=timezone.now() - timedelta(days=31)
    )
    call_command("prune_quiz_attempts", "--days", "30", stdout=StringIO())
    assert set(Attempt.objects.values_list("id", flat=True)) == {old_finished.id, recent.id}
    assert not Answer.objects.filter(attempt_id=old_unfinished.id).exists()


def test_ownership_follows_the_account_first_and_the_browser_token_otherwise() -> None:
    anonymous = Attempt(session_key="token", user_id=None)
    of_user_1 = Attempt(session_key="token", user_id=1)
    assert owns(anonymous, Owner(user_id=None, session_key="token"))
    assert owns(anonymous, Owner(user_id=1, session_key="token"))  # signed in part-way
    assert not owns(anonymous, Owner(user_id=None, session_key="other"))
    assert not owns(Attempt(session_key="", user_id=None), Owner(user_id=None, session_key=""))
    assert owns(of_user_1, Owner(user_id=1, session_key="another-device"))
    assert not owns(of_user_1, Owner(user_id=2, session_key="token"))
    assert not owns(of_user_1, Owner(user_id=None, session_key="token"))  # signed out
