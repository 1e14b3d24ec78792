from __future__ import annotations

import re
import time
from html import unescape
from pathlib import Path

import pytest
from django.test import Client

from postmortems.drafts import MAX_FLAGS_PER_FIELD

LESSON_URL = "/lessons/writing-postmortems-for-ai-system-incidents/"
PAGE = LESSON_URL + "practice/"
COACH = PAGE + "coach/"
EXPORT = PAGE + "export/"
FIXTURES = Path(__file__).parent.parent / "fixtures" / "content"


def text_of(response) -> str:
    return unescape(response.content.decode())


def field_value(html: str, name: str) -> str:
    textarea = re.search(
        rf'<textarea[^>]*name="{re.escape(name)}"[^>]*>\n(.*?)</textarea>', html, re.S
    )
    if textarea:
        return unescape(textarea.group(1))
    found = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*value="([^"]*)"', html)
    return unescape(found.group(1)) if found else ""


def checkbox(html: str, name: str) -> str | None:
    """The checkbox named `name`, or None when the page has no such checkbox."""
    found = re.search(rf'<input type="checkbox" name="{re.escape(name)}"[^>]*>', html)
    return found.group(0) if found else None


def is_checked(html: str, name: str) -> bool:
    box = checkbox(html, name)
    return box is not None and re.search(r"\schecked\b", box) is not None


def test_the_lesson_links_to_the_practice_under_its_checklist(client: Client) -> None:
    html = client.get(LESSON_URL).content.decode()
    apply = html[html.index('id="apply"') : html.index('id="key-insights"')]
    assert f'href="{PAGE}"' in apply
    assert "Draft your postmortem" in apply


def test_a_lesson_without_practice_has_no_link_and_no_practice_page(
    client: Client, use_content_dir
) -> None:
    use_content_dir(FIXTURES / "valid")
    assert b"/practice/" not in client.get("/lessons/sample-lesson/").content
    assert client.get("/lessons/sample-lesson/practice/").status_code == 404


def test_the_practice_page_shows_every_section_with_guidance_example_and_lesson_link(
    client: Client,
) -> None:
    response = client.get(PAGE)
    assert response.status_code == 200
    html = text_of(response)
    assert html.count("<h1") == 1
    for title in [
        "Header", "Summary", "Impact and harm", "AI system snapshot", "Prompt and input history",
        "Data and evaluation", "Timeline", "Detection", "Response and containment",
        "Contributing factors by layer", "What went well, what went wrong, where we got lucky",
        "Action items", "Open questions", "Disclosure and legal review",
    ]:  # fmt: skip
        assert f">{title}</h2>" in html, title
    assert (
        f'href="{LESSON_URL}#postmortem-template">In the lesson: The AI-incident postmortem template'
        in html
    )
    assert f'href="{LESSON_URL}#harm-and-disclosure"' in html
    assert "Example: the refund-policy chatbot" in html
    assert "Timestamped facts only" in html
    assert "Not ready to publish" in html
    assert 'src="/static/postmortems/builder.js"' in html


def test_every_control_has_a_label(client: Client) -> None:
    html = client.get(PAGE).content.decode()
    form = html[html.index('id="practice-form"') :]
    ids = re.findall(r'<(?:input|textarea|select)(?![^>]*type="hidden")[^>]*\bid="([^"]+)"', form)
    assert len(ids) > 40
    for control_id in ids:
        assert f'<label for="{control_id}"' in html, control_id


def test_start_from_the_example_prefills_the_form(client: Client) -> None:
    html = client.get(PAGE + "?example=1").content.decode()
    assert field_value(html, "title") == "Support assistant invented a refund policy"
    assert (
        field_value(html, "factors.guardrail")
        == "No check that numbers in an answer appear in a source."
    )
    assert field_value(html, "action_items.4.owner") == "Support tooling lead"
    assert field_value(html, "action_items.2.done_when").startswith("Replaying the incident")
    assert '<option value="sev2" selected>' in html
    assert is_checked(html, "impact.gate")
    assert 'data-source="example"' in html


def test_a_no_js_check_keeps_every_word_and_shows_flags_beside_the_field(client: Client) -> None:
    summary = "Sam should have tested the prompt.\nThe <b>bot</b> & co."
    response = client.post(
        PAGE, {"summary": summary, "timeline": "09:14 deployed", "intent": "check"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert field_value(html, "summary") == summary
    assert field_value(html, "timeline") == "09:14 deployed"
    coach = html[html.index('id="field-summary-coach"') :]
    coach = coach[: coach.index("</div>")]
    # "Sam should have" is one phrase, flagged once (not again for "should have" inside it).
    assert coach.count("<mark>") == 1
    assert "<mark>Sam should have</mark>" in coach
    assert "<mark>should have</mark>" not in coach
    assert "Try:" in coach
    assert "The coach found 1 phrase to reword" in html


def test_a_summary_starting_with_a_blank_line_keeps_it(client: Client) -> None:
    html = client.post(PAGE, {"summary": "\nIndented start"}).content.decode()
    assert field_value(html, "summary") == "\nIndented start"


def test_an_oversize_section_gets_a_message_beside_it_and_keeps_the_text(client: Client) -> None:
    long_text = "word " * 2001
    response = client.post(PAGE, {"summary": long_text, "title": "Kept"})
    assert response.status_code == 400
    html = unescape(response.content.decode())
    assert field_value(response.content.decode(), "summary") == long_text
    assert field_value(response.content.decode(), "title") == "Kept"
    error = re.search(r'id="field-summary-error">([^<]+)<', html)
    assert error and "10,005 characters; the limit is 10,000" in error.group(1)
    assert 'aria-describedby="field-summary-count field-summary-error"' in html
    assert "Nothing you typed was lost" in html


def test_too_many_action_items_are_refused_but_all_shown_again(client: Client) -> None:
    data = {f"action_items.{i}.action": f"Fix number {i}" for i in range(21)}
    response = client.post(PAGE, data)
    assert response.status_code == 400
    html = text_of(response)
    assert "There are 21 action items; the limit is 20." in html
    assert "Fix number 20" in html


def test_add_another_adds_an_empty_action_item_row_without_javascript(client: Client) -> None:
    rows_before = client.get(PAGE).content.decode().count("data-action-row=")
    html = client.post(
        PAGE, {"action_items.0.action": "A", "intent": "add-action"}
    ).content.decode()
    assert html.count("data-action-row=") == rows_before + 1
    assert field_value(html, "action_items.0.action") == "A"


def test_a_malformed_post_is_a_400_with_the_message_beside_the_field(client: Client) -> None:
    response = client.post(
        PAGE,
        {
            "severity": "catastrophic",
            "date": "yesterday",
            "action_items.0.due": "soon",
            "summary": "kept",
        },
    )
    assert response.status_code == 400
    html = text_of(response)
    assert 'id="field-severity-error">“catastrophic” is not one of the choices' in html
    assert 'id="field-date-error">“yesterday” is not a date' in html
    assert 'id="field-action-items-0-due-error">“soon” is not a date' in html
    assert '<a href="#field-action-items-0-due">Action item 1, due date: “soon”' in html
    assert field_value(response.content.decode(), "summary") == "kept"


def test_posts_without_a_csrf_token_are_refused(lesson_slug: str) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.post(PAGE, {"summary": "x"}).status_code == 403
    assert client.post(COACH + "?field=summary", {"summary": "x"}).status_code == 403
    assert client.post(EXPORT, {"summary": "x"}).status_code == 403


def test_the_coach_endpoint_returns_the_flags_for_one_field(client: Client) -> None:
    response = client.post(
        COACH + "?field=went.wrong", {"went.wrong": "Priya didn't check."}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<mark>Priya didn&#x27;t</mark> check." in html
    assert f'href="{LESSON_URL}#blameless-language"' in html
    assert "<html" not in html
    blameless = client.post(COACH + "?field=went.wrong", {"went.wrong": "Support noticed."})
    assert blameless.content.decode().strip() == ""


def test_the_coach_endpoint_coaches_action_item_fields(client: Client) -> None:
    response = client.post(
        COACH + "?field=action_items.3.action", {"action_items.3.action": "Stop human error"}
    )
    assert "<mark>human error</mark>" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "data", "status"),
    [
        ("?field=severity", {"severity": "sev1"}, 400),
        ("?field=summary", {}, 400),
        ("?field=nope", {"nope": "x"}, 400),
    ],
)
def test_the_coach_endpoint_refuses_bad_input_clearly(
    client: Client, query: str, data: dict, status: int
) -> None:
    response = client.post(COACH + query, data)
    assert response.status_code == status
    assert response.content


def test_an_overlong_field_gets_a_note_in_its_hints_instead_of_an_error_status(
    client: Client,
) -> None:
    # htmx does not swap error responses: a 413 would leave the old hints on screen.
    response = client.post(
        COACH + "?field=summary",
        {"summary": "Sam should have tested it. " + "x" * 10_000},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = text_of(response)
    assert "This is 10,027 characters; the limit is 10,000. Shorten it by 27" in html
    assert "The coach checks it again once it fits." in html
    assert "<mark>" not in html
    fits = client.post(COACH + "?field=summary", {"summary": "x" * 10_000})
    assert fits.content.decode().strip() == ""


def test_reviewing_the_whole_form_notes_an_overlong_field_in_its_region(client: Client) -> None:
    response = client.post(COACH, {"summary": "If only. " + "y" * 10_000, "timeline": "fine"})
    html = text_of(response)
    summary = html[html.index('id="field-summary-coach"') : html.index('id="field-timeline-coach"')]
    assert "the limit is 10,000" in summary
    assert "<mark>" not in summary


def test_the_page_post_refuses_an_overlong_field_beside_it_without_coaching_it(
    client: Client,
) -> None:
    long_text = "Sam should have tested it. " + "z" * 10_000
    response = client.post(PAGE, {"summary": long_text})
    assert response.status_code == 400
    html = unescape(response.content.decode())
    assert field_value(response.content.decode(), "summary") == long_text
    assert re.search(r'id="field-summary-error">[^<]*the limit is 10,000', html)
    coach = html[html.index('id="field-summary-coach"') :]
    assert "<mark>" not in coach[: coach.index("</div>")]


def test_the_coach_endpoint_only_answers_post(client: Client) -> None:
    assert client.get(COACH + "?field=summary").status_code == 405


def test_reviewing_the_whole_form_returns_out_of_band_flags_and_readiness(client: Client) -> None:
    response = client.post(
        COACH, {"summary": "If only we knew.", "timeline": "fine", "impact.harmed": "yes"}
    )
    html = response.content.decode()
    assert '<div id="field-summary-coach" hx-swap-oob="innerHTML">' in html
    assert re.search(r'<div id="field-timeline-coach" hx-swap-oob="innerHTML">\s*</div>', html)
    assert "<mark>If only</mark>" in html
    assert 'id="practice-readiness"' in html and 'hx-swap-oob="true"' in html
    assert "the legal and communications review is not confirmed" in html


def test_the_export_downloads_markdown_with_every_filled_section(client: Client) -> None:
    page = client.get(PAGE + "?example=1").content.decode()
    data = {}
    for name in re.findall(r'name="([a-z][^"]*)"', page):
        if name in ("intent", "draft_id", "csrfmiddlewaretoken"):
            continue
        select = re.search(rf'<select[^>]*name="{re.escape(name)}"[^>]*>(.*?)</select>', page, re.S)
        if select:
            chosen = re.search(r'<option value="([^"]*)" selected>', select.group(1))
            data[name] = chosen.group(1) if chosen else ""
        elif is_checked(page, name):
            data[name] = "on"
        elif checkbox(page, name) is None:
            data[name] = field_value(page, name)
    response = client.post(EXPORT, data)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="postmortem-support-assistant-invented-a-refund-policy.md"'
    )
    markdown = response.content.decode()
    assert markdown.startswith("# Support assistant invented a refund policy\n")
    assert markdown.count("\n## ") == 13
    assert 'such as "can I still return this?"' in markdown


def test_an_export_with_problems_shows_the_form_again_instead(client: Client) -> None:
    response = client.post(EXPORT, {"summary": "y" * 10_001})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert field_value(response.content.decode(), "summary") == "y" * 10_001


def test_practice_pages_for_unknown_lessons_are_404(client: Client) -> None:
    assert client.get("/lessons/nope/practice/").status_code == 404
    assert client.post("/lessons/nope/practice/export/", {}).status_code == 404


def test_the_page_tells_the_browser_how_many_fields_a_full_draft_syncs(client: Client) -> None:
    from progress.document import MAX_FIELDS_PER_DRAFT

    html = client.get(PAGE).content.decode()
    max_fields = int(re.search(r'data-max-fields="(\d+)"', html).group(1))
    # builder.js stops saving fields past this number; the sync API refuses past its own cap.
    assert max_fields == MAX_FIELDS_PER_DRAFT


def test_the_page_posts_its_action_items_as_a_formset_with_a_server_rendered_empty_row(
    client: Client,
) -> None:
    html = client.get(PAGE + "?example=1").content.decode()
    assert 'name="action_items-TOTAL_FORMS" value="7"' in html  # six example rows, one empty
    assert 'name="action_items-INITIAL_FORMS" value="0"' in html
    template = html[html.index("<template data-action-template>") :]
    template = template[: template.index("</template>")]
    assert 'name="action_items.__prefix__.action"' in template
    assert 'id="field-action-items---prefix---owner"' in template


def test_an_empty_row_between_filled_ones_is_dropped_and_the_rest_renumbered(
    client: Client,
) -> None:
    html = client.post(
        PAGE,
        {
            "action_items-TOTAL_FORMS": "3",
            "action_items-INITIAL_FORMS": "0",
            "action_items.0.action": "First",
            "action_items.2.action": "Third",
        },
    ).content.decode()
    assert field_value(html, "action_items.0.action") == "First"
    assert field_value(html, "action_items.1.action") == "Third"


def test_a_draft_stored_before_the_formset_posts_and_renders_under_the_same_keys(
    client: Client,
) -> None:
    # The keys a browser or a progress document already holds for a draft, posted as they are.
    stored = {
        "title": "Stored last year",
        "impact.who": "Customers on the refund page",
        "impact.gate": "on",
        "action_items.4.owner": "Support lead",
        "action_items.4.action": "Add a grounding check",
    }
    html = client.post(PAGE, stored).content.decode()
    assert field_value(html, "title") == "Stored last year"
    assert field_value(html, "impact.who") == "Customers on the refund page"
    assert is_checked(html, "impact.gate")
    assert field_value(html, "action_items.0.action") == "Add a grounding check"
    assert field_value(html, "action_items.0.owner") == "Support lead"


def test_the_lesson_link_comes_from_the_builders_own_tag_not_a_context_processor() -> None:
    from django.conf import settings

    processors = settings.TEMPLATES[0]["OPTIONS"]["context_processors"]
    assert not [name for name in processors if "practice" in name or "postmortem" in name]
    lesson = (Path(settings.BASE_DIR) / "templates/lessons/lesson.html").read_text()
    assert "{% postmortem_link lesson %}" in lesson


# --- what one visitor can make the coach do ---------------------------------------------------


def test_a_check_coaches_at_most_the_configured_characters_and_says_which_fields_waited(
    client: Client, settings
) -> None:
    settings.POSTMORTEM_MAX_COACHED_CHARS = 40
    data = {"summary": "Sam should have tested it.", "timeline": "If only we had known then."}
    review = text_of(client.post(COACH, data))
    timeline = review[review.index('id="field-timeline-coach"') :]
    assert "<mark>Sam should have</mark>" in review
    assert "<mark>" not in timeline
    assert "Not checked this time: the coach reads at most 40 characters per check" in timeline

    page = client.post(PAGE, data)
    assert page.status_code == 200
    html = text_of(page)
    assert field_value(page.content.decode(), "timeline") == "If only we had known then."
    assert "It reads at most 40 characters per check, so 1 field went unchecked" in html
    coach = html[html.index('id="field-timeline-coach"') :]
    assert "Not checked this time" in coach[: coach.index("</div>")]


def test_the_coach_is_rate_limited_per_visitor_with_a_clear_wait_and_nothing_lost(
    client: Client, settings
) -> None:
    settings.POSTMORTEM_COACH_RATE_LIMIT = "3/m"
    for _ in range(3):
        assert client.post(COACH + "?field=summary", {"summary": "x"}).status_code == 200
    field = client.post(COACH + "?field=summary", {"summary": "Sam should have."})
    assert field.status_code == 429
    assert 1 <= int(field["Retry-After"]) <= 60
    assert "The coach is catching its breath" in text_of(field)
    review = client.post(COACH, {"summary": "x"})
    assert review.status_code == 429
    assert 'id="coach-status"' in review.content.decode()
    page = client.post(PAGE, {"summary": "Sam should have tested it."})
    assert page.status_code == 429
    html = text_of(page)
    assert field_value(page.content.decode(), "summary") == "Sam should have tested it."
    assert "The coach is catching its breath" in html
    assert "<mark>" not in html
    # Another visitor (another address, no session) is not held back.
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.post(COACH + "?field=summary", {"summary": "x"}).status_code == 200


def test_check_my_draft_lands_on_a_summary_that_links_to_each_flagged_field(
    client: Client,
) -> None:
    page = client.get(PAGE).content.decode()
    assert f'action="{PAGE}#practice-summary"' in page
    assert f'formaction="{PAGE}#action-items"' in page  # adding a row lands on the rows
    html = client.post(
        PAGE,
        {
            "summary": "Sam should have tested the prompt.",
            "went.wrong": "If only we knew. The engineer was careless.",
            "action_items.1.action": "Stop human error",
            "intent": "check",
        },
    ).content.decode()
    summary = html[html.index('id="practice-summary"') : html.index('id="practice-form"')]
    links = re.findall(r'<li><a href="#([^"]+)">([^<]+)</a>: (\d+) phrases?</li>', summary)
    assert links == [
        ("field-summary", "Summary", "1"),
        ("field-went-wrong", "What went wrong", "2"),
        ("field-action-items-0-action", "Action item 1, what will change", "1"),
    ]
    assert "The coach found 4 phrases to reword" in summary


def test_a_fields_counter_shows_only_near_its_limit(client: Client) -> None:
    html = client.post(PAGE, {"summary": "short", "timeline": "t" * 9_500}).content.decode()
    assert re.search(r'<p class="char-count" id="field-summary-count"[^>]*hidden></p>', html)
    assert (
        '<p class="char-count" id="field-timeline-count" data-count-for="field-timeline">9500 / 10000 characters</p>'
        in html
    )
    over = client.post(PAGE, {"summary": "s" * 10_002}).content.decode()
    assert ">10002 / 10000 characters: 2 over the limit</p>" in over
    assert 'data-counter-from="9000"' in html


def test_reviewing_four_fields_of_nothing_but_flags_stays_small_and_quick(client: Client) -> None:
    # ~5,000 flags: each field lists a few and counts the rest, so neither the rendering nor the
    # response grows with them. CPU time (this process), generous: ~0.15 s on a laptop.
    text = ("if only " * 1_250)[:10_000]
    data = dict.fromkeys(("summary", "timeline", "detection", "response"), text)
    client.post(COACH, {"summary": "warm up"})
    start = time.process_time()
    response = client.post(COACH, data)
    cpu = time.process_time() - start
    assert response.status_code == 200
    assert len(response.content) < 200_000, len(response.content)
    assert cpu < 0.6, cpu
    assert response.content.decode().count("<mark>if only</mark>") == 4 * MAX_FLAGS_PER_FIELD


def test_a_field_with_more_flags_than_listed_says_how_many_more_and_readiness_counts_all(
    client: Client,
) -> None:
    text = ("if only " * 100)[:800]  # 100 flags in one field
    review = client.post(COACH, {"summary": text}).content.decode()
    more = 100 - MAX_FLAGS_PER_FIELD
    assert f"And {more} more flagged phrases in this field" in review
    assert review.count("<mark>if only</mark>") == MAX_FLAGS_PER_FIELD
    assert re.search(r"\b100 phrases\b", review), "readiness counts every flag, listed or not"
    page = client.post(PAGE, {"summary": text, "intent": "check"}).content.decode()
    assert f"And {more} more flagged phrases in this field" in page
