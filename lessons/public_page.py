"""The lesson page for a first-time, signed-out visitor: rendered once, compressed once.

Such a visitor has no session, so their page differs from anyone else's only in its CSRF token.
The page is rendered once with a placeholder where the token goes and compressed in pieces, each
piece ending with a full flush: a full flush byte-aligns the deflate stream and resets its history,
so pieces compressed separately can be joined into one valid gzip stream. Each request then only
compresses its own short token and joins the pieces, instead of rendering and compressing
~40 KB of HTML.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers

# A string that escaped HTML can never contain, so it marks only the token places.
TOKEN_PLACEHOLDER = "\x00csrf-token\x00"  # noqa: S105 (a marker for where tokens go)
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # no name, mtime 0, unknown OS
GZIP_LEVEL = 9
RAW_DEFLATE = -zlib.MAX_WBITS


def _deflate_piece(data: bytes, *, last: bool) -> bytes:
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, RAW_DEFLATE)
    return compressor.compress(data) + compressor.flush(
        zlib.Z_FINISH if last else zlib.Z_FULL_FLUSH
    )


@dataclass(frozen=True)
class PublicPage:
    """A page split around its token places, with each static piece already deflated."""

    pieces: tuple[bytes, ...]
    deflated_pieces: tuple[bytes, ...]

    @classmethod
    def from_html(cls, html: str) -> PublicPage:
        pieces = tuple(piece.encode() for piece in html.split(TOKEN_PLACEHOLDER))
        deflated = tuple(
            _deflate_piece(piece, last=index == len(pieces) - 1)
            for index, piece in enumerate(pieces)
        )
        return cls(pieces=pieces, deflated_pieces=deflated)

    def body(self, token: str) -> bytes:
        return token.encode().join(self.pieces)

    def gzip_body(self, token: str) -> bytes:
        token_deflated = _deflate_piece(token.encode(), last=False)
        stream = token_deflated.join(self.deflated_pieces)
        body = self.body(token)
        trailer = struct.pack("<II", zlib.crc32(body), len(body) & 0xFFFFFFFF)
        return GZIP_HEADER + stream + trailer


def is_first_visit(request: HttpRequest) -> bool:
    """Signed out, no session and no query string: the page is the same for all but the token."""
    return (
        not request.user.is_authenticated
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not request.GET
        and not getattr(request, "htmx", False)
    )


# key -> (the content object the page was rendered from, the page). Content objects are replaced,
# never mutated, when content is reloaded, so an identity check tells a stale page.
_pages: dict[str, tuple[object, PublicPage]] = {}


def public_page_response(
    request: HttpRequest, *, key: str, source: object, render_html: Callable[[str], str]
) -> HttpResponse:
    """The cached page for `key` rendered from `source`, by `render_html(token_placeholder)`."""
    cached = _pages.get(key)
    if cached is not None and cached[0] is source:
        page = cached[1]
    else:
        page = PublicPage.from_html(render_html(TOKEN_PLACEHOLDER))
        _pages[key] = (source, page)
    token = get_token(request)  # also makes the CSRF middleware set the cookie
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        response = HttpResponse(page.gzip_body(token), content_type="text/html; charset=utf-8")
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(page.body(token), content_type="text/html; charset=utf-8")
    patch_vary_headers(response, ["Accept-Encoding", "Cookie"])
    return response
