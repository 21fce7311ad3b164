"""The gate over HTTP (`dedupe serve`): FastAPI app with JSON in and out and OpenAPI docs at /docs.

One `Index` serves every request; calls are serialised by a lock because an SQLite connection is one writer and
check-and-add must stay atomic. Bodies larger than `max_bytes` are refused with 413 before they are read whole.
"""

from __future__ import annotations

import threading
from typing import Any, Literal

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from dedupe import __version__
from dedupe.errors import DedupeError
from dedupe.gate import Index
from dedupe.models import Article

# A news article is tens of kilobytes; a megabyte leaves room for HTML and refuses accidental uploads.
MAX_BYTES = 1 << 20


class ArticleIn(BaseModel):
    """An article as JSON: `id` and `text` required, metadata optional, other fields kept."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1)
    text: str = Field(min_length=1)
    title: str | None = None
    date: str | None = None
    source: str | None = None
    url: str | None = None
    markup: bool = False

    def article(self) -> Article:
        if not self.text.strip():
            raise HTTPException(422, 'field "text" is blank')
        return Article(
            id=self.id,
            text=self.text,
            title=self.title,
            date=self.date,
            source=self.source,
            url=self.url,
            extra=dict(self.model_extra or {}),
            markup=self.markup,
        )


def create_app(index: Index, max_bytes: int = MAX_BYTES) -> FastAPI:
    """The HTTP app over an open index (the caller closes the index)."""
    app = FastAPI(
        title="dedupe gate",
        version=__version__,
        description="Is an incoming article new, a duplicate, or a reuse of something indexed? With evidence.",
    )
    lock = threading.Lock()

    @app.middleware("http")
    async def limit_size(request: Request, call_next: Any) -> Any:
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > max_bytes):
            return JSONResponse({"detail": f"request body over {max_bytes} bytes"}, status_code=413)
        if request.method in ("POST", "PUT", "PATCH") and declared is None:
            # Chunked bodies: read up to the limit, refuse beyond it.
            body = b""
            async for chunk in request.stream():
                body += chunk
                if len(body) > max_bytes:
                    return JSONResponse({"detail": f"request body over {max_bytes} bytes"}, status_code=413)
            request._body = body
        return await call_next(request)

    @app.exception_handler(DedupeError)
    async def library_error(request: Request, error: DedupeError) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=500)

    @app.get("/health")
    def health() -> dict[str, str]:
        """Liveness: the service runs and its index answers."""
        with lock:
            index.stats()
        return {"status": "ok"}

    @app.get("/stats")
    def stats() -> dict[str, Any]:
        """Backend, location, article count, size, format version and settings of the index."""
        with lock:
            return index.stats()

    @app.post("/check")
    def check(article: ArticleIn) -> dict[str, Any]:
        """The verdict on an article, without adding it."""
        with lock:
            return index.check(article.article()).to_dict()

    @app.post("/add", status_code=201)
    def add(article: ArticleIn) -> dict[str, Any]:
        """Add an article without checking it; 409 when its id is already indexed."""
        with lock:
            if not index.add(article.article()):
                raise HTTPException(409, f'article "{article.id}" is already in the index (remove it first)')
        return {"id": article.id, "added": True}

    @app.post("/check-and-add")
    def check_and_add(article: ArticleIn, policy: Literal["new", "reuse", "all"] = "new") -> dict[str, Any]:
        """Check an article and add it when the policy admits its verdict (`new`, `reuse`: also partial reuse,
        `all`), atomically."""
        with lock:
            return index.check_and_add(article.article(), policy).to_dict()

    @app.delete("/articles/{article_id}")
    def remove(article_id: str) -> dict[str, Any]:
        """Remove an article by id; 404 when it is not indexed."""
        with lock:
            if not index.remove(article_id):
                raise HTTPException(404, f'article "{article_id}" is not in the index')
        return {"id": article_id, "removed": True}

    return app
