"""Request and response models; responses are ``*Public`` (what a seller may see)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from store.taxonomy import load_taxonomy

Currency = Literal["KRW", "USD"]
Unit = Literal["L", "ml", "kg", "g", "m", "roll", "count", "pair"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _known_type(value: str | None) -> str | None:
    if value is not None and value not in load_taxonomy():
        raise ValueError("not a type_key of the taxonomy")
    return value


# --- account ------------------------------------------------------------------------------------
class SellerPublic(BaseModel):
    seller_id: str
    name: str


# --- products -----------------------------------------------------------------------------------
class ProductCreate(_Strict):
    type_key: str = Field(min_length=1, max_length=64, examples=["liquid_laundry_detergent"])
    name_en: str = Field(min_length=1, max_length=300, examples=["Persil Power Gel 3L"])
    name_ko: str = Field(min_length=1, max_length=300, examples=["퍼실 파워젤 액체 세탁세제 3L"])
    brand: str = Field(min_length=1, max_length=100, examples=["Persil"])
    size: float = Field(gt=0, le=1_000_000, allow_inf_nan=False, examples=[3])
    unit: Unit | None = Field(None, description="Default: the type's unit in the taxonomy")
    price: int = Field(ge=0, le=100_000_000, examples=[15900])
    currency: Currency = "KRW"
    stock: int = Field(0, ge=0, le=10_000_000)
    description: str | None = Field(None, max_length=5000)
    external_id: str | None = Field(None, max_length=64)

    _type = field_validator("type_key")(_known_type)


class ProductPublic(BaseModel):
    id: int
    seller_id: str
    type_key: str
    name: str
    name_ko: str
    brand: str
    size: float
    unit: str
    price: int
    currency: str
    stock: int
    description: str | None = None
    external_id: str | None = None


class ProductsPublic(BaseModel):
    items: list[ProductPublic]
    next: str | None


class ProductSummaryPublic(BaseModel):
    id: int
    seller_id: str
    type_key: str
    name: str
    name_ko: str
    size: float
    unit: str
    price: int
    currency: str


class RelatedPublic(BaseModel):
    product: ProductSummaryPublic
    own: bool = Field(description="The caller's own product (others appear only as complements)")
    relation: Literal["bought_together", "similar", "both"]
    score: float
    lift: float | None = Field(None, description="Co-purchase lift (null: content only)")
    support: int = Field(description="Orders holding both products")


class RelatedListPublic(BaseModel):
    items: list[RelatedPublic]
    next: str | None


# --- tags ---------------------------------------------------------------------------------------
class TagSuggestRequest(_Strict):
    title: str = Field(min_length=1, max_length=300, examples=["퍼실 파워젤 액체 세탁세제 3L"])
    description: str | None = Field(None, max_length=5000)
    type_key: str | None = Field(None, max_length=64, description="Default: read from the title")
    brand: str | None = Field(None, max_length=100)

    _type = field_validator("type_key")(_known_type)


class TagPublic(BaseModel):
    tag: str = Field(description="At most 10 characters, letters and digits only")
    score: float
    search_volume: int = Field(description="Searches using the tag in the statistics window")
    type_share: float = Field(description="Share of the tag's search clicks on the draft's type")
    similarity: float = Field(description="Likeness of the tag to the draft's text (0-1)")
    conversion: float = Field(description="Share of the tag's searches that ended in a purchase")
    reason: str = Field(description="Why the tag was chosen, in one line")


class TagsPublic(BaseModel):
    tags: list[TagPublic] = Field(max_length=10)
    type_key: str | None = Field(None, description="The type the tags were chosen for")


class ProductCreatedPublic(BaseModel):
    product: ProductPublic
    searchable: bool = Field(description="Already in the search index")
    suggested_tags: list[TagPublic]
    related: list[RelatedPublic]


# --- insights -----------------------------------------------------------------------------------
class SegmentPublic(BaseModel):
    gender: str
    age_band: str
    buyers: int
    share: float
    revenue: int


class HeldOutPublic(BaseModel):
    target: str
    balanced_accuracy: float
    accuracy: float
    baseline_accuracy: float = Field(description="Always answering the most common class")
    n: int
    balanced_accuracy_interval: tuple[float, float] | None = Field(
        None,
        description="95 % interval of the balanced accuracy (rows grouped by shopper); "
        "null for a model trained before it was computed",
    )


class LifestyleValuePublic(BaseModel):
    value: str
    buyers: int
    share: float
    confidence: float = Field(description="Mean model probability of this value among its buyers")


class LifestyleAttributePublic(BaseModel):
    attribute: str
    values: list[LifestyleValuePublic]


class LifestylePublic(BaseModel):
    method: str
    trained_on: int
    trained_at: str = Field(description="When the model was trained (ISO time, UTC)")
    held_out: list[HeldOutPublic]
    attributes: list[LifestyleAttributePublic]
    note: str | None = None


class CustomersInsightPublic(BaseModel):
    from_: dt.date = Field(alias="from")
    to: dt.date
    buyers: int
    items: list[SegmentPublic]
    lifestyle: LifestylePublic | None
    lifestyle_status: Literal["ready", "stale", "training", "failed", "unavailable"] = Field(
        description="ready: a model trained on the store as it is; stale: the store changed "
        "since the model was trained (it is retrained in the background); training: no model "
        "yet, `lifestyle` is null until background training ends; failed: the last training "
        "failed, `lifestyle` is null; unavailable: too few shoppers with known attributes"
    )
    suggestion: str

    model_config = ConfigDict(populate_by_name=True)


class SearchTermPublic(BaseModel):
    term: str
    searches: int = Field(description="Searches with this term that ended in buying your product")
    buyers: int
    share: float


class PackSizePublic(BaseModel):
    type_key: str
    size: str
    searches: int
    share: float


class SearchTermsInsightPublic(BaseModel):
    from_: dt.date = Field(alias="from")
    to: dt.date
    items: list[SearchTermPublic]
    next: str | None
    size_search_share: float | None = Field(description="Share of these searches naming a size")
    pack_sizes: list[PackSizePublic]
    suggestion: str

    model_config = ConfigDict(populate_by_name=True)


class SlotPublic(BaseModel):
    page: str
    slot: int
    impressions: int
    clicks: int
    ctr: float | None
    market_ctr: float | None = Field(description="All sellers' CTR at this page and slot")


class PageSlotsInsightPublic(BaseModel):
    from_: dt.date = Field(alias="from")
    to: dt.date
    items: list[SlotPublic]
    suggestion: str

    model_config = ConfigDict(populate_by_name=True)


class LoyalCustomerPublic(BaseModel):
    customer_id: str
    recency_days: int
    frequency: int
    monetary: int
    r: int = Field(ge=1, le=5)
    f: int = Field(ge=1, le=5)
    m: int = Field(ge=1, le=5)
    score: int
    segment: str


class LoyalCustomersPublic(BaseModel):
    as_of: dt.date
    items: list[LoyalCustomerPublic]
    next: str | None
    segments: dict[str, int]
    audience_segment: Literal["champions", "at_risk"] | None = Field(
        None,
        description="The segment the suggestion targets with an event; its audience is "
        "`format=csv&segment=<this>` (null: no segment worth one)",
    )
    suggestion: str


# --- ads ----------------------------------------------------------------------------------------
class SpendRowIn(_Strict):
    campaign: str = Field(min_length=1, max_length=100)
    keyword: str = Field(min_length=1, max_length=100)
    date: dt.date
    cost: int = Field(ge=0, le=10_000_000_000)
    clicks: int = Field(ge=0, le=100_000_000)


class SpendUpload(_Strict):
    rows: list[SpendRowIn] = Field(min_length=1, max_length=1000)


class SpendAcceptedPublic(BaseModel):
    stored: int
    campaigns: list[str]


class RoasItemPublic(BaseModel):
    campaign: str | None = None
    keyword: str | None = None
    date: dt.date | None = None
    spend: int
    clicks: int
    orders: int
    revenue: int
    roas: float | None = Field(description="revenue ÷ spend; null when nothing was spent")
    acos: float | None = Field(description="spend ÷ revenue; null when nothing was earned")


class BudgetMovePublic(BaseModel):
    from_campaign: str
    to_campaign: str
    daily_amount: int


class MarginalRoasPublic(BaseModel):
    campaign: str
    marginal_roas: float | None
    roas: float | None
    daily_spend: int
    spend_days: int


class BudgetSuggestionPublic(BaseModel):
    marginal: list[MarginalRoasPublic]
    moves: list[BudgetMovePublic]
    suggestion: str


class RoasPublic(BaseModel):
    from_: dt.date = Field(alias="from")
    to: dt.date
    group_by: str
    attribution_window_days: int
    items: list[RoasItemPublic]
    next: str | None
    totals: RoasItemPublic
    budget: BudgetSuggestionPublic
    suggestion: str

    model_config = ConfigDict(populate_by_name=True)


class ErrorPublic(BaseModel):
    detail: str
