"""Hypothesis strategies for progress documents, with few ids and times so values collide."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from progress.document import ProgressDocument, validate_document

BASE = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
DRAFT_IDS = [
    "3f1c2d4e-0000-4000-8000-000000000001",
    "3f1c2d4e-0000-4000-8000-000000000002",
    "3f1c2d4e-0000-4000-8000-000000000003",
]

times = st.integers(min_value=0, max_value=6).map(
    lambda minutes: (BASE + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")
)
extras = st.dictionaries(
    st.sampled_from(["note", "device"]), st.one_of(st.integers(0, 3), st.text(max_size=3))
)


def _with_extras(base: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.tuples(base, extras).map(lambda pair: {**pair[1], **pair[0]})


register = st.fixed_dictionaries({"text": st.sampled_from(["", "a", "b", "ab"]), "at": times})
attempt = st.builds(
    lambda attempt_id, form, score, at, signature: {
        "id": attempt_id,
        "form": form,
        "score": min(score, form),
        "total": form,
        "finished_at": at,
        "signature": signature,
    },
    st.sampled_from(["a1", "a2", "a3", "a4", "a5"]),
    st.sampled_from([10, 15]),
    st.integers(0, 15),
    times,
    st.sampled_from(["sig-1", "sig-2"]),
)
draft = _with_extras(
    st.fixed_dictionaries(
        {
            "title": register,
            "fields": st.dictionaries(
                st.sampled_from(["summary", "impact.who", "timeline"]), register, max_size=3
            ),
        },
        optional={"deleted": st.fixed_dictionaries({"value": st.booleans(), "at": times})},
    )
)
lesson = _with_extras(
    st.fixed_dictionaries(
        {},
        optional={
            "sections_read": st.dictionaries(
                st.sampled_from(["premise", "timeline", "apply"]), times, max_size=3
            ),
            "last_read_at": times,
            "checklist": st.dictionaries(
                st.sampled_from(["c1", "c2", "c3"]),
                st.fixed_dictionaries({"done": st.booleans(), "at": times}),
                max_size=3,
            ),
            "reflection": register,
            "attempts": st.lists(attempt, max_size=5),
            "drafts": st.dictionaries(st.sampled_from(DRAFT_IDS), draft, max_size=3),
        },
    )
)
documents: st.SearchStrategy[ProgressDocument] = _with_extras(
    st.fixed_dictionaries(
        {
            "version": st.just(1),
            "lessons": st.dictionaries(st.sampled_from(["one", "two-b"]), lesson, max_size=2),
        }
    )
).map(validate_document)
