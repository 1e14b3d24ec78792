"""A postmortem draft as a clean Markdown document: every filled section, in template order."""

from __future__ import annotations

import re

from postmortems.drafts import Draft, has_value
from postmortems.template import ACTION_FIELDS, SECTIONS, FieldSpec, SectionSpec

LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")


def _block(text: str) -> str:
    """The learner's text as they wrote it (their Markdown stays Markdown), tidied at the ends."""
    lines = [line.rstrip() for line in text.strip("\n").split("\n")]
    return "\n".join(lines).strip()


def _inline(text: str) -> str:
    return " ".join(text.split())


def _value_text(spec: FieldSpec, value: str) -> str:
    return spec.choice_label(value) if spec.kind == "select" else value


def _section_markdown(section: SectionSpec, draft: Draft) -> list[str]:
    if section.is_action_items:
        return _action_items_markdown(draft)
    if section.id == "impact":
        return _impact_markdown(section, draft)
    filled = [spec for spec in section.fields if has_value(spec, draft.get(spec.key))]
    if section.id == "timeline":
        return [_timeline_list(draft.get("timeline"))]
    if len(section.fields) == 1:
        return [_block(draft.get(filled[0].key))]
    parts = []
    for spec in filled:
        value = draft.get(spec.key)
        if spec.kind == "textarea":
            parts.append(f"### {spec.label}\n\n{_block(value)}")
        else:
            parts.append(f"- **{spec.label}:** {_inline(_value_text(spec, value))}")
    return _join_list_items(parts)


def _timeline_list(text: str) -> str:
    """One timestamped fact per line becomes one list item, so it renders as a list."""
    lines = [line for line in _block(text).split("\n") if line.strip()]
    return "\n".join(line if LIST_ITEM.match(line) else f"- {line}" for line in lines)


def _impact_markdown(section: SectionSpec, draft: Draft) -> list[str]:
    parts = []
    if who := draft.get("impact.who").strip():
        parts.append(_block(who))
    facts = []
    if count := draft.get("impact.count").strip():
        facts.append(f"- **How many:** {_inline(count)}")
    harmed = draft.get("impact.harmed")
    if harmed:
        facts.append(f"- **Was anyone harmed:** {'Yes' if harmed == 'yes' else 'No'}")
    if draft.get("impact.gate") == "on":
        facts.append("- **Legal and communications review:** confirmed")
    elif harmed == "yes":
        facts.append(
            "- **Legal and communications review:** not yet confirmed (not ready to publish)"
        )
    if facts:
        parts.append("\n".join(facts))
    return parts


def _join_list_items(parts: list[str]) -> list[str]:
    """Consecutive `- ` lines form one list; headings and paragraphs stay apart."""
    joined: list[str] = []
    for part in parts:
        if joined and part.startswith("- ") and joined[-1].startswith("- "):
            joined[-1] += "\n" + part
        else:
            joined.append(part)
    return joined


def _action_items_markdown(draft: Draft) -> list[str]:
    entries = []
    for number, item in enumerate(draft.action_items, start=1):
        action = _block(item.get("action", "")) or "(no description yet)"
        indent = " " * (len(str(number)) + 2)
        lines = [f"{number}. " + action.replace("\n", "\n" + indent)]
        for spec in ACTION_FIELDS[1:]:
            if value := item.get(spec.key, "").strip():
                label = spec.label.split(" (")[0]
                lines.append(f"{indent}- **{label}:** {_inline(_value_text(spec, value))}")
        entries.append("\n".join(lines))
    return ["\n".join(entries)] if entries else []


def export_markdown(draft: Draft) -> str:
    """The draft as a clean Markdown postmortem: every filled section, in template order."""
    title = _inline(draft.get("title")) or "Untitled postmortem"
    out = [f"# {title}"]
    for section in SECTIONS:
        if section.id == "header":
            facts = [
                f"- **{spec.label}:** {_inline(_value_text(spec, draft.get(spec.key)))}"
                for spec in section.fields[1:]
                if draft.get(spec.key).strip()
            ]
            if facts:
                out.append("\n".join(facts))
            continue
        if draft.section_is_empty(section):
            continue
        body = [part for part in _section_markdown(section, draft) if part]
        if body:
            out.append(f"## {section.title}")
            out.extend(body)
    return "\n\n".join(out) + "\n"


def export_filename(draft: Draft) -> str:
    stem = re.sub(r"[^a-z0-9]+", "-", draft.get("title").lower()).strip("-")[:60].strip("-")
    return f"postmortem-{stem or 'draft'}.md"
