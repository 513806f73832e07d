"""Replies in the shopper's language: English, or Korean in polite 해요체. Prices "12,900원" /
"12,900 won"; sizes as shoppers say them."""

from __future__ import annotations

from typing import Any

from retrieval.query import has_batchim

MESSAGES: dict[str, tuple[str, str]] = {
    "found": ("Here is what I found for {query}:", "{query} 검색 결과예요:"),
    "found_none": (
        "Sorry, I couldn't find {query}. Try another word or a higher price limit.",
        "죄송해요, {query}{josa_eul} 찾지 못했어요. 다른 말이나 더 높은 가격으로 찾아보세요.",
    ),
    # A refinement with nothing left of the same type: the list on screen stays.
    "refine_none_cheaper": (
        "Those are the cheapest {query} I have. Pick one of them, or ask for something else.",
        "{query}{josa_eun} 그게 가장 저렴해요. 그중에서 고르시거나 다른 걸 말씀해 주세요.",
    ),
    "refine_none_bigger": (
        "There's no bigger {query} than those. Pick one of them, or ask for something else.",
        "{query}{josa_eun} 그보다 큰 상품이 없어요. 그중에서 고르시거나 다른 걸 말씀해 주세요.",
    ),
    "refine_none_smaller": (
        "There's no smaller {query} than those. Pick one of them, or ask for something else.",
        "{query}{josa_eun} 그보다 작은 상품이 없어요. 그중에서 고르시거나 다른 걸 말씀해 주세요.",
    ),
    "refine_none_cap": (
        "I have no {query} for {price} or less. Pick one of those, or ask for something else.",
        "{query}{josa_eun} {price} 이하 상품이 없어요. 그중에서 고르시거나 다른 걸 말씀해 주세요.",
    ),
    "refine_none_size": (
        "I have no {query} in {size}. Pick one of those, or ask for something else.",
        "{query}{josa_eun} {size} 상품이 없어요. 그중에서 고르시거나 다른 걸 말씀해 주세요.",
    ),
    "refine_none_other_brand": (
        "I have no other brand of {query}. Pick one of those, or ask for something else.",
        "{query}{josa_eun} 다른 브랜드가 없어요. 그중에서 고르시거나 다른 걸 말씀해 주세요.",
    ),
    "read_item": ("{n}. {name}, {price}", "{n}번, {name}, {price}"),
    "ask_select": (
        "Which one would you like? Say 'the first one' or 'add two'.",
        "어떤 걸로 하시겠어요? '첫 번째 거'나 '두 개 담아줘'라고 말씀해 주세요.",
    ),
    "no_results_yet": (
        "Tell me what you're looking for first, for example 'toilet paper'.",
        "먼저 찾으시는 상품을 말씀해 주세요. 예를 들면 '화장지'요.",
    ),
    "no_such_item": (
        "There's no item {n} in the list. I showed {count}.",
        "목록에 {n}번 상품이 없어요. {count}개를 보여 드렸어요.",
    ),
    "selected": (
        "{name_size}, {price}. {stock} Shall I add it to your cart?",
        "{name_size}, {price}이에요. {stock} 장바구니에 담을까요?",
    ),
    "in_stock": ("In stock.", "재고 있어요."),
    "out_of_stock": ("Out of stock right now.", "지금은 품절이에요."),
    "added": (
        "Added {qty} × {name}. Your cart total is {total}.",
        "{name} {qty}개를 담았어요. 장바구니 합계는 {total}이에요.",
    ),
    "removed": (
        "Removed {name}. Cart total: {total}.",
        "{name}{josa_eul} 뺐어요. 합계는 {total}이에요.",
    ),
    "qty_changed": (
        "{name} is now {qty}. Cart total: {total}.",
        "{name} 수량을 {qty}개로 바꿨어요. 합계는 {total}이에요.",
    ),
    "not_in_cart": ("That isn't in your cart.", "장바구니에 없는 상품이에요."),
    "which_quantity": (
        "How many {name} would you like? Say, for example, 'make it 3'.",
        "{name} 몇 개로 바꿀까요? '3개로 바꿔줘'처럼 말씀해 주세요.",
    ),
    "cart_empty": ("Your cart is empty.", "장바구니가 비어 있어요."),
    "cart_empty_offer": (
        "Your cart is empty. Shall I add {qty} × {name_size} ({price}) first?",
        "장바구니가 비어 있어요. {name_size} {qty}개({price})부터 담을까요?",
    ),
    "cart": ("Your cart: {lines}. Total {total}.", "장바구니: {lines}. 합계 {total}이에요."),
    "cart_line": ("{qty} × {name}", "{name} {qty}개"),
    "cleared": ("Your cart is now empty.", "장바구니를 비웠어요."),
    "confirm_checkout": (
        "Your total is {total} for {count} {items}. Shall I place the order? Please say yes.",
        "총 {count}개 상품, {total}이에요. 주문할까요? '네'라고 말씀해 주세요.",
    ),
    "still_pending": (
        "Your order of {total} is waiting for your yes.",
        "{total} 주문이 확인을 기다리고 있어요.",
    ),
    # Something not understood while a yes or no is awaited: the question again, still pending.
    "reask_checkout": (
        "Sorry, I didn't catch that. Shall I place your order of {total}? Say yes or no.",
        "죄송해요, 잘 못 알아들었어요. {total} 주문할까요? '네' 또는 '아니요'라고 말씀해 주세요.",
    ),
    "reask_add": (
        "Sorry, I didn't catch that. Shall I add {qty} × {name} to your cart? Say yes or no.",
        "죄송해요, 잘 못 알아들었어요. {name} {qty}개 담을까요? "
        "'네' 또는 '아니요'라고 말씀해 주세요.",
    ),
    "total_changed": (
        "Your cart changed: the total is now {total}. Shall I place the order? Please say yes.",
        "장바구니가 바뀌어서 합계가 {total}이에요. 주문할까요? '네'라고 말씀해 주세요.",
    ),
    "ordered": (
        "Order {order_id} is placed: {total}. Thank you!",
        "주문 {order_id}번이 완료됐어요. 결제 금액은 {total}이에요. 감사합니다!",
    ),
    "already_ordered": (
        "Order {order_id} is already placed; I won't order twice.",
        "주문 {order_id}번은 이미 완료됐어요. 두 번 주문하지 않아요.",
    ),
    "cancelled": ("Okay, nothing was ordered.", "알겠어요, 주문하지 않았어요."),
    "nothing_pending": ("Okay. What would you like to buy?", "네, 무엇을 사시겠어요?"),
    "no_usual": (
        "I don't see a usual {what} in your orders yet. Shall I search for it instead?",
        "아직 늘 사시던 {what} 기록이 없어요. 대신 검색해 드릴까요?",
    ),
    "no_usual_any": (
        "You have no orders yet, so I don't know your usual. What would you like to buy?",
        "아직 주문 내역이 없어서 늘 사시던 상품을 몰라요. 무엇을 사시겠어요?",
    ),
    "usual": (
        "Your usual is {name_size}, {price}. Add {qty} to your cart?",
        "늘 사시던 상품은 {name_size}, {price}이에요. {qty}개 담을까요?",
    ),
    "no_orders": ("You have no orders yet.", "아직 주문 내역이 없어요."),
    "order_status": (
        "Order {order_id} ({date}) is {status}, total {total}.",
        "{date} 주문 {order_id}번은 {status} 상태예요. 금액은 {total}이에요.",
    ),
    "history": ("Your recent orders: {orders}.", "최근 주문: {orders}."),
    "history_item": ("{order_id} on {date}, {total}", "{date} {order_id}번 {total}"),
    "recommend": ("You may be running low on these:", "다시 살 때가 된 상품이에요:"),
    "recommend_none": (
        "Nothing seems due yet. Ask me for anything you need.",
        "아직 다시 살 상품이 없어요. 필요한 걸 말씀해 주세요.",
    ),
    "answer": ("{name_size}: {price}. {stock}", "{name_size}: {price}. {stock}"),
    "which_product": (
        "Which product do you mean? Search first, then say 'the first one'.",
        "어떤 상품 말씀이세요? 먼저 검색하고 '첫 번째 거'라고 말씀해 주세요.",
    ),
    "not_enough_stock": (
        "Sorry, {name} has only {stock} left.",
        "죄송해요, {name}{josa_eun} {stock}개만 남았어요.",
    ),
    "error": (
        "Sorry, something went wrong on my side. Please try again in a moment.",
        "죄송해요, 잠시 문제가 생겼어요. 조금 뒤에 다시 말씀해 주세요.",
    ),
}
STATUS = {
    "placed": ("placed", "주문 접수"),
    "shipped": ("shipped", "배송 중"),
    "delivered": ("delivered", "배송 완료"),
    "cancelled": ("cancelled", "취소"),
}


def t(key: str, lang: str, **kw: Any) -> str:
    en, ko = MESSAGES[key]
    if lang == "ko":
        for name in ("query", "name", "what"):
            if name in kw:
                word = str(kw[name])
                kw.setdefault("josa_eul", "을" if has_batchim(word) else "를")
                kw.setdefault("josa_eun", "은" if has_batchim(word) else "는")
                break
        kw.setdefault("josa_eul", "을")
        kw.setdefault("josa_eun", "은")
        return ko.format(**kw)
    return en.format(**kw)


def price(amount: int, currency: str, lang: str) -> str:
    if currency == "KRW":
        return f"{amount:,}원" if lang == "ko" else f"{amount:,} won"
    return f"{amount / 100:,.2f} {currency}"


def size(value: float, unit: str, lang: str) -> str:
    v = f"{value:g}"
    if unit in {"L", "ml", "g", "kg", "m"}:
        return f"{v}{unit}"
    words = {
        "roll": ("rolls", "롤"), "count": ("count", "개입"), "pair": ("pairs", "켤레"),
    }.get(unit, (unit, unit))  # fmt: skip
    return f"{v}{words[1]}" if lang == "ko" else f"{v} {words[0]}"


def status(value: str, lang: str) -> str:
    en, ko = STATUS.get(value, (value, value))
    return ko if lang == "ko" else en
