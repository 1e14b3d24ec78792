"""The lessons beyond the postmortem one: live, linked, and each with its own quiz."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from lessons.content import get_catalogue
from tests.conftest import LESSON_SLUG

pytestmark = pytest.mark.django_db

GROWN_UP = "when-to-tell-a-grown-up-about-something-ai-did"
HONOR_CODE = "writing-your-own-hs-ai-honor-code"
VIRAL_IMAGE = "checking-whether-a-viral-image-or-video-was-made-by-ai"
WORK_DATA = "keeping-personal-and-confidential-data-out-of-ai-prompts-at-work"
VOICE_ASSISTANT = "asking-a-voice-assistant-good-questions"
CREDITING_AI = "crediting-ai-help-in-your-creative-work"
PHISHING = "spotting-ai-written-phishing-and-scam-messages-at-work"
MADE_UP = "why-ai-chatbots-make-things-up-and-how-to-check"


def related_cards(html: str) -> str:
    start = html.index('id="related"')
    return html[start : html.index("</section>", start)]


def test_the_postmortem_lesson_keep_going_cards_link_to_both_new_lessons(client: Client) -> None:
    cards = related_cards(client.get(f"/lessons/{LESSON_SLUG}/").content.decode())
    for slug in (GROWN_UP, HONOR_CODE):
        assert f'href="/lessons/{slug}/"' in cards, slug
    # The vendor due-diligence lesson is still unwritten, so it alone stays a plain card.
    assert cards.count("Not available yet") == 1


def test_every_related_card_that_links_leads_to_a_page_that_renders(client: Client) -> None:
    cards = related_cards(client.get(f"/lessons/{LESSON_SLUG}/").content.decode())
    for href in re.findall(r'href="(/lessons/[^"]+/)"', cards):
        assert client.get(href).status_code == 200, href


@pytest.mark.parametrize(
    ("slug", "title", "track", "sections"),
    [
        (
            GROWN_UP,
            "When to Tell a Grown-Up About Something AI Did",
            "Explorers",
            ["Times to tell a grown-up", "Who your trusted grown-ups are", "What to say"],
        ),
        (
            HONOR_CODE,
            "Writing Your Own HS AI Honor Code",
            "Creators",
            [
                "The range of AI use",
                "Five questions that settle grey areas",
                "Write it: a template",
            ],
        ),
        (
            VIRAL_IMAGE,
            "Checking Whether a Viral Image or Video Was Made by AI",
            "Creators",
            [
                "Three words to know",
                "Check where it came from",
                "Labels, watermarks and detector tools",
            ],
        ),
        (
            WORK_DATA,
            "Keeping Personal and Confidential Data Out of AI Prompts at Work",
            "Professionals",
            ["Consumer versus enterprise accounts", "Redact before you paste"],
        ),
        (
            VOICE_ASSISTANT,
            "Asking a Voice Assistant Good Questions (and Checking Its Answers)",
            "Explorers",
            ["When is it listening?", "How to ask clearly", "Checking an answer"],
        ),
        (
            CREDITING_AI,
            "Crediting AI Help in Your Creative Work",
            "Creators",
            ["When to disclose: the range of AI help", "How to write a credit line"],
        ),
        (
            PHISHING,
            "Spotting AI-Written Phishing and Scam Messages at Work",
            "Professionals",
            ["Judge the request, not the writing", "Voice and video calls"],
        ),
        (
            MADE_UP,
            "Why AI Chatbots Sometimes Make Things Up (and How to Check)",
            "Explorers",
            ["Why it makes things up", "Where made-up answers hide", "Good places to check"],
        ),
    ],
)
def test_each_new_lesson_page_renders_its_text_table_of_contents_and_quiz(
    client: Client, slug: str, title: str, track: str, sections: list[str]
) -> None:
    response = client.get(f"/lessons/{slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<h1 id="lesson-title">{title}</h1>' in html
    assert f"<li>{track}</li>" in html
    for heading in sections:
        assert heading in html, heading
    assert "<table" in html  # each lesson sets out a comparison as a table
    toc = html[html.index('id="toc"') : html.index("</nav>", html.index('id="toc"'))]
    for target in re.findall(r'href="#([^"]+)"', toc):
        assert f'<section id="{target}"' in html, target
    assert f'href="/lessons/{slug}/quiz/' in html


def test_the_catalogue_lists_every_lesson(client: Client) -> None:
    html = client.get("/").content.decode()
    for lesson in get_catalogue().lessons:
        assert f'href="/lessons/{lesson.slug}/"' in html
    assert {GROWN_UP, HONOR_CODE, VIRAL_IMAGE, LESSON_SLUG} <= {
        lesson.slug for lesson in get_catalogue().lessons
    }


def test_the_childrens_lesson_is_written_in_short_sentences() -> None:
    lesson = get_catalogue().get(GROWN_UP)
    assert lesson is not None
    text = " ".join(part.text for part in lesson.readable_sections)
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]
    words = [len(s.split()) for s in sentences]
    assert sum(words) / len(words) < 12  # an average young reader's comfortable length
