from __future__ import annotations

from django.http import QueryDict

from postmortems.drafts import Draft
from postmortems.forms import ActionItemFormSet, BuilderForms, draft_from_post
from postmortems.template import MAX_ACTION_ITEMS


def form(**values: str) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, value in values.items():
        data[key.replace("__", ".")] = value
    return data


class Checked:
    """A post read into a draft, and the page's forms bound to it, as the builder does."""

    def __init__(self, data: QueryDict) -> None:
        posted = draft_from_post(data)
        self.draft: Draft = posted.draft
        self.forms = BuilderForms(posted.draft, post_problems=posted.problems)

    @property
    def errors(self) -> dict[str, str]:
        """Each field's message, by the field's form name (what the page shows beside it)."""
        fields = [*self.forms.form, *(bound for row in self.forms.formset for bound in row)]
        found = {bound.html_name: str(bound.errors[0]) for bound in fields if bound.errors}
        if self.forms.action_items_error:
            found["action_items"] = self.forms.action_items_error
        return found


def parse_submission(data: QueryDict) -> Checked:
    return Checked(data)


# --- parsing a form post ---------------------------------------------------------------------


def test_a_post_keeps_every_character_typed_including_markup_and_newlines() -> None:
    text = 'Line one <b>bold?</b> & "quotes"\r\n\r\n- a list\r\n'
    submission = parse_submission(form(summary=text))
    assert submission.errors == {}
    assert submission.draft.get("summary") == 'Line one <b>bold?</b> & "quotes"\n\n- a list\n'


def test_an_overlong_section_is_kept_but_reported_beside_its_field() -> None:
    submission = parse_submission(form(summary="x" * 10_001, timeline="ok"))
    assert submission.draft.get("summary") == "x" * 10_001
    assert submission.errors == {
        "summary": "This is 10,001 characters; the limit is 10,000. Shorten it by 1 to save or export."
    }


def test_bad_choices_and_dates_are_reported_and_unknown_keys_ignored() -> None:
    submission = parse_submission(
        form(
            severity="sev9",
            date="31/02/2026",
            **{"action_items.x.owner": "a", "impact.gate": "on"},
        )
    )
    assert set(submission.errors) == {"severity", "date"}
    assert submission.draft.get("severity") == "sev9"
    assert submission.draft.get("impact.gate") == "on"
    assert "not one of the choices" in submission.errors["severity"]
    assert "not a date" in submission.errors["date"]


def test_empty_action_rows_are_dropped_and_the_rest_renumbered_in_order() -> None:
    submission = parse_submission(
        form(
            **{
                "action_items.0.action": "First",
                "action_items.1.action": "",
                "action_items.2.action": "Third",
                "action_items.2.category": "process",
            }
        )
    )
    assert [item["action"] for item in submission.draft.action_items] == ["First", "Third"]
    assert submission.draft.form_values()["action_items.1.category"] == "process"


def test_more_than_twenty_action_items_are_kept_and_reported() -> None:
    data = form(**{f"action_items.{i}.action": f"Item {i}" for i in range(MAX_ACTION_ITEMS + 2)})
    submission = parse_submission(data)
    assert len(submission.draft.action_items) == MAX_ACTION_ITEMS + 2
    assert submission.errors["action_items"].startswith(
        "There are 22 action items; the limit is 20."
    )
    assert submission.forms.error_links()[-1].target == "action-items"
    assert not submission.forms.is_valid()


def test_the_action_item_formset_names_its_fields_as_stored_drafts_do() -> None:
    formset = ActionItemFormSet(prefix="action_items")
    formset.extra = 2
    assert formset.forms[1]["owner"].html_name == "action_items.1.owner"
    assert formset.forms[1]["owner"].auto_id == "field-action-items-1-owner"
    assert formset.empty_form["action"].html_name == "action_items.__prefix__.action"
    assert 'name="action_items-TOTAL_FORMS"' in str(formset.management_form)


def test_a_post_with_the_formsets_row_count_reads_exactly_those_rows() -> None:
    data = form(
        **{
            "action_items-TOTAL_FORMS": "2",
            "action_items-INITIAL_FORMS": "0",
            "action_items.0.action": "Counted",
            "action_items.2.action": "Past the count",
        }
    )
    assert [item["action"] for item in parse_submission(data).draft.action_items] == ["Counted"]


def test_a_tampered_row_count_is_a_message_not_a_crash() -> None:
    data = form(**{"action_items-TOTAL_FORMS": "lots", "action_items.0.action": "x"})
    submission = parse_submission(data)
    assert (
        "ManagementForm data is missing or has been tampered with"
        in (submission.errors["action_items"])
    )


def test_a_nul_character_is_refused_beside_its_field() -> None:
    submission = parse_submission(form(summary="a\x00b"))
    assert submission.errors["summary"] == "Null characters are not allowed."
    assert submission.draft.get("summary") == "a\x00b"


def test_a_draft_saved_before_priority_and_done_when_existed_still_loads() -> None:
    submission = parse_submission(
        form(
            action_items__0__action="Restore the grounding instruction.",
            action_items__0__category="prompt",
            action_items__0__type="mitigate",
            action_items__0__owner="Support tooling team",
            action_items__0__due="2026-03-11",
        )
    )
    assert submission.errors == {}
    (item,) = submission.draft.action_items
    assert item["type"] == "mitigate" and item["priority"] == "" and item["done_when"] == ""


def test_an_action_item_takes_the_lessons_types_a_priority_and_a_way_to_tell_it_is_done() -> None:
    for kind in ("detect", "mitigate", "prevent", "investigate", "repair"):
        submission = parse_submission(
            form(
                action_items__0__action="Alert on ungrounded numbers.",
                action_items__0__type=kind,
                action_items__0__priority="p1",
                action_items__0__done_when="Replaying the incident fires the alert.",
            )
        )
        assert submission.errors == {}, kind
        assert submission.draft.action_items[0]["done_when"].startswith("Replaying")
    assert (
        "action_items.0.priority"
        in parse_submission(
            form(action_items__0__action="x", action_items__0__priority="urgent!")
        ).errors
    )
