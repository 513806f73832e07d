"""Tag suggestions for a draft listing."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from sqlalchemy import Engine

from seller_api.analytics import tags as tag_analytics
from seller_api.api.deps import SearchDep, SellerDep, SettingsDep, get_store_engine
from seller_api.api.responses import AUTH_RESPONSES
from seller_api.schemas import TagsPublic, TagSuggestRequest

router = APIRouter(prefix="/v1/tags", tags=["tags"], responses=AUTH_RESPONSES)


@router.post("/suggest", response_model=TagsPublic, summary="Suggest search tags")
def suggest_tags(
    body: TagSuggestRequest,
    _seller_id: SellerDep,
    settings: SettingsDep,
    search: SearchDep,
    engine: Annotated[Engine, Depends(get_store_engine)],
) -> dict[str, Any]:
    """At most 10 tags of at most 10 letters or digits, in Korean and English, ranked by
    relevance to the draft, search volume and conversion (platform-wide search statistics),
    each with the figures that chose it and a one-line `reason`."""
    stats = tag_analytics.get_stats(engine, settings.tag_window_days, settings.cache_ttl_s)
    draft = tag_analytics.Draft(body.title, body.description, body.type_key, body.brand)
    encoder = getattr(search, "embedder", None) if search is not None else None
    tags, type_key = tag_analytics.suggest(
        draft, stats, min_searches=settings.min_tag_searches, encoder=encoder
    )
    return {"tags": tag_analytics.tags_public(tags, type_key), "type_key": type_key}
