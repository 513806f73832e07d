"""Build the NLU training data (English and Korean) and its held-out split, deterministically.

Own shopping examples come from templates filled with taxonomy names, synonyms and demo brands;
CLINC150's `train` split adds real crowd-sourced shopping requests (mapped onto our intents) and
out-of-scope negatives (all of its 146 other intents, each kept as a group of the out_of_scope
intent so the classifier learns them as compact classes, plus `oos_train`). CLINC's `test`
split is never read here. Run: `.venv/bin/python -m nlu.build_data` (a test checks the committed
files match this script's output).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Iterable
from pathlib import Path

from retrieval.query import has_batchim
from store.paths import clinc150_file, project_root
from store.taxonomy import load_taxonomy

SEED = 7
GROUP = "::"  # intent::group, see nlu/intents.py
HELDOUT_SHARE = 0.2
OUT_TRAIN = Path("nlu/data")
OUT_HELDOUT = Path("tests/rasa/data")

BRANDS_EN = [
    "Persil",
    "Downy",
    "Kleenex",
    "Huggies",
    "Samdasoo",
    "Nongshim",
    "Ottogi",
    "Dove",
    "Gillette",
    "Colgate",
    "Joy",
    "Tech",
    "Bosomi",
    "Seoul Milk",
    "Maeil",
]
BRANDS_KO = ["퍼실", "다우니", "크리넥스", "하기스", "삼다수", "농심", "오뚜기", "도브",
             "질레트", "콜게이트", "조이", "테크", "보솜이", "서울우유", "매일"]  # fmt: skip
# Groceries beyond the taxonomy's necessities: shoppers phrase requests the same way for any item,
# and the intent must not hinge on the product word (CLINC's requests name steak, bread, salt…).
GROCERY_EN = ["bread", "milk", "eggs", "bananas", "coffee", "paper towels", "dog food", "steak",
              "apples", "salt", "cereal", "orange juice", "batteries", "trash bags", "butter",
              "chicken breast", "cat litter", "olive oil", "yogurt", "light bulbs"]  # fmt: skip
NUM_EN = ["one", "two", "three", "four", "five", "2", "3", "4", "6", "10"]
NUM_KO = ["한 개", "두 개", "세 개", "네 개", "다섯 개", "2개", "3개", "두 팩", "세 팩", "한 박스",
          "2팩", "4개", "열 개", "하나", "둘"]  # fmt: skip
ORD_EN = ["first", "second", "third", "the 1st", "the 2nd", "the 3rd", "last", "number two"]
ORD_KO = ["첫 번째", "두 번째", "세 번째", "1번", "2번", "3번", "마지막", "첫번째", "두번째"]
SIZE_EN = ["2 litre", "500ml", "1.5L", "3kg", "1kg", "30 rolls", "500g", "2L", "10kg", "24 pack"]
SIZE_KO = ["2리터", "500ml", "1.5리터", "3킬로", "1kg", "30롤", "500g", "2L", "10kg", "24개입"]
PRICE_EN = ["under 10,000 won", "below 5000 won", "less than 20,000 won", "under 15000",
            "no more than 30,000 won", "under 8k"]  # fmt: skip
PRICE_KO = ["만원 이하", "5천원 이하", "2만원 미만", "만오천원 이하", "3만원까지", "1만원 이하",
            "만 원 아래"]  # fmt: skip
# A cart by any name, and the endings of a Korean request (보여 + 줘 / 주세요 / 줄래요 …): a
# shopper's phrasing varies on both, and a classifier that saw one form only misses the others.
CART_EN = ["cart", "basket", "shopping cart", "trolley", "shopping basket"]
CART_KO = ["장바구니", "카트", "쇼핑카트", "장바구니 목록"]
ENDINGS_KO = ["줘", "주세요", " 주세요", "줘요", "줄래?", "줄래요?", "주실래요?", "줘봐"]

# intent → (English templates, Korean templates). {p} product, {b} brand, {n} quantity,
# {o} ordinal, {s} size, {c} price cap, {g} any grocery (English) or product (Korean), {k} a cart,
# {e} a Korean request ending.
TEMPLATES: dict[str, tuple[list[str], list[str]]] = {
    "greet": (
        ["hi", "hello", "hey there", "good morning", "hello assistant", "hi there", "hey",
         "good evening", "howdy", "hello, anyone there?", "hiya", "good afternoon",
         "hi assistant", "hello hello", "hey, good morning",
         "morning", "greetings", "hey assistant", "hi jangbogi", "hello again",
         "hi again", "hey jangbogi", "hello jangbogi",
         "good morning assistant", "evening", "hi, good evening", "hey, hello"],
        ["안녕", "안녕하세요", "반가워요", "좋은 아침이에요", "여보세요", "안녕하세요 장보기",
         "하이", "좋은 저녁이에요", "반갑습니다", "안녕 장보기야", "헬로", "안녕하십니까", "반가워", "저기요", "좋은 오후예요", "안녕하세요 반가워요", "하이 장보기",
         "안녕하세요?", "안녕 반가워", "여기요", "안녕하세요 반갑습니다", "좋은 하루예요", "오랜만이에요", "헬로우", "하이요", "굿모닝",
         "안녕하신가요", "저기요 안녕하세요", "반가워요 장보기", "안녕 안녕", "장보기야 안녕"],
    ),
    "goodbye": (
        ["bye", "goodbye", "see you later", "that's all, thanks", "bye bye", "talk to you later",
         "i'm done, bye", "see ya", "good night", "that will be all", "thanks, bye",
         "bye, talk soon", "ok bye for now", "that's everything, goodbye",
         "see you", "catch you later", "goodbye for now", "I'm finished, bye",
         "that's it for today", "thank you, goodbye", "have a good day, bye",
         "goodbye assistant", "bye jangbogi", "that's all for now, bye",
         "I'm leaving now, bye", "see you next time", "thanks for your help, bye",
         "all done, goodbye", "take care, bye"],
        ["잘 있어", "안녕히 계세요", "다음에 봐요", "고마워요 이제 됐어요", "그만할게요", "바이",
         "수고하세요", "이만 끝낼게요", "잘 가", "다음에 또 올게요", "안녕히 계세요 고마워요", "이제 됐어 고마워", "끝", "오늘은 여기까지", "나중에 봐",
         "안녕히 가세요", "잘 있어요", "그럼 이만", "고마워요 안녕", "다음에 봬요", "이제 끝", "종료", "그만 끝낼래요", "이만 갈게요",
         "또 봐요", "잘 자", "수고했어요", "고마워 잘 있어", "바이바이", "오늘은 이걸로 끝",
         "수고하셨어요", "그럼 안녕히 계세요", "이제 갈게요", "다음에 또 봐요"],
    ),
    "help": (
        ["what can you do?", "help", "how does this work?", "what can I ask you?",
         "help me please", "what are you able to do", "how do I use this", "what do you do",
         "i need help", "show me what you can do", "how can you help with shopping",
         "what kind of things can you do", "what are my options",
         "how does shopping work here", "can you help me", "what commands do you understand",
         "tell me what you can do", "what features do you have", "how do I order something",
         "explain how to use you",
         "what can I do here", "how do I use the shopping assistant", "what can I ask for",
         "what can this assistant do", "how do I shop with you",
         "give me some examples", "what should I say", "what are you for",
         "how do I add things to my cart", "what do you know how to do",
         "I'm not sure how this works", "can you explain what you do"],
        ["뭐 할 수 있어?", "도와줘", "어떻게 쓰는 거예요?", "도움말", "무엇을 물어볼 수 있어요?",
         "사용법 알려줘", "뭘 도와줄 수 있어요?", "기능이 뭐야", "도움이 필요해요", "어떻게 주문해요?",
         "뭘 할 수 있는지 알려줘", "어떻게 하는 거야?", "너는 뭘 해?", "도움 좀 주세요", "사용 방법이 궁금해요",
         "무슨 일을 할 수 있어요?",
         "뭐 할 줄 알아?", "어떤 기능이 있어요?", "사용법", "뭘 물어봐야 돼?", "도와주세요", "어떻게 써요?", "할 수 있는 게 뭐예요?",
         "어떤 걸 도와줄 수 있어?", "이거 어떻게 사용해?", "처음인데 어떻게 해요?", "명령어 알려줘", "무엇을 할 수 있나요?", "뭐 물어봐도 돼?",
         "도움말 보여줘", "어떻게 장보면 돼요?",
         "사용법 알려{e}", "도와{e}", "뭘 할 수 있는지 알려{e}", "어떻게 쓰는지 알려{e}"],
    ),
    "search_product": (
        ["{p}", "I need {p}", "find me some {p}", "do you have {p}?", "search for {p}",
         "show me {p}", "I'm looking for {p}", "{b} {p}", "{p} {s}", "{p} {c}",
         "I want to buy {p}", "can I get {p}", "looking for {b} {p}", "any {p} {c}?",
         "order {g} for me", "can you order some {g}", "order more {g}", "buy me some {g}",
         "I'd like to order {g}", "place an order for {g}", "get {g} delivered",
         "I ran out of {g}, order more", "please buy {g} for me", "can you get me {g}",
         "show me {s} {p}", "we're out of {p}", "get me {p}", "I need some {b} {p}",
         "purchase me {g}", "I want to purchase {g}", "buy {g}", "get me some {g} from the store",
         # A brand alone is a search too ("do you have Persil?" was out of scope).
         "do you have {b}?", "{b}", "show me {b}", "I want {b}", "any {b}?", "do you sell {b}?",
         "find {b} products"],
        ["{p}", "{p} 주세요", "{p} 찾아줘", "{p} 있어요?", "{p} 검색해줘", "{p} 보여줘",
         "{p} 사고 싶어요", "{b} {p}", "{p} {s}", "{c} {p}", "{p} 필요해요", "{b} {p} 찾아줘",
         "{s} {p} 있어?", "{c} {p} 보여줘", "{p} 다 떨어졌어", "{p} 좀 찾아봐", "{p} 살래요",
         "{p}{j} 사려고요",
         "{p} 사줘", "{p} 주문하고 싶어", "{p} 찾고 있어요", "{p} 좀 보여주세요", "{p} 뭐 있어?", "{s} {p} 찾아줘",
         "{p}{j} 찾고 있어요",
         "{p} 찾아{e}", "{p} 보여{e}", "{b} {p} 찾아{e}", "{s} {p} 보여{e}", "{c} {p} 찾아{e}",
         "{b} 있어요?", "{b} 보여{e}", "{b} 제품 찾아{e}", "{b} 있나요?", "{b} 사고 싶어요"],
    ),
    "refine": (
        ["cheaper", "something cheaper", "show me cheaper ones", "a bigger one", "bigger size",
         "smaller please", "a smaller pack", "another brand", "different brand please",
         "anything {c}?", "only {c}", "the {s} one", "do you have a bigger pack",
         "any cheaper option", "show me other brands", "is there a smaller size",
         "I want the {s} one", "something less expensive", "the larger size", "{c} please",
         "which is the cheapest?", "the cheapest one", "show me the cheapest", "the biggest pack",
         "what's the cheapest one", "the smallest size please", "cheapest please"],
        ["더 싼 거", "더 저렴한 거 있어요?", "더 큰 거", "큰 용량으로", "더 작은 거", "작은 걸로",
         "다른 브랜드", "다른 브랜드 보여줘", "{c}로 보여줘", "{c}만", "{s}짜리", "{s}로 주세요",
         "더 싼 걸로 보여줘", "용량 큰 거 있어요?", "다른 회사 거", "좀 더 작은 사이즈",
         "{s}짜리 있어요?", "가격 더 낮은 거", "대용량으로", "{c}인 거",
         "좀 더 싼 거 없어요?", "더 큰 사이즈", "브랜드 바꿔줘", "더 저렴한 걸로", "작은 용량 있어?", "{s}짜리로 보여줘",
         "더 싼 거 보여{e}", "다른 브랜드 보여{e}", "더 큰 걸로 보여{e}", "{c}로 찾아{e}", "{s}짜리로 보여{e}",
         "제일 싼 거 뭐예요?", "가장 저렴한 걸로", "최저가로 보여{e}", "제일 큰 거", "가장 작은 용량으로"],
    ),
    "select_item": (
        ["the {o} one", "{o}", "I'll take the {o} one", "the {o}", "{o} please",
         "tell me about the {o} one", "let's go with the {o}", "that {o} one", "pick the {o}",
         "option {n}"],
        ["{o} 거", "{o}", "{o} 걸로", "{o} 거요", "{o} 상품", "{o} 거 자세히", "{o} 걸로 할게요",
         "{o}꺼", "{o} 보여줘", "{o} 선택",
         "{o} 거 어때?", "{o}로 할게요", "{o} 걸 고를게요", "{o} 걸로 볼게요",
         "{o} 거 보여{e}", "{o} 거 자세히 알려{e}", "{o} 걸로 골라{e}"],
    ),
    "add_to_cart": (
        ["add {p} to my cart", "put {n} in the cart", "add {n} of them", "add it to the cart",
         "I'll take {n}", "add the {o} one to my cart", "put {n} {p} in my basket",
         "add {b} {p} to cart", "add that", "yes add {n}", "throw {n} {p} in the cart",
         "add to cart", "put it in my basket", "add {n} please", "add {p} to my shopping list",
         "put {g} on my grocery list", "add {g} to my list", "remind me to buy {g}",
         "{g} needs to go on my shopping list", "we're out of {g}, add it to my list",
         "put {g} in my cart",
         "add {n} {b} {p}", "add the {o} one", "add the {o}", "I'll add the {o} one",
         "put the {o} one in my cart",
         "add it to my {k}", "put {n} {p} in my {k}", "add the {o} one to my {k}",
         "put that in the {k}"],
        ["장바구니에 담아줘", "{n} 담아줘", "{p} 장바구니에 넣어줘", "{o} 거 {n} 담아줘",
         "{p} {n} 담아줘", "이거 담아줘", "{n} 넣어줘", "장바구니에 추가해줘", "{b} {p} 담아",
         "그거 담아", "{n} 주세요", "카트에 넣어줘", "{p} {n} 장바구니에 넣어", "담아줘",
         "{n} 추가해줘", "{o} 걸로 {n} 담아줘", "{o} 거 담아줘", "{o} 거 장바구니에 넣어줘",
         "{o} 걸로 담아줘",
         "{o} 거 {n} 장바구니에 넣어줘", "{o} 거로 담아줘", "그걸로 {n} 담아줘", "{o} 상품 담아줘", "{o} 거 카트에 넣어",
         "{p} {n} 추가해줘", "{o} 거 추가해줘", "{n}만 담아줘", "{o}꺼 담아줘",
         "{k}에 담아{e}", "{p} {k}에 넣어{e}", "{o} 거 {k}에 담아{e}", "{n} {k}에 추가해{e}", "{o} 거 {n} 담아{e}",
         "{p} {n} 담아{e}", "{o} 걸로 담아{e}"],
    ),
    "remove_from_cart": (
        ["remove {p} from my cart", "take {p} out", "delete the {p}", "remove it",
         "take the {o} item out of my cart", "I don't want the {p} anymore", "remove that",
         "delete {p} from the basket", "get rid of the {p}", "drop the {p} from my cart",
         "take {g} off my list", "remove {g} from my shopping list",
         "I don't need {g} anymore, cross it off", "I want you to remove {p} from my {k}",
         "we no longer need {p}", "I no longer need the {p}",
         "take {p} out of my {k}", "remove the {o} item from my {k}"],
        ["{p} 빼줘", "장바구니에서 {p} 빼줘", "{p} 삭제해줘", "그거 빼줘", "{o} 거 빼줘",
         "{p} 필요 없어요", "이거 삭제", "{p} 제거해줘", "장바구니에서 빼", "{p} 지워줘",
         "{p} 장바구니에서 삭제", "{o} 거 삭제해줘", "{p} 안 살래",
         "{k}에서 {p} 빼{e}", "{o} 거 {k}에서 빼{e}", "{p} 삭제해{e}", "{o} 거 빼{e}", "{p} 빼{e}"],
    ),
    "change_quantity": (
        ["make it {n}", "change the {p} to {n}", "I want {n} instead", "change quantity to {n}",
         "only {n} of the {p}", "update the {p} to {n}", "set it to {n}",
         "change the {o} item to {n}", "just {n} please", "make that {n} {p}"],
        ["{n}로 바꿔줘", "{p} {n}로 변경해줘", "수량 {n}로", "{n}만 할게요", "{p} 수량 바꿔줘",
         "{o} 거 {n}로 바꿔줘", "{n}로 해줘", "수량 변경", "{p} {n}만", "개수 {n}로 바꿔",
         "{p} {n}로 바꿔", "{n}로 수정해줘", "수량을 {n}로 줄여줘", "{n}로 늘려줘",
         "{p} {n}로 바꿔{e}", "수량 {n}로 바꿔{e}", "{o} 거 {n}로 바꿔{e}", "{n}로 변경해{e}"],
    ),
    "view_cart": (
        ["what's in my cart?", "show my cart", "view cart", "what did I add", "show me my basket",
         "how much is in my cart", "cart", "list my cart", "what's in my basket",
         "is {p} in my cart?", "read my cart", "what have I got so far",
         "did I add {g} to my list", "is {g} on my shopping list", "what's on my grocery list",
         "did I put {g} on my list already", "check if {g} is on my list",
         "read me my shopping list",
         "show me my {k}", "what's in the {k}", "read out my {k}", "what's in my {k} right now",
         "how much is my {k}", "open my {k}", "what have I put in my {k}",
         "show me what's in my {k}", "what's in there so far", "what do I have in my {k}",
         "list what I've added", "tell me what's in my {k}", "what have I added so far"],
        ["장바구니 보여줘", "장바구니에 뭐 있어?", "장바구니 확인", "뭐 담았어?", "장바구니",
         "카트 보여줘", "지금 담긴 거 알려줘", "{p} 장바구니에 있어?", "장바구니 얼마야?",
         "담은 거 보여줘", "장바구니 목록", "지금까지 뭐 담았지?",
         "장바구니에 뭐 들어 있어?", "담긴 거 보여줘", "장바구니 열어줘", "내 장바구니", "카트에 뭐 있어?", "장바구니 총액 알려줘",
         "장바구니 내용 읽어줘", "지금 장바구니 어때?", "{p} 담았어?",
         "{k} 보여{e}", "{k}에 뭐 있어?", "{k} 확인해{e}", "{k}에 담긴 거 알려{e}", "{k} 얼마야?", "{k} 좀 보여{e}",
         "{k}에 뭐 담았는지 알려{e}"],
    ),
    "clear_cart": (
        ["clear my cart", "empty the cart", "remove everything", "start over with an empty cart",
         "delete all items", "empty my basket", "clear everything in the cart",
         "throw out everything in my cart",
         "clear the basket", "remove all items from my cart",
         "empty my {k}", "clear the {k}", "remove everything from my {k}",
         "throw out everything in my {k}", "reset my {k}"],
        ["장바구니 비워줘", "장바구니 다 지워줘", "전부 삭제해줘", "장바구니 초기화", "다 빼줘",
         "카트 비워", "담은 거 전부 삭제", "장바구니 싹 비워줘", "장바구니 전부 비워 주세요",
         "담은 거 다 취소해줘", "처음부터 다시 담을게요", "장바구니 리셋",
         "장바구니 전부 삭제", "카트 다 비워줘", "전부 빼줘", "장바구니 모두 지워", "다 지워줘", "장바구니 깨끗하게 비워줘",
         "{k} 비워{e}", "{k} 다 지워{e}", "{k} 전부 삭제해{e}", "{k} 초기화해{e}", "{k} 리셋해{e}",
         "{k}에 있는 거 다 빼{e}", "{k} 싹 비워{e}"],
    ),
    "reorder_usual": (
        ["order my usual {p}", "the usual", "reorder my usual", "get me my usual {p}",
         "same {p} as last time", "order what I always get", "buy my regular {p}",
         "I want my usual", "reorder the {p} I always buy", "same as last time",
         "my usual {p} please", "repeat my last order",
         "order the usual {p} again", "same {p} as always"],
        ["늘 사던 걸로", "늘 사던 {p}", "평소에 사던 {p} 주문해줘", "지난번이랑 같은 걸로",
         "항상 사던 거", "사던 {p}로 주세요", "저번에 산 {p} 다시", "늘 먹던 걸로",
         "맨날 사는 {p}", "지난번 {p} 재주문", "평소 사던 걸로 담아줘", "원래 쓰던 {p}",
         "늘 사던 거 주문해줘", "평소처럼 주문해줘", "지난번 거 그대로", "자주 사는 {p}", "항상 사는 {p} 주문", "늘 사던 {p}로 담아줘",
         "원래 사던 걸로 주세요", "저번처럼 주문해줘",
         "늘 사던 {p} 주문해{e}", "늘 사던 걸로 담아{e}", "평소 사던 {p} 다시 주문해{e}", "사던 걸로 주문해{e}"],
    ),
    "checkout": (
        ["checkout", "check out", "I'm ready to pay", "place my order", "buy everything in my cart",
         "proceed to checkout", "let's pay", "complete my purchase", "order everything in my cart",
         "I want to pay now", "finish my order", "buy it", "order everything on my list",
         "buy all the items on my shopping list",
         "pay now", "I'd like to check out", "place the order", "go to checkout",
         "I'm done shopping, check out", "complete the order", "order it now",
         "check out my {k}", "pay for my {k}", "order what's in my {k}",
         "buy everything in my {k}",
         "I'd like to pay", "let's check out", "ready to check out", "time to pay",
         "take me to checkout", "I want to place my order", "submit my order",
         "finalize my order"],
        ["결제할게요", "주문할게요", "결제해줘", "주문해줘", "계산할게요", "장바구니 주문",
         "구매할게요", "결제 진행해줘", "이대로 주문", "주문 완료해줘", "결제하기", "이제 살게요",
         "결제해 주세요", "주문 넣어줘", "이걸로 주문할게", "계산해줘", "결제 부탁해요", "주문 진행해줘", "장바구니 결제", "다 주문해줘",
         "구매 완료할게요", "지금 결제할래", "주문하기", "결제 진행할게요",
         "{k} 결제해{e}", "{k}에 있는 거 주문해{e}", "결제해{e}", "주문 진행해{e}", "{k} 주문해{e}", "계산해{e}"],
    ),
    "affirm": (
        ["yes", "yes please", "yeah", "sure", "correct", "ok", "go ahead", "confirm",
         "yep, do it", "that's right", "absolutely", "yes, place the order", "yes do it",
         "sounds good", "okay go for it", "yes that one",
         "yes, that's right", "yup", "definitely", "please do", "ok, go ahead", "yes, order it",
         "alright",
         "yes, go ahead", "yes please do", "that's correct, yes", "ok do it",
         "sure, go ahead", "yes I do", "yeah, that's fine", "ok sure",
         "yes, that's the one", "yes, please go ahead"],
        ["네", "응", "예", "좋아요", "그래", "맞아요", "네 주문해주세요", "확인", "그렇게 해줘",
         "네 좋아요", "응 해줘", "오케이", "네 맞아요", "좋아", "그렇게 해주세요", "네 그걸로요", "응 맞아",
         "네 그래요", "네네", "그럼요", "당연하죠", "예 그렇게 해 주세요", "좋습니다", "응 좋아", "네 부탁해요", "넵", "그래 주문해",
         "맞습니다", "네 진행해 주세요", "응 그래", "예 맞아요",
         "네 해{e}", "응 담아{e}", "네 주문해{e}", "네 그렇게 해{e}",
         # Chat shorthand, typed as bare letters or a softened 네/응.
         "ㅇㅇ", "ㅇㅋ", "ㅇㅇ 주문해", "넹", "웅", "ㅇㅇ 담아줘"],
    ),
    "deny": (
        ["no", "no thanks", "nope", "don't", "cancel", "not now", "no, stop", "never mind",
         "I changed my mind", "not that", "no don't order it",
         "no, leave it", "nah", "please don't",
         "don't do it", "no, don't", "no I don't want that", "not this time",
         "no, cancel it", "no, not now", "don't place the order", "nope, leave it",
         "nope, not that one", "no, I'm good", "skip it", "no, forget it", "don't add it"],
        ["아니", "아니요", "아니오", "취소", "하지 마", "안 할래요", "됐어요", "싫어요",
         "아니 괜찮아", "그만", "아뇨", "아니요 괜찮아요", "안 돼요", "필요 없어요", "하지 말아 주세요",
         "아니야", "아뇨 됐어요", "안 살래요", "싫어", "주문하지 마", "아니 취소해", "아니요 안 할게요", "괜찮아요", "노", "그만둘래요",
         "취소해 주세요", "다음에 할게요", "안 해", "아니 됐어",
         "아니 하지 마", "그거 말고", "주문 취소", "안 할게요", "아니 안 해요", "그만해", "됐어 안 해",
         "사지 마", "담지 마", "하지 말아요", "주문하지 말아 줘", "아니 그만", "그만 됐어요", "결제하지 마세요", "아니 사지 않을래요",
         "ㄴㄴ", "ㄴㄴ 안 해", "놉", "ㄴㄴ 취소"],
    ),
    "order_status": (
        ["where is my order?", "order status", "track my package", "has my order shipped?",
         "when will my order arrive", "what's the status of my order", "is my delivery coming",
         "check my order", "did my order go out", "where's my package",
         "when will my {g} arrive", "has the {g} I ordered shipped", "where is the {g} I ordered",
         "where's my delivery", "is my order on the way",
         "is my {g} on its way", "tell me where my order is"],
        ["주문 어디쯤 왔어?", "배송 조회", "주문 상태 알려줘", "택배 언제 와요?", "배송 언제 돼?",
         "주문한 거 어디야", "배송 상태 확인", "내 주문 확인해줘", "주문 발송됐어?", "배송 추적",
         "주문한 거 언제 와?", "배송 어디까지 왔어?", "택배 어디쯤이야?", "주문 진행 상황 알려줘", "배송 시작했어?", "내 택배 어디 있어?",
         "{p} 언제 도착해?", "주문한 {p} 어디쯤 왔어?", "배송 현황",
         "배송 조회해{e}", "주문 상태 알려{e}", "{p} 배송 어디쯤인지 알려{e}", "택배 언제 오는지 알려{e}"],
    ),
    "order_history": (
        ["what did I order last time", "show my past orders", "order history",
         "what have I bought before", "list my recent orders", "my previous purchases",
         "when did I last buy {p}", "show me what I ordered last month",
         "what did I buy recently", "show my order history",
         "what were my last orders", "what did I get last time", "show me my purchase history",
         "what have I ordered so far", "list what I bought before",
         "what have I purchased", "list my past purchases", "show my previous orders",
         "my order history please", "what did I order before", "past orders",
         "what did I buy last week", "show everything I've bought"],
        ["지난 주문 보여줘", "주문 내역", "전에 뭐 샀어?", "최근 주문 목록", "구매 내역 알려줘",
         "{p} 언제 샀지?", "지난달에 뭐 주문했어?", "예전 주문 보여줘",
         "내가 뭐 샀더라?", "구매 기록 보여줘", "지난번에 뭐 주문했지?", "주문 기록", "예전에 산 거 알려줘", "최근에 산 거 보여줘",
         "지난 구매 목록",
         "주문 내역 보여{e}", "지난 주문 알려{e}", "구매 내역 보여{e}", "전에 산 거 알려{e}",
         "내가 뭐 샀지?", "전에 주문한 거 뭐였지?", "최근 구매 내역"],
    ),
    "recommend": (
        ["what am I running low on?", "what should I buy", "recommend something",
         "what do I need to restock", "any suggestions", "what's due for a refill",
         "what do I usually need this week", "remind me what to buy",
         "what do I need", "anything I should restock?",
         "anything you'd suggest I buy", "what's running low", "what should I restock this week",
         "suggest what I should buy", "what am I about to run out of",
         "what do I need to buy again", "what's about to run out",
         "is there anything I should reorder", "what should I stock up on",
         "suggest something to buy", "what will I run out of soon", "anything I need to buy?",
         "what might I need soon"],
        ["뭐 떨어질 때 됐어?", "뭐 사야 돼?", "추천해줘", "다시 살 때 된 거 있어?",
         "뭐 필요할까?", "살 거 추천해줘", "이번 주에 뭐 사야 해?", "떨어져 가는 거 알려줘",
         "뭐 살 때 됐어?", "곧 떨어질 거 알려줘", "다시 사야 할 거 있어?", "필요한 거 추천해줘", "뭐 사면 좋을까?", "재구매할 거 추천",
         "이번에 뭐 살까?", "떨어진 거 없나?",
         "살 거 추천해{e}", "떨어질 때 된 거 알려{e}", "뭐 사야 하는지 알려{e}", "다시 살 거 추천해{e}"],
    ),
    "product_question": (
        ["how much is it?", "what's the price of the {o} one", "is it in stock?",
         "how big is it", "what size is the {o} one", "how much is {p}",
         "is {b} {p} available", "how many are in the pack", "price?", "is the {o} one in stock",
         "how much does the {o} one cost", "what's the size of {p}", "is {p} in stock"],
        ["얼마예요?", "{o} 거 가격이 얼마야?", "재고 있어요?", "용량이 얼마나 돼요?",
         "{o} 거 몇 개 들었어?", "{p} 얼마야?", "{b} {p} 있어요?", "이거 재고 있나요?",
         "가격 알려줘", "{o} 거 용량은?",
         "{o} 거 얼마예요?", "이거 얼마야?", "{p} 가격 알려줘", "이거 몇 리터예요?", "재고 남아 있어요?", "{o} 거 재고 있어?",
         "한 팩에 몇 개예요?", "{p} 용량 알려줘",
         "{o} 거 가격 알려{e}", "{p} 가격 알려{e}", "{o} 거 용량 알려{e}", "재고 있는지 알려{e}"],
    ),
    "out_of_scope": (
        ["what's the weather tomorrow?", "tell me a joke", "book a flight to Jeju",
         "who won the football game?", "play some music", "what is the capital of France?",
         # Questions about a product that are not shopping: naming it does not make it a search.
         "where do {g} come from", "how is {g} made", "how do I cook {g}", "who invented {g}",
         "how long do {g} keep in the fridge", "tell me a fun fact about {g}",
         "what's the history of {g}", "why is {g} called that"],
        ["내일 날씨 어때?", "농담 하나 해줘", "제주도 비행기 예약해줘", "노래 틀어줘",
         "축구 누가 이겼어?", "프랑스 수도가 어디야?", "오늘 뉴스 알려줘", "알람 맞춰줘",
         "환율 알려줘", "영화 추천해줘", "번역해줘", "주식 어때?", "택시 불러줘",
         "숙제 도와줘", "오늘 몇 도야?", "길 안내해줘", "{p} 어떻게 만들어요?", "{p} 몸에 좋아?",
         "{p} 요리법 알려줘", "{p} 어디서 만들어져요?", "{p} 역사 알려줘", "{p} 재미있는 사실 알려줘",
         "오늘 날씨 알려줘", "음악 틀어줘", "지금 몇 시야?", "대통령이 누구야?", "맛집 추천해줘", "전화 걸어줘", "메일 보내줘", "운동 추천해줘",
         "내 계좌 잔액 알려줘", "주말에 뭐 하지?",
         "노래 틀어{e}", "날씨 알려{e}", "알람 맞춰{e}", "농담해{e}", "{p} 요리법 알려{e}", "뉴스 읽어{e}", "영화 예매해{e}"],
    ),
}  # fmt: skip


def josa(word: str, with_batchim: str = "을", without: str = "를") -> str:
    """The Korean object particle that fits ``word`` (을 after a final consonant, else 를)."""
    return with_batchim if has_batchim(word) else without


def fill(template: str, lang: str, rng: random.Random, products: list[str]) -> str:
    ko = lang == "ko"
    values = {
        "p": rng.choice(products),
        "b": rng.choice(BRANDS_KO if ko else BRANDS_EN),
        "n": rng.choice(NUM_KO if ko else NUM_EN),
        "o": rng.choice(ORD_KO if ko else ORD_EN),
        "s": rng.choice(SIZE_KO if ko else SIZE_EN),
        "c": rng.choice(PRICE_KO if ko else PRICE_EN),
        "g": rng.choice(products if ko else GROCERY_EN),
    }
    values["j"] = josa(values["p"])
    # Drawn only where used, so templates without them keep the examples (and split) they had.
    if "{k}" in template:
        values["k"] = rng.choice(CART_KO if ko else CART_EN)
    if "{e}" in template:
        values["e"] = rng.choice(ENDINGS_KO)
    return re.sub(r"\s+", " ", template.format(**values)).strip()


def own_examples() -> dict[tuple[str, str], list[str]]:
    taxonomy = load_taxonomy()
    products = {lang: sorted({n for t in taxonomy.types for n in t.names(lang)})
                for lang in ("en", "ko")}  # fmt: skip
    out: dict[tuple[str, str], list[str]] = {}
    for intent, (en, ko) in TEMPLATES.items():
        for lang, templates in (("en", en), ("ko", ko)):
            seen: dict[str, None] = {}
            # Templates with fillers are drawn several times, fixed phrases once.
            for tpl in templates:
                times = 10 if "{" in tpl else 1
                # Each template draws its fillers from a generator of its own, so adding or
                # editing one template leaves every other template's examples as they were.
                rng = random.Random(f"{SEED}|{intent}|{lang}|{tpl}")
                for _ in range(times):
                    seen.setdefault(fill(tpl, lang, rng, products[lang]))
            out[(intent, lang)] = list(seen)
    return out


def clinc_examples() -> dict[str, list[str]]:
    """CLINC150 `train` (and `oos_train`) only, mapped onto our intents; the other intents become
    groups of out_of_scope ("out_of_scope::weather")."""
    data = json.loads(clinc150_file().read_text())
    by_intent: dict[str, list[str]] = {}
    for text, intent in data["train"]:
        by_intent.setdefault(intent, []).append(text)
    out: dict[str, list[str]] = {
        "view_cart": by_intent["shopping_list"],
        "order_status": by_intent["order_status"],
    }
    for text in by_intent["shopping_list_update"]:
        out.setdefault(list_update_intent(text), []).append(text)
    for text in by_intent["order"]:
        # "order more bread" names the product: it is a search, as the issue maps CLINC's `order`;
        # reorder_usual is for "my usual", which our own templates teach.
        target = "checkout" if re.search(r"\b(list|everything|all)\b", text) else "search_product"
        out.setdefault(target, []).append(text)
    shopping = {"shopping_list", "shopping_list_update", "order", "order_status"}
    out["out_of_scope"] = [t for t, _ in data["oos_train"]]
    for intent in sorted(by_intent):
        if intent not in shopping:
            out[f"out_of_scope{GROUP}{intent}"] = by_intent[intent]
    return out


REMOVING = re.compile(r"\b(remove|delete|take|cross|erase|get rid|drop|no longer|forget|strike)\b")
ADDING = re.compile(r"\b(add|put|include|insert|append|jot|write)\b")


def list_update_intent(text: str) -> str:
    """CLINC's `shopping_list_update` as add or remove: the first operation named decides ("i want
    you to remove shampoo", "i no longer need milk" remove; "add eggs and remove cheese" adds).
    Reading only the first word taught such removals as adds, and the assistant then added what
    the shopper asked to remove."""
    removing, adding = REMOVING.search(text), ADDING.search(text)
    if removing and (not adding or removing.start() < adding.start()):
        return "remove_from_cart"
    return "add_to_cart"


def split(intent: str, examples: list[str]) -> tuple[list[str], list[str]]:
    """(train, held out): the examples whose hash ranks lowest are held out. A hash, not a
    shuffle, so an example keeps its side when templates are added elsewhere and held-out
    figures stay comparable from one change of the data to the next."""
    ranked = sorted(examples, key=lambda ex: hashlib.sha1(f"{intent}|{ex}".encode()).hexdigest())
    n_held = max(1, round(len(ranked) * HELDOUT_SHARE)) if len(ranked) > 2 else 0
    return sorted(ranked[n_held:]), sorted(ranked[:n_held])


def to_yaml(blocks: Iterable[tuple[str, list[str]]], header: str) -> str:
    lines = [f"# {header}", "# Generated by `python -m nlu.build_data`; edit the templates there.",
             'version: "3.1"', "", "nlu:"]  # fmt: skip
    for intent, examples in blocks:
        if not examples:
            continue
        name, _, group = intent.partition(GROUP)
        lines.append(f"  - intent: {name}")
        if group:
            lines += ["    metadata:", f"      group: {group}"]
        lines.append("    examples: |")
        lines += [f"      - {ex}" for ex in examples]
    return "\n".join(lines) + "\n"


def _plain(text: str) -> str:
    """Case and punctuation folded: "Hey there!" and "hey there" are one sentence."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def build() -> dict[Path, str]:
    own = own_examples()
    files: dict[Path, str] = {}
    for lang in ("en", "ko"):
        train_blocks, held_blocks = [], []
        for intent in TEMPLATES:
            train, held = split(intent, own[(intent, lang)])
            train_blocks.append((intent, train))
            held_blocks.append((intent, held))
        files[OUT_TRAIN / f"shopping_{lang}.yml"] = to_yaml(train_blocks, f"Own examples ({lang})")
        files[OUT_HELDOUT / f"heldout_{lang}.yml"] = to_yaml(
            held_blocks, f"Held-out own examples ({lang}): never trained on"
        )
    clinc = clinc_examples()
    # A sentence may carry one intent only: ours win over CLINC's mapping ("nope" is a deny).
    ours = {_plain(ex) for examples in own.values() for ex in examples}
    clinc = {i: sorted({ex for ex in exs if _plain(ex) not in ours}) for i, exs in clinc.items()}
    files[OUT_TRAIN / "clinc_train.yml"] = to_yaml(
        [(i, clinc[i]) for i in sorted(clinc)],
        "CLINC150 train split (CC BY 3.0), mapped onto our intents; test split never used",
    )
    return files


def brand_aliases() -> dict[str, str]:
    """Every demo brand by its English and Korean name → the English name stored on products."""
    from jangbogi.demo.brands import BRANDS, STORE_BRANDS

    aliases: dict[str, str] = {}
    for brands in (STORE_BRANDS, *BRANDS.values()):
        for b in brands:
            aliases[b.en] = b.en
            aliases[b.ko] = b.en
    return dict(sorted(aliases.items()))


def main() -> None:
    root = project_root()
    files = build()
    files[Path("nlu/brands.json")] = json.dumps(brand_aliases(), ensure_ascii=False, indent=1)
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
