"""The generated NLU data: held-out examples are never trained on, and the split is stable, so
held-out figures before and after a change of the templates are measured on the same examples."""

from __future__ import annotations

from nlu import build_data


def test_held_out_is_disjoint_and_about_a_fifth() -> None:
    own = build_data.own_examples()
    for (intent, _lang), examples in own.items():
        train, held = build_data.split(intent, examples)
        assert not set(train) & set(held)
        assert sorted(train + held) == sorted(examples)
        if len(examples) >= 10:
            assert 0.1 <= len(held) / len(examples) <= 0.3


def test_a_new_template_moves_no_other_example(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    before = build_data.own_examples()
    templates = dict(build_data.TEMPLATES)
    en, ko = templates["greet"]
    monkeypatch.setattr(build_data, "TEMPLATES", {**templates, "greet": ([*en, "yo {p}"], ko)})
    after = build_data.own_examples()
    for key, examples in before.items():
        if key == ("greet", "en"):
            continue
        assert after[key] == examples  # other templates draw the same fillers
        intent = key[0]
        assert build_data.split(intent, after[key]) == build_data.split(intent, examples)


def test_clinc_list_updates_are_read_by_their_first_operation() -> None:
    from nlu.build_data import list_update_intent

    for text in ("i want you to remove shampoo from my shopping list",
                 "i no longer need milk, so forget that", "take frozen food off my list",
                 "i need to delete tomatoes from my shopping list and add onions instead"):  # fmt: skip
        assert list_update_intent(text) == "remove_from_cart", text
    for text in ("add eggs to my shopping list and remove cheese", "put milk on my list",
                 "i need bread on my shopping list"):  # fmt: skip
        assert list_update_intent(text) == "add_to_cart", text
