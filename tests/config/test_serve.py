"""`make serve`'s command line: how many Django threads each granian process runs."""

from __future__ import annotations

import pytest

from config.serve import command


def threads(env: dict[str, str]) -> str:
    args = command(env)
    return args[args.index("--blocking-threads") + 1]


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "1"),  # threads would only take turns on the interpreter lock
        ({"TUTOR_LLM_URL": "http://127.0.0.1:9/v1"}, "4"),  # chat requests wait on the network
        ({"WEB_THREADS": "3"}, "3"),
        ({"WEB_THREADS": "2", "TUTOR_LLM_URL": "http://127.0.0.1:9/v1"}, "2"),
    ],
)
def test_threads_per_process(env: dict[str, str], expected: str) -> None:
    assert threads(env) == expected
