"""Last-click attribution against a brute-force oracle; budget suggestion by marginal ROAS."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from seller_api.analytics.roas import Click, Row, Sale, attribute, budget_suggestion, marginal_roas

T0 = dt.datetime(2026, 10, 1)
minutes = st.integers(min_value=0, max_value=60 * 24 * 20)
clicks_st = st.lists(
    st.tuples(
        minutes,
        st.sampled_from(["u1", "u2"]),
        st.sampled_from([1, 2, None]),
        st.sampled_from(["A", "B"]),
    ),
    max_size=12,
)
sales_st = st.lists(
    st.tuples(minutes, st.sampled_from(["u1", "u2"]), st.sampled_from([1, 2])), max_size=8
)


def oracle(
    clicks: list[Click], sales: list[Sale], window: dt.timedelta
) -> list[tuple[Sale, Click]]:
    out = []
    for s in sales:
        eligible = [
            c for c in clicks
            if c.shopper_id == s.shopper_id and c.product_id in (s.product_id, None) and c.ts <= s.ts
        ]  # fmt: skip
        if eligible:
            last = max(eligible, key=lambda c: c.ts)
            if s.ts - last.ts <= window:
                out.append((s, last))
    return out


@settings(max_examples=200, deadline=None)
@given(clicks_st, sales_st, st.integers(min_value=1, max_value=10))
def test_attribution_matches_brute_force(raw_clicks, raw_sales, days) -> None:  # type: ignore[no-untyped-def]
    # Distinct click times: with ties, "the last click" would be ambiguous for the oracle too.
    seen: set[int] = set()
    clicks = []
    for m, u, p, camp in raw_clicks:
        if m not in seen:
            seen.add(m)
            clicks.append(Click(T0 + dt.timedelta(minutes=m), u, p, camp, "kw"))
    sales = [
        Sale(i, T0 + dt.timedelta(minutes=m), u, p, 100) for i, (m, u, p) in enumerate(raw_sales)
    ]
    window = dt.timedelta(days=days)
    got = {(s.order_id, c.ts) for s, c in attribute(clicks, sales, window)}
    assert got == {(s.order_id, c.ts) for s, c in oracle(clicks, sales, window)}


def _days(pairs: list[tuple[int, int]]) -> dict[dt.date, Row]:
    out = {}
    for i, (spend, revenue) in enumerate(pairs):
        day = dt.date(2026, 10, 1) + dt.timedelta(days=i)
        out[day] = Row(day, spend=spend, revenue=revenue)
    return out


def test_marginal_roas_slope_and_shrinkage() -> None:
    # Revenue = 3 × spend + noise-free: slope 3, average 3 -> marginal 3.
    m, avg, _, n = marginal_roas(_days([(100 * k, 300 * k) for k in range(1, 15)]))
    assert n == 14 and avg == 3.0 and abs((m or 0) - 3.0) < 1e-9
    # Diminishing returns: revenue grows slower than spend, so the margin is below the average.
    m, avg, _, _ = marginal_roas(_days([(100 * k, 1000 + 50 * k) for k in range(1, 15)]))
    assert m is not None and avg is not None and m < avg
    assert marginal_roas({}) == (None, None, 0, 0)


def test_budget_moves_from_losing_to_best_campaign() -> None:
    daily = {
        "Broad": _days([(1000, 300)] * 10),
        "Repeat": _days([(500, 4000)] * 10),
        "Category": _days([(600, 1500)] * 10),
    }
    marginals, moves, text = budget_suggestion(daily)
    assert [m.campaign for m in marginals] == ["Broad", "Category", "Repeat"]
    assert [(mv.from_campaign, mv.to_campaign) for mv in moves] == [("Broad", "Repeat")]
    assert moves[0].daily_amount == 200
    assert "Broad" in text and "Repeat" in text
    _, none, text = budget_suggestion({"Only": _days([(100, 50)] * 3)})
    assert none == [] and "cut" in text
