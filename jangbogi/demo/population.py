"""Demo shoppers: demographics, a latent lifestyle and the product types their household needs.

The lifestyle (children, pets, occupation, preferences) is what later features should be able
to infer from behaviour; it is stored in ``Shopper.lifestyle`` so tests can check the inference.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from jangbogi.demo.catalog import Catalog
from jangbogi.demo.config import DemoConfig
from jangbogi.demo.rand import Stream
from store.taxonomy import Taxonomy

AGE_BANDS: tuple[tuple[str, int, int, float], ...] = (
    # band, first age, last age, share of shoppers
    ("20s", 20, 29, 0.22),
    ("30s", 30, 39, 0.28),
    ("40s", 40, 49, 0.22),
    ("50s", 50, 59, 0.16),
    ("60s+", 60, 79, 0.12),
)
OCCUPATIONS = ("student", "office_worker", "homemaker", "retired")
_OCCUPATION_BY_BAND: dict[str, tuple[float, float, float, float]] = {
    "20s": (0.45, 0.50, 0.05, 0.0),
    "30s": (0.04, 0.70, 0.26, 0.0),
    "40s": (0.0, 0.68, 0.32, 0.0),
    "50s": (0.0, 0.65, 0.30, 0.05),
    "60s+": (0.0, 0.12, 0.20, 0.68),
}
_MARRIED_BY_BAND = {"20s": 0.2, "30s": 0.62, "40s": 0.8, "50s": 0.82, "60s+": 0.78}
PACK_PREFS = ("small", "medium", "large")
_PACK_BY_SEGMENT: dict[str, tuple[float, float, float]] = {
    "student": (0.75, 0.20, 0.05),
    "single": (0.45, 0.40, 0.15),
    "couple": (0.20, 0.50, 0.30),
    "family": (0.07, 0.33, 0.60),
}
_SHOP_HOUR = {"student": 22.0, "office_worker": 21.0, "homemaker": 11.0, "retired": 10.0}

# Chance that an adult household buys a type here at all (baby, feminine and pet types follow
# the rules in _special_needs instead).
# fmt: off
BASE_NEED: dict[str, float] = {
    "liquid_laundry_detergent": 0.35, "powder_laundry_detergent": 0.08, "laundry_pods": 0.10,
    "fabric_softener": 0.22, "bleach": 0.08, "stain_remover": 0.05,
    "dish_soap": 0.30, "dishwasher_detergent": 0.06, "kitchen_sponge": 0.12,
    "rubber_gloves": 0.08, "plastic_wrap": 0.10, "aluminum_foil": 0.06, "zipper_bags": 0.10,
    "trash_bags": 0.20,
    "paper_towels": 0.22, "toilet_paper": 0.45, "facial_tissue": 0.20, "wet_wipes": 0.20,
    "all_purpose_cleaner": 0.08, "bathroom_cleaner": 0.08, "toilet_cleaner": 0.07,
    "glass_cleaner": 0.03, "floor_wipes": 0.10, "air_freshener": 0.08,
    "dehumidifier_pack": 0.06,
    "toothpaste": 0.35, "toothbrush": 0.15, "mouthwash": 0.12, "dental_floss": 0.08,
    "shampoo": 0.35, "conditioner": 0.15, "body_wash": 0.25, "bar_soap": 0.08,
    "hand_soap": 0.12, "body_lotion": 0.12, "razor": 0.10, "shaving_foam": 0.05,
    "deodorant": 0.05, "sunscreen": 0.08,
    "bottled_water": 0.35, "sparkling_water": 0.12, "coffee": 0.30, "tea": 0.10, "juice": 0.10,
    "yuja_tea": 0.04,
    "rice": 0.20, "instant_noodles": 0.30, "instant_rice": 0.20, "cooking_oil": 0.10,
    "soy_sauce": 0.10, "sugar": 0.05, "salt": 0.04, "gochujang": 0.08, "kimchi": 0.15,
    "canned_tuna": 0.12, "cereal": 0.08,
    "milk": 0.30, "eggs": 0.25, "yogurt": 0.15, "cheese_slices": 0.08,
    "face_masks": 0.15, "hand_sanitizer": 0.06, "bandages": 0.04, "batteries": 0.05,
}
# Shoppers buy only part of their household's needs here (the rest offline).
NEED_SCALE = 0.32
# Multipliers of BASE_NEED by segment; keys are type keys or taxonomy categories.
_NEED_MODS: dict[str, dict[str, float]] = {
    "student": {
        "instant_noodles": 5.0, "instant_rice": 7.0, "bottled_water": 1.6, "coffee": 1.4,
        "canned_tuna": 1.5, "rice": 0.25, "cooking_oil": 0.3, "soy_sauce": 0.3, "sugar": 0.3,
        "salt": 0.3, "gochujang": 0.4, "kimchi": 0.6, "laundry": 0.7, "cleaning": 0.5,
        "dishwasher_detergent": 0.1, "kitchen": 0.6,
    },
    "family": {
        "laundry": 1.7, "kitchen": 1.5, "paper": 1.5, "cleaning": 1.4, "rice": 2.2,
        "milk": 2.2, "eggs": 1.8, "yogurt": 2.2, "cereal": 2.5, "juice": 2.2, "kimchi": 1.6,
        "cheese_slices": 2.0, "instant_noodles": 0.8, "instant_rice": 0.8,
        "dishwasher_detergent": 2.0, "hand_soap": 1.8, "bandages": 2.0,
    },
    "couple": {"laundry": 1.3, "kitchen": 1.3, "paper": 1.2, "cleaning": 1.2, "rice": 1.5},
    "retired": {
        "tea": 2.2, "rice": 1.6, "kimchi": 1.6, "instant_noodles": 0.5, "instant_rice": 0.4,
        "coffee": 1.3, "sunscreen": 0.5, "yuja_tea": 2.5,
    },
    "female": {
        "body_lotion": 1.8, "sunscreen": 1.7, "conditioner": 1.6, "razor": 0.4,
        "shaving_foam": 0.15, "deodorant": 0.6,
    },
    "male": {"razor": 2.8, "shaving_foam": 3.6, "deodorant": 1.4, "conditioner": 0.6},
}
# fmt: on
# Share of non-owners who still buy pet food (they feed street cats, 길고양이).
STREET_CAT_FEEDERS = 0.004


@dataclass
class Persona:
    index: int
    id: str
    gender: str  # "F" / "M"
    age: int
    age_band: str
    occupation: str
    married: bool
    children: list[int]  # ages of children living at home
    pets: list[str]  # "dog", "cat"
    household_size: int
    income_band: str
    language: str  # preferred: "ko" / "en"
    brand_loyalty: float
    price_sensitivity: float
    pack_size_pref: str
    shop_hour: float  # usual hour of day for shopping
    lookahead_days: float  # how far ahead a trip pulls in types soon due (basket size)
    needs: list[str] = field(default_factory=list)
    favourite_brands: dict[str, str] = field(default_factory=dict)

    @property
    def infants(self) -> int:
        return sum(1 for a in self.children if a <= 2)

    @property
    def segment(self) -> str:
        if self.occupation == "student":
            return "student"
        if self.household_size >= 3 or self.children:
            return "family"
        return "couple" if self.household_size == 2 else "single"


def _children(age: int, married: bool, rs: Stream) -> list[int]:
    if not married:
        return []
    kids: list[int] = []
    if 26 <= age <= 42 and rs.chance(0.45 if age <= 39 else 0.2):
        # A young family: an infant, sometimes an older sibling.
        infant = rs.randint(0, 2)
        kids.append(infant)
        if age >= 30 and rs.chance(0.4):
            kids.append(infant + rs.randint(2, min(8, age - 26)))
    else:
        n = rs.weighted_index((0.2, 0.4, 0.35, 0.05) if age >= 30 else (0.7, 0.3, 0.0, 0.0))
        for _ in range(n):
            kid = age - rs.randint(26, 40)
            if 0 <= kid <= 24:
                kids.append(kid)
    return sorted(kids)


def _need_prob(type_key: str, category: str, p: Persona) -> float:
    prob = BASE_NEED.get(type_key, 0.0) * NEED_SCALE
    groups = [p.segment, "female" if p.gender == "F" else "male"]
    if p.occupation == "retired":
        groups.append("retired")
    for g in groups:
        mods = _NEED_MODS.get(g, {})
        prob *= mods.get(type_key, mods.get(category, 1.0))
    return min(prob, 0.95)


def _special_needs(p: Persona) -> dict[str, float]:
    """Types driven by a life fact (infants, a woman's age, pets) rather than by taste."""
    out: dict[str, float] = {}
    youngest = min(p.children) if p.children else None
    if p.infants:
        out |= {"diapers": 0.95, "baby_wipes": 0.85, "baby_shampoo": 0.55}
        out["infant_formula"] = 0.75 if youngest is not None and youngest <= 1 else 0.2
    elif youngest is not None and youngest <= 6:
        out |= {"diapers": 0.1, "baby_wipes": 0.3, "baby_shampoo": 0.35}
    if p.gender == "F" and p.age <= 54:
        out |= {"sanitary_pads": 0.8, "panty_liners": 0.45}
    elif p.gender == "F":
        out["panty_liners"] = 0.15
    elif p.married:
        out["sanitary_pads"] = 0.03  # bought for a partner now and then
    if "dog" in p.pets:
        out |= {"dog_food": 0.92, "pet_pads": 0.6}
    if "cat" in p.pets:
        out |= {"cat_food": 0.92, "cat_litter": 0.88}
    return out


def _favourite_brand(type_key: str, catalog: Catalog, sensitivity: float, rs: Stream) -> str:
    brands = {p.brand.en: p.brand for p in catalog.by_type[type_key]}
    names = catalog.brands_by_type[type_key]
    # Price-sensitive shoppers favour cheap brands, others the premium ones.
    weights = [brands[n].share * brands[n].premium ** (2.0 - 6.0 * sensitivity) for n in names]
    return names[rs.weighted_index(weights)]


def make_persona(index: int, rs: Stream) -> Persona:
    band, lo, hi, _ = AGE_BANDS[rs.weighted_index([b[3] for b in AGE_BANDS])]
    age = rs.randint(lo, hi)
    gender = "F" if rs.chance(0.56) else "M"
    occupation = OCCUPATIONS[rs.weighted_index(_OCCUPATION_BY_BAND[band])]
    if occupation == "homemaker" and gender == "M" and rs.chance(0.75):
        occupation = "office_worker"
    married = rs.chance(0.02 if occupation == "student" else _MARRIED_BY_BAND[band])
    children = _children(age, married, rs)
    if married:
        household = 2 + len(children) + (1 if rs.chance(0.05) else 0)
    else:
        household = 1 + (1 if rs.chance(0.25) else 0)
    student = occupation == "student"
    pets = []
    if rs.chance(0.05 if student else 0.15 + (0.06 if household >= 3 else 0.0)):
        pets.append("dog")
    if rs.chance(0.05 if student else 0.10 + (0.04 if household == 1 else 0.0)):
        pets.append("cat")
    income = {
        "student": ("low",),
        "retired": ("low",) * 5 + ("middle",) * 4 + ("high",),
        "office_worker": ("low",) * 2 + ("middle",) * 5 + ("high",) * 3,
        "homemaker": ("low",) * 2 + ("middle",) * 5 + ("high",) * 3,
    }[occupation]
    income_band = rs.pick(income)
    shift = {"low": 0.2, "middle": 0.0, "high": -0.2}[income_band] + (0.1 if student else 0.0)
    sensitivity = min(1.0, max(0.0, float(rs.rng.beta(2.0, 2.0)) + shift))
    loyalty = float(rs.rng.beta(1.2, 1.2))
    p = Persona(
        index=index,
        id=f"u{index + 1:05d}",
        gender=gender,
        age=age,
        age_band=band,
        occupation=occupation,
        married=married,
        children=children,
        pets=pets,
        household_size=household,
        income_band=income_band,
        language="ko" if rs.chance(0.7) else "en",
        brand_loyalty=round(loyalty, 3),
        price_sensitivity=round(sensitivity, 3),
        pack_size_pref="medium",
        shop_hour=0.0,
        lookahead_days=min(9.0, 3.0 + 2.0 * (household - 1)),
    )
    p.pack_size_pref = PACK_PREFS[rs.weighted_index(_PACK_BY_SEGMENT[p.segment])]
    p.shop_hour = min(23.8, max(6.5, _SHOP_HOUR[occupation] + 2.0 * rs.normal()))
    return p


def assign_needs(p: Persona, taxonomy: Taxonomy, catalog: Catalog, rs: Stream) -> None:
    special = _special_needs(p)
    scored: list[tuple[float, str]] = []
    for t in taxonomy.types:
        if t.key in special:
            prob = special[t.key]
        elif t.category == "pet" and t.key in ("cat_food", "dog_food"):
            prob = STREET_CAT_FEEDERS if t.key == "cat_food" else 0.0
        else:
            prob = _need_prob(t.key, t.category, p)
        u = rs.u()
        scored.append((u / prob if prob > 0 else float("inf"), t.key))
        if u < prob:
            p.needs.append(t.key)
    if len(p.needs) < 3:
        # Everyone buys a few things here: take the types that came closest to being drawn.
        for _, key in sorted(scored):
            if key not in p.needs:
                p.needs.append(key)
            if len(p.needs) >= 3:
                break
        p.needs.sort(key=lambda k: taxonomy.keys().index(k))
    for key in p.needs:
        p.favourite_brands[key] = _favourite_brand(key, catalog, p.price_sensitivity, rs)


def build_population(
    config: DemoConfig,
    taxonomy: Taxonomy,
    catalog: Catalog,
    advance: Callable[[int], None] | None = None,
) -> list[Persona]:
    rs = Stream.of(config.seed, "population")
    people = []
    for i in range(config.n_shoppers):
        p = make_persona(i, rs)
        assign_needs(p, taxonomy, catalog, rs)
        people.append(p)
        if advance is not None:
            advance(1)
    return people


def shopper_row(p: Persona, created: dt.datetime) -> dict[str, Any]:
    return {
        "id": p.id,
        "source": "demo",
        "gender": p.gender,
        "age_band": p.age_band,
        "married": p.married,
        "kids_count": len(p.children),
        "household_size": p.household_size,
        "income_band": p.income_band,
        "language": p.language,
        "lifestyle": {
            "age": p.age,
            "segment": p.segment,
            "occupation": p.occupation,
            "married": p.married,
            "children": p.children,
            "pets": p.pets,
            "language": p.language,
            "brand_loyalty": p.brand_loyalty,
            "price_sensitivity": p.price_sensitivity,
            "pack_size_pref": p.pack_size_pref,
            "favourite_brands": p.favourite_brands,
            "needs": p.needs,
        },
        "created_at": created,
    }
