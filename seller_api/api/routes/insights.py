"""Buyer insights for a date range; each answers with a one-line suggestion."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from sqlalchemy import Engine

from seller_api.analytics import insights, lifestyle
from seller_api.api.deps import (
    Cursor,
    DateRange,
    DateRangeDep,
    Limit,
    SellerDep,
    SessionDep,
    SettingsDep,
    get_store_engine,
)
from seller_api.api.responses import AUTH_RESPONSES
from seller_api.pagination import offset_from, page
from seller_api.schemas import (
    CustomersInsightPublic,
    PageSlotsInsightPublic,
    SearchTermsInsightPublic,
)
from seller_api.settings import SellerApiSettings

router = APIRouter(prefix="/v1/insights", tags=["insights"], responses=AUTH_RESPONSES)

LIFESTYLE_METHOD = (
    "balanced logistic regression on TF-IDF + SVD of purchased types and categories, basket "
    "habits and the share of child-indicative products, trained on shoppers with known "
    "attributes; held-out scores are 5-fold, grouped by shopper"
)


def _lifestyle(
    engine: Engine,
    session: Any,
    seller_id: str,
    buyer_ids: set[str],
    period: DateRange,
    settings: SellerApiSettings,
) -> tuple[dict[str, Any] | None, str, dict[str, list[tuple[str, float]]]]:
    """The buyers' inferred lifestyle, its status and the shares for the suggestion. The model
    is the saved one of `jangbogi lifestyle train`; without a fresh one it is trained in the
    background and the answer carries no lifestyle (status ``training``) until it is ready."""
    state = lifestyle.get_model(engine, settings.lifestyle_model_dir, settings.cache_ttl_s)
    model = state.model
    if model is None:
        return None, state.status, {}
    if not model.classifiers:
        return None, "unavailable", {}
    base = {
        "method": LIFESTYLE_METHOD,
        "trained_on": model.trained_on,
        "trained_at": model.trained_at,
        "held_out": [asdict(h) for h in model.held_out],
    }
    if len(buyer_ids) < settings.min_cohort:
        note = f"fewer than {settings.min_cohort} buyers"
        return {**base, "attributes": [], "note": note}, state.status, {}
    rows = lifestyle.load_pairs(
        session, seller_id=seller_id, shoppers=buyer_ids, until=period.until
    )
    predictions = model.predict(rows)
    # The youngest child's age band is asked only of buyers the model thinks have children.
    if "children" in predictions and "children_age" in predictions:
        classes, proba = predictions["children"]
        if "children" in classes:
            with_kids = proba[:, classes.index("children")] >= 0.5
            age_classes, age_proba = predictions["children_age"]
            predictions["children_age"] = (age_classes, age_proba[with_kids])
            if with_kids.sum() < settings.min_cohort:
                del predictions["children_age"]
    summary = lifestyle.summarise(predictions)
    attributes = [
        {"attribute": target, "values": [v.__dict__ for v in values]}
        for target, values in summary.items()
    ]
    shares = {t: [(v.value, v.share) for v in values] for t, values in summary.items()}
    return {**base, "attributes": attributes, "note": None}, state.status, shares


@router.get("/customers", response_model=CustomersInsightPublic, summary="Who buys from you")
def customers(
    seller_id: SellerDep,
    session: SessionDep,
    settings: SettingsDep,
    period: DateRangeDep,
    engine: Annotated[Engine, Depends(get_store_engine)],
) -> dict[str, Any]:
    """Buyers by gender × age band, and their inferred lifestyle (married, children and the
    youngest child's age band, occupation) with the model's confidence and held-out accuracy."""
    spent = insights.buyers(session, seller_id, period.since, period.until)
    segments = insights.demographics(session, spent)
    life, status, shares = _lifestyle(engine, session, seller_id, set(spent), period, settings)
    return {
        "from": period.start,
        "to": period.end,
        "buyers": len(spent),
        "items": [s.__dict__ for s in segments],
        "lifestyle": life,
        "lifestyle_status": status,
        "suggestion": insights.customers_suggestion(segments, shares),
    }


@router.get(
    "/search-terms", response_model=SearchTermsInsightPublic, summary="What buyers searched"
)
def search_terms(
    seller_id: SellerDep,
    session: SessionDep,
    period: DateRangeDep,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """The queries that led to buying your products, and the pack sizes they named."""
    offset = offset_from(cursor, "search-terms")
    traced = insights.searches_before_buying(session, seller_id, period.since, period.until)
    terms, packs, size_share = insights.search_terms(traced)
    chunk, nxt = page(terms, offset, limit, "search-terms")
    return {
        "from": period.start,
        "to": period.end,
        "items": [t.__dict__ for t in chunk],
        "next": nxt,
        "size_search_share": size_share,
        "pack_sizes": [p.__dict__ for p in packs],
        "suggestion": insights.search_suggestion(terms, packs, size_share),
    }


@router.get("/page-slots", response_model=PageSlotsInsightPublic, summary="CTR by page slot")
def page_slots(seller_id: SellerDep, session: SessionDep, period: DateRangeDep) -> dict[str, Any]:
    """Impressions, clicks and click-through rate of your products by page and slot, beside the
    market-wide CTR of the slot, with a placement suggestion."""
    stats = insights.page_slots(session, seller_id, period.since, period.until)
    return {
        "from": period.start,
        "to": period.end,
        "items": [s.__dict__ for s in stats],
        "suggestion": insights.slots_suggestion(stats),
    }
