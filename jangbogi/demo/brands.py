"""Brands, product lines and typical prices of the demo catalog.

Real Korean and international daily-necessity brands per product type, so demo searches and
seller insights read like the real market. ``premium`` multiplies the type's typical price;
store brands are cheapest. Prices are typical Korean online prices (KRW) for a pack of the
type's reference size (the geometric mean of its taxonomy sizes), not quotes of any shop.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    en: str
    ko: str
    factor: float = 1.0  # price factor against the brand's plain line


@dataclass(frozen=True)
class Brand:
    en: str
    ko: str
    premium: float
    lines: tuple[Line, ...] = ()
    # Popularity weight when a shopper's favourite brand is drawn.
    share: float = 1.0


def _b(en: str, ko: str, premium: float, *lines: tuple[str, str], share: float = 1.0) -> Brand:
    return Brand(en, ko, premium, tuple(Line(e, k) for e, k in lines), share)


# The house sellers (the first two sellers) carry these; they are the cheapest brand of a type.
STORE_BRANDS: tuple[Brand, ...] = (
    Brand("Jangbogi Basics", "장보기 베이직", 0.72, share=0.6),
    Brand("Daily Pick", "데일리픽", 0.8, share=0.6),
)
# Types no store brand is sold for (trust matters more than price for these).
# fmt: off
NO_STORE_BRAND: frozenset[str] = frozenset(
    {"infant_formula", "sunscreen", "razor", "shaving_foam", "deodorant", "toothbrush",
     "dog_food", "cat_food", "coffee", "kimchi", "milk", "cheese_slices", "yogurt",
     "sparkling_water", "juice", "cereal", "instant_noodles", "instant_rice", "mouthwash"}
)

# Plain lines every brand of a category may carry after its own named lines.
CATEGORY_LINES: dict[str, tuple[Line, ...]] = {
    "laundry": (Line("Original", "오리지널"), Line("Fresh", "후레쉬"),
                Line("Sensitive", "센서티브", 1.1)),
    "kitchen": (Line("Original", "오리지널"), Line("Eco", "에코", 1.08),
                Line("Premium", "프리미엄", 1.15)),
    "paper": (Line("Soft", "소프트"), Line("Natural", "내추럴", 1.05),
              Line("Premium", "프리미엄", 1.15)),
    "cleaning": (Line("Original", "오리지널"), Line("Citrus", "시트러스"),
                 Line("Antibacterial", "항균", 1.08)),
    "oral_care": (Line("Fresh Mint", "후레쉬 민트"), Line("Whitening", "미백", 1.1),
                  Line("Sensitive", "시린이", 1.12)),
    "bath_body": (Line("Moisture", "모이스처"), Line("Fresh", "후레쉬"),
                  Line("Sensitive", "센서티브", 1.1)),
    "baby": (Line("Original", "오리지널"), Line("Natural", "내추럴", 1.05),
             Line("Premium", "프리미엄", 1.12)),
    "feminine": (Line("Regular", "중형"), Line("Overnight", "오버나이트", 1.1),
                 Line("Organic Cotton", "순면", 1.15)),
    "pet": (Line("Adult", "어덜트"), Line("Indoor", "인도어", 1.05),
            Line("Senior", "시니어", 1.08)),
    "beverages": (Line("Original", "오리지널"), Line("Light", "라이트"),
                  Line("Premium", "프리미엄", 1.15)),
    "pantry": (Line("Original", "오리지널"), Line("Light", "라이트"),
               Line("Premium", "프리미엄", 1.15)),
    "dairy_eggs": (Line("Original", "오리지널"), Line("Low Fat", "저지방"),
                   Line("Organic", "유기농", 1.3)),
    "health": (Line("Standard", "스탠다드"), Line("Plus", "플러스", 1.08),
               Line("Premium", "프리미엄", 1.15)),
}

BRANDS: dict[str, tuple[Brand, ...]] = {
    # laundry
    "liquid_laundry_detergent": (
        _b("Persil", "퍼실", 1.25, ("Power Gel", "파워젤"), share=1.5),
        _b("Tech", "테크", 1.0, ("Deep Clean", "딥클린"), share=1.5),
        _b("Ariel", "아리엘", 1.15, ("Original Gel", "오리지널 젤")),
        _b("Beat", "비트", 0.95, ("Quick Wash", "퀵워시")),
        _b("Liq", "리큐", 0.9, ("Zero", "제로")),
    ),
    "powder_laundry_detergent": (
        _b("Spark", "스파크", 0.95, share=1.5),
        _b("Tech", "테크", 1.0, ("Enzyme", "효소")),
        _b("Beat", "비트", 1.0),
        _b("Ariel", "아리엘", 1.15),
    ),
    "laundry_pods": (
        _b("Tide", "타이드", 1.2, ("Pods", "파드")),
        _b("Persil", "퍼실", 1.2, ("Discs", "디스크")),
        _b("Ariel", "아리엘", 1.15, ("4in1 Pods", "4in1 캡슐")),
        _b("Tech", "테크", 1.0, ("Capsule", "캡슐")),
    ),
    "fabric_softener": (
        _b("Downy", "다우니", 1.2, ("Premium Parfum", "프리미엄 퍼퓸"), share=1.5),
        _b("Saffron", "샤프란", 1.0, ("Aura", "아우라")),
        _b("Pigeon", "피죤", 0.95, ("Rich Perfume", "리치퍼퓸")),
        _b("Snuggle", "스너글", 1.05),
    ),
    "bleach": (
        _b("Yuhanrox", "유한락스", 1.0, ("Regular", "레귤러"), share=2.0),
        _b("OxiClean", "옥시크린", 1.25, ("Oxygen", "산소")),
        _b("Clorox", "클로락스", 1.1),
    ),
    "stain_remover": (
        _b("Vanish", "배니쉬", 1.2, ("Oxi Action", "옥시액션")),
        _b("OxiClean", "옥시크린", 1.1, ("Spray", "스프레이")),
        _b("Sandokkaebi", "산도깨비", 0.95),
    ),
    # kitchen
    "dish_soap": (
        _b("Chamgreen", "참그린", 1.0, share=1.5),
        _b("Jayeonpong", "자연퐁", 1.0, ("Sol", "솔잎")),
        _b("Trio", "트리오", 0.9),
        _b("Sunsaem", "순샘", 0.95),
        _b("Frosch", "프로쉬", 1.4, ("Aloe Vera", "알로에베라")),
    ),
    "dishwasher_detergent": (
        _b("Finish", "피니시", 1.25, ("Quantum", "퀀텀"), share=1.5),
        _b("Frosch", "프로쉬", 1.15, ("Soda", "소다")),
        _b("Sunsaem", "순샘", 0.95),
        _b("Ecover", "에코버", 1.3),
    ),
    "kitchen_sponge": (
        _b("3M Scotch-Brite", "3M 스카치브라이트", 1.15, share=1.5),
        _b("Cleanwrap", "크린랲", 1.0),
        _b("Mamison", "마미손", 0.95),
    ),
    "rubber_gloves": (
        _b("Mamison", "마미손", 1.0, share=2.0),
        _b("Cleanwrap", "크린랲", 1.05),
        _b("3M Scotch-Brite", "3M 스카치브라이트", 1.15),
    ),
    "plastic_wrap": (
        _b("Cleanwrap", "크린랲", 1.0, share=2.0),
        _b("Glad", "글라드", 1.15),
        _b("Lotte Aluminium", "롯데알미늄", 0.95),
    ),
    "aluminum_foil": (
        _b("Cleanwrap", "크린랲", 1.0, ("Clean Foil", "크린호일"), share=2.0),
        _b("Lotte Aluminium", "롯데알미늄", 0.95),
        _b("Reynolds", "레이놀즈", 1.3),
    ),
    "zipper_bags": (
        _b("Ziploc", "지퍼락", 1.2, share=1.5),
        _b("Cleanwrap", "크린랲", 1.0),
        _b("Glad", "글라드", 1.1),
    ),
    "trash_bags": (
        _b("Cleanwrap", "크린랲", 1.0),
        _b("Glad", "글라드", 1.15),
        _b("Hefty", "헤프티", 1.2),
    ),
    # paper
    "paper_towels": (
        _b("Kleenex", "크리넥스", 1.15, ("Viva", "비바"), share=1.5),
        _b("Kkaekkeutan Nara", "깨끗한나라", 1.0),
        _b("Monalisa", "모나리자", 0.95),
        _b("Jalpullineun Jip", "잘풀리는집", 0.9),
    ),
    "toilet_paper": (
        _b("Kleenex", "크리넥스", 1.15, ("Soft & Clean", "데코앤소프트"), share=1.5),
        _b("Kkaekkeutan Nara", "깨끗한나라", 1.0, ("Pure Cotton", "순수 3겹")),
        _b("Monalisa", "모나리자", 0.95, ("Belle", "벨라")),
        _b("Jalpullineun Jip", "잘풀리는집", 0.9),
        _b("Codi", "코디", 0.92),
    ),
    "facial_tissue": (
        _b("Kleenex", "크리넥스", 1.15, ("Ultra Soft", "울트라소프트"), share=1.5),
        _b("Kkaekkeutan Nara", "깨끗한나라", 1.0),
        _b("Codi", "코디", 0.95),
        _b("Monalisa", "모나리자", 0.95),
    ),
    "wet_wipes": (
        _b("Bebesup", "베베숲", 1.1, ("Premium", "프리미엄")),
        _b("Kleenex", "크리넥스", 1.05),
        _b("Monalisa", "모나리자", 0.95),
        _b("Dr. Clean", "닥터클린", 0.9),
    ),
    # cleaning
    "all_purpose_cleaner": (
        _b("Homestar", "홈스타", 1.0, ("Max Fresh", "맥스프레쉬"), share=1.5),
        _b("Mr. Muscle", "미스터머슬", 1.1),
        _b("Sandokkaebi", "산도깨비", 0.95),
    ),
    "bathroom_cleaner": (
        _b("Homestar", "홈스타", 1.0, ("Bathroom", "욕실용"), share=1.5),
        _b("Yuhanrox", "유한락스", 1.05, ("Bathroom", "욕실청소용")),
        _b("Mr. Muscle", "미스터머슬", 1.1),
    ),
    "toilet_cleaner": (
        _b("Harpic", "하픽", 1.1),
        _b("Homestar", "홈스타", 1.0),
        _b("Yuhanrox", "유한락스", 1.05, ("Toilet", "변기용")),
    ),
    "glass_cleaner": (
        _b("Windex", "윈덱스", 1.15),
        _b("Homestar", "홈스타", 1.0),
        _b("Sandokkaebi", "산도깨비", 0.95),
    ),
    "floor_wipes": (
        _b("3M Scotch-Brite", "3M 스카치브라이트", 1.1, ("Wet Mop", "물걸레")),
        _b("Cleanwrap", "크린랲", 1.0),
        _b("Kkaekkeutan Nara", "깨끗한나라", 0.95),
    ),
    "air_freshener": (
        _b("Febreze", "페브리즈", 1.15, share=1.5),
        _b("Glade", "그레이드", 1.0),
        _b("Air Wick", "에어윅", 1.05),
        _b("Sandokkaebi", "산도깨비", 0.9),
    ),
    "dehumidifier_pack": (
        _b("Hippo", "물먹는하마", 1.1, share=2.0),
        _b("Sandokkaebi", "산도깨비", 1.0),
        _b("Homestar", "홈스타", 0.95),
    ),
    # oral care
    "toothpaste": (
        _b("2080", "2080", 0.95, ("Classic", "클래식"), share=1.5),
        _b("Perioe", "페리오", 1.0, ("Total 7", "토탈7"), share=1.5),
        _b("Median", "메디안", 1.0, ("Gum Care", "잇몸")),
        _b("Colgate", "콜게이트", 1.1),
        _b("Sensodyne", "센소다인", 1.5, ("Repair", "리페어")),
    ),
    "toothbrush": (
        _b("Oral-B", "오랄비", 1.2, share=1.5),
        _b("2080", "2080", 0.9),
        _b("Perioe", "페리오", 0.95),
        _b("Curaprox", "큐라덴", 2.2, ("CS 5460", "CS 5460")),
    ),
    "mouthwash": (
        _b("Listerine", "리스테린", 1.15, ("Cool Mint", "쿨민트"), share=2.0),
        _b("Garglin", "가그린", 0.95),
        _b("Perioe", "페리오", 1.0),
    ),
    "dental_floss": (
        _b("Oral-B", "오랄비", 1.15),
        _b("Reach", "리치", 1.0),
        _b("2080", "2080", 0.9),
    ),
    # bath & body
    "shampoo": (
        _b("Ryo", "려", 1.2, ("Jayang Yoon Mo", "자양윤모"), share=1.5),
        _b("Elastine", "엘라스틴", 1.0, ("Perfume", "퍼퓸")),
        _b("Head & Shoulders", "헤드앤숄더", 1.05),
        _b("Dove", "도브", 1.0),
        _b("Mise en scene", "미쟝센", 0.95),
    ),
    "conditioner": (
        _b("Elastine", "엘라스틴", 1.0),
        _b("Ryo", "려", 1.2),
        _b("Dove", "도브", 1.0),
        _b("Mise en scene", "미쟝센", 0.95),
    ),
    "body_wash": (
        _b("Happy Bath", "해피바스", 1.0, ("Perfume", "퍼퓸"), share=1.5),
        _b("Dove", "도브", 1.1, ("Deep Moisture", "딥 모이스처")),
        _b("Nivea", "니베아", 1.05),
        _b("On the Body", "온더바디", 0.95),
    ),
    "bar_soap": (
        _b("Dove", "도브", 1.2, ("Beauty Bar", "뷰티바"), share=1.5),
        _b("Happy Bath", "해피바스", 1.0),
        _b("Nivea", "니베아", 1.05),
    ),
    "hand_soap": (
        _b("Kirei Kirei", "아이깨끗해", 1.0, share=2.0),
        _b("Dettol", "데톨", 1.1),
        _b("Happy Bath", "해피바스", 0.95),
        _b("Dove", "도브", 1.1),
    ),
    "body_lotion": (
        _b("Nivea", "니베아", 1.0, share=1.5),
        _b("Vaseline", "바세린", 1.05, ("Intensive Care", "인텐시브 케어")),
        _b("Aveeno", "아비노", 1.4, ("Daily Moisturizing", "데일리 모이스처라이징")),
        _b("Happy Bath", "해피바스", 0.9),
    ),
    "razor": (
        _b("Gillette", "질레트", 1.3, ("Fusion5", "퓨전5"), share=2.0),
        _b("Schick", "쉬크", 1.1, ("Hydro 5", "하이드로5")),
        _b("Dorco", "도루코", 0.8, ("Pace 6", "페이스6")),
    ),
    "shaving_foam": (
        _b("Gillette", "질레트", 1.15, share=1.5),
        _b("Nivea Men", "니베아 맨", 1.05),
        _b("Schick", "쉬크", 1.0),
        _b("Dorco", "도루코", 0.85),
    ),
    "deodorant": (
        _b("Nivea", "니베아", 1.0),
        _b("Dove", "도브", 1.05),
        _b("Gillette", "질레트", 1.1),
    ),
    "sunscreen": (
        _b("Neutrogena", "뉴트로지나", 1.0),
        _b("Biore", "비오레", 0.9, ("UV Aqua Rich", "UV 아쿠아 리치")),
        _b("Round Lab", "라운드랩", 1.1, ("Birch Juice", "자작나무")),
        _b("Innisfree", "이니스프리", 1.0),
    ),
    # baby
    "diapers": (
        _b("Huggies", "하기스", 1.2, ("Magic Comfort", "매직컴포트"),
           ("Nature Made", "네이처메이드"), share=2.0),
        _b("Bosomi", "보솜이", 0.95, ("Premium Cotton", "프리미엄 코튼")),
        _b("Pampers", "팸퍼스", 1.15, ("Baby-Dry", "베이비드라이")),
        _b("MamyPoko", "마미포코", 1.0, ("Air Fit", "에어핏")),
    ),
    "baby_wipes": (
        _b("Huggies", "하기스", 1.15, ("Nature Made", "네이처메이드"), share=1.5),
        _b("Bebesup", "베베숲", 1.05),
        _b("Mother-K", "마더케이", 1.0),
        _b("Bosomi", "보솜이", 0.95),
    ),
    "infant_formula": (
        _b("Maeil Absolute", "매일 앱솔루트", 1.0, ("Myungjak", "명작"), share=1.5),
        _b("Namyang I am Mother", "남양 아이엠마더", 1.05),
        _b("Ildong Foodis", "일동후디스", 1.0, ("Trumom", "트루맘")),
        _b("Aptamil", "압타밀", 1.5, ("Profutura", "프로푸트라")),
    ),
    "baby_shampoo": (
        _b("Johnson's Baby", "존슨즈 베이비", 0.9, share=1.5),
        _b("Green Finger", "그린핑거", 1.0),
        _b("Goongbe", "궁중비책", 1.15),
        _b("Mustela", "무스텔라", 1.6),
    ),
    # feminine
    "sanitary_pads": (
        _b("Whisper", "위스퍼", 1.0, share=1.5),
        _b("Good Feel", "좋은느낌", 1.0, share=1.5),
        _b("Pure Cotton", "순수한면", 1.1),
        _b("Rael", "라엘", 1.35, ("Organic", "유기농")),
        _b("Natracare", "나트라케어", 1.5),
    ),
    "panty_liners": (
        _b("Whisper", "위스퍼", 1.0),
        _b("Good Feel", "좋은느낌", 1.0),
        _b("Pure Cotton", "순수한면", 1.1),
        _b("Rael", "라엘", 1.35),
    ),
    # pet
    "dog_food": (
        _b("Royal Canin", "로얄캐닌", 1.5, ("Mini Adult", "미니 어덜트"), share=2.0),
        _b("Purina", "퓨리나", 1.0, ("Dog Chow", "도그차우")),
        _b("ANF", "ANF", 1.1, ("6 Free", "6free")),
        _b("Nutro", "뉴트로", 1.3),
        _b("The Real", "더리얼", 1.2),
    ),
    "cat_food": (
        _b("Royal Canin", "로얄캐닌", 1.5, ("Indoor", "인도어"), share=2.0),
        _b("Whiskas", "위스카스", 0.9),
        _b("Purina", "퓨리나", 1.0, ("Cat Chow", "캣차우")),
        _b("Hill's", "힐스", 1.5, ("Science Diet", "사이언스 다이어트")),
        _b("ANF", "ANF", 1.1),
    ),
    "cat_litter": (
        _b("Ever Clean", "에버크린", 1.4, share=1.5),
        _b("Cat's Best", "캣츠베스트", 1.3, ("Original", "오리지널")),
        _b("Tofu Cat", "두부모래", 1.0),
    ),
    "pet_pads": (
        _b("Forcans", "포켄스", 1.1),
        _b("Bowwow", "바우와우", 1.0),
        _b("Dog Pad", "도그패드", 0.9),
    ),
    # beverages
    "bottled_water": (
        _b("Samdasoo", "삼다수", 1.05, ("Jeju", "제주"), share=2.5),
        _b("Icis", "아이시스", 0.95, ("8.0", "8.0"), share=1.5),
        _b("Baeksansu", "백산수", 1.0),
        _b("Pulmuone Spring Water", "풀무원샘물", 1.0),
        _b("Evian", "에비앙", 2.2),
    ),
    "sparkling_water": (
        _b("Trevi", "트레비", 1.0, ("Lemon", "레몬"), share=1.5),
        _b("Chojung", "초정탄산수", 0.95),
        _b("Perrier", "페리에", 1.6),
        _b("Seagram", "씨그램", 1.0),
    ),
    "coffee": (
        _b("Maxim", "맥심", 0.9, ("Mocha Gold", "모카골드"), share=2.0),
        _b("Kanu", "카누", 1.2, ("Mild Roast", "마일드 로스트"), share=1.5),
        _b("Nescafe", "네스카페", 0.95),
        _b("Starbucks", "스타벅스", 1.6, ("House Blend", "하우스 블렌드")),
    ),
    "tea": (
        _b("Dongsuh", "동서", 0.9, ("Barley Tea", "보리차"), share=1.5),
        _b("Osulloc", "오설록", 1.5, ("Jeju Green Tea", "제주 녹차")),
        _b("Lipton", "립톤", 1.0, ("Yellow Label", "옐로우 라벨")),
        _b("Twinings", "트와이닝", 1.4, ("English Breakfast", "잉글리시 브렉퍼스트")),
    ),
    "juice": (
        _b("Del Monte", "델몬트", 1.0, share=1.5),
        _b("Tropicana", "트로피카나", 1.15),
        _b("Sunkist", "썬키스트", 1.0),
        _b("Jayeoneun", "자연은", 0.9),
    ),
    "yuja_tea": (
        _b("Damteo", "담터", 1.0),
        _b("Nokchawon", "녹차원", 1.0),
        _b("Kkotsaem", "꽃샘", 0.95),
    ),
    # pantry
    "rice": (
        _b("Icheon Rice", "이천쌀", 1.2, ("Chucheong", "추청")),
        _b("Cheorwon Odae", "철원오대쌀", 1.15),
        _b("Nonghyup", "농협", 1.0, ("Imgeumnimpyo", "임금님표"), share=1.5),
        _b("Haetsal", "햅쌀", 0.95),
    ),
    "instant_noodles": (
        _b("Nongshim", "농심", 1.0, ("Shin Ramyun", "신라면"), ("Chapagetti", "짜파게티"),
           share=2.5),
        _b("Ottogi", "오뚜기", 0.92, ("Jin Ramen", "진라면"), ("Yeul Ramen", "열라면"), share=2.0),
        _b("Samyang", "삼양", 1.05, ("Buldak", "불닭볶음면")),
        _b("Paldo", "팔도", 1.0, ("Bibim Men", "비빔면")),
    ),
    "instant_rice": (
        _b("CJ Hetbahn", "CJ 햇반", 1.05, ("White Rice", "백미"), share=2.5),
        _b("Ottogi", "오뚜기", 0.95, ("Ottogi Bap", "맛있는 오뚜기밥")),
        _b("Dongwon", "동원", 0.95, ("Sencook", "쎈쿡")),
    ),
    "cooking_oil": (
        _b("CJ Beksul", "CJ 백설", 1.0, ("Canola", "카놀라유"), share=1.5),
        _b("Ottogi", "오뚜기", 0.95, ("Soybean", "콩기름")),
        _b("Sajo Haepyo", "사조해표", 0.95),
        _b("Chung Jung One", "청정원", 1.05, ("Olive", "올리브유")),
    ),
    "soy_sauce": (
        _b("Sempio", "샘표", 1.0, ("Jin Gold", "진간장 금F3"), share=2.0),
        _b("Chung Jung One", "청정원", 1.0),
        _b("Monggo", "몽고", 0.95),
        _b("CJ Beksul", "CJ 백설", 0.95),
    ),
    "sugar": (
        _b("CJ Beksul", "CJ 백설", 1.0, share=2.0),
        _b("Q-One", "큐원", 0.95),
        _b("TS", "TS", 0.9),
    ),
    "salt": (
        _b("Hanju", "한주소금", 1.0),
        _b("Chung Jung One", "청정원", 1.1, ("Sea Salt", "천일염")),
        _b("Sinan", "신안", 1.05),
    ),
    "gochujang": (
        _b("Chung Jung One", "청정원", 1.0, ("Sunchang", "순창"), share=2.0),
        _b("CJ Haechandle", "CJ 해찬들", 1.0),
        _b("Sempio", "샘표", 0.95),
    ),
    "kimchi": (
        _b("Jongga", "종가", 1.1, share=2.0),
        _b("CJ Bibigo", "CJ 비비고", 1.05),
        _b("Pulmuone", "풀무원", 1.05),
    ),
    "canned_tuna": (
        _b("Dongwon", "동원", 1.05, ("Light Standard", "라이트 스탠다드"), share=2.5),
        _b("Sajo", "사조", 0.95),
        _b("Ottogi", "오뚜기", 0.95),
    ),
    "cereal": (
        _b("Kellogg's", "켈로그", 1.05, ("Corn Flakes", "콘푸로스트"), share=1.5),
        _b("Post", "포스트", 1.0, ("Granola", "그래놀라")),
        _b("Nestle", "네슬레", 1.0, ("Honey Stars", "허니스타")),
    ),
    # dairy & eggs
    "milk": (
        _b("Seoul Milk", "서울우유", 1.0, ("Na 100%", "나100%"), share=2.0),
        _b("Maeil", "매일우유", 1.0, share=1.5),
        _b("Namyang", "남양", 0.95),
        _b("Pasteur", "파스퇴르", 1.15),
    ),
    "eggs": (
        _b("Pulmuone", "풀무원", 1.2, ("Free Range", "자연방사")),
        _b("Ganong", "가농", 1.0),
        _b("Farm Fresh", "팜프레쉬", 0.95),
    ),
    "yogurt": (
        _b("Maeil Bio", "매일바이오", 1.0, share=1.5),
        _b("Binggrae Yoplait", "빙그레 요플레", 1.0),
        _b("Pulmuone Danone", "풀무원다논", 1.1, ("Activia", "액티비아")),
        _b("Namyang", "남양", 0.95),
    ),
    "cheese_slices": (
        _b("Seoul Milk", "서울우유", 1.0, share=1.5),
        _b("Maeil Sangha", "매일 상하치즈", 1.1),
        _b("Denmark", "동원 덴마크", 0.95),
    ),
    # health
    "face_masks": (
        _b("Welkeeps", "웰킵스", 1.0, ("KF94", "KF94")),
        _b("Kleenex", "크리넥스", 1.1, ("KF94", "KF94")),
        _b("Aer", "아에르", 1.15),
    ),
    "hand_sanitizer": (
        _b("Dettol", "데톨", 1.1),
        _b("Kirei Kirei", "아이깨끗해", 1.0),
        _b("Purell", "퓨렐", 1.2),
    ),
    "bandages": (
        _b("Daeil Band", "대일밴드", 1.0, share=2.0),
        _b("Band-Aid", "밴드에이드", 1.1),
        _b("3M Nexcare", "3M 넥스케어", 1.1),
    ),
    "batteries": (
        _b("Energizer", "에너자이저", 1.2, ("Max", "맥스"), share=1.5),
        _b("Duracell", "듀라셀", 1.2),
        _b("Bexel", "벡셀", 0.9),
        _b("Rocket", "로케트", 0.85),
    ),
}

# Typical price (KRW) of a regular brand's pack of the reference size (see module docstring).
TYPICAL_PRICE: dict[str, int] = {
    "liquid_laundry_detergent": 14000, "powder_laundry_detergent": 12000, "laundry_pods": 19000,
    "fabric_softener": 9000, "bleach": 4500, "stain_remover": 8500,
    "dish_soap": 5000, "dishwasher_detergent": 18000, "kitchen_sponge": 4500,
    "rubber_gloves": 3500, "plastic_wrap": 4000, "aluminum_foil": 4000, "zipper_bags": 5000,
    "trash_bags": 6000,
    "paper_towels": 8000, "toilet_paper": 17000, "facial_tissue": 8000, "wet_wipes": 3000,
    "all_purpose_cleaner": 5500, "bathroom_cleaner": 5500, "toilet_cleaner": 4500,
    "glass_cleaner": 4500, "floor_wipes": 7000, "air_freshener": 6500,
    "dehumidifier_pack": 9000,
    "toothpaste": 4000, "toothbrush": 7000, "mouthwash": 7000, "dental_floss": 4000,
    "shampoo": 11000, "conditioner": 11000, "body_wash": 9000, "bar_soap": 6000,
    "hand_soap": 5000, "body_lotion": 9000, "razor": 15000, "shaving_foam": 5500,
    "deodorant": 7000, "sunscreen": 15000,
    "diapers": 28000, "baby_wipes": 2500, "infant_formula": 30000, "baby_shampoo": 12000,
    "sanitary_pads": 9000, "panty_liners": 6000,
    "dog_food": 30000, "cat_food": 25000, "cat_litter": 12000, "pet_pads": 15000,
    "bottled_water": 700, "sparkling_water": 1200, "coffee": 15000, "tea": 6000, "juice": 4500,
    "yuja_tea": 9000,
    "rice": 35000, "instant_noodles": 14000, "instant_rice": 22000, "cooking_oil": 6500,
    "soy_sauce": 6000, "sugar": 3500, "salt": 3000, "gochujang": 9000, "kimchi": 18000,
    "canned_tuna": 14000, "cereal": 6000,
    "milk": 4000, "eggs": 7000, "yogurt": 5000, "cheese_slices": 7000,
    "face_masks": 12000, "hand_sanitizer": 6000, "bandages": 4000, "batteries": 8000,
}

# Price ~ size ** exponent, so the per-unit price falls with pack size. Types whose sizes mix
# very different packs (one floss roll against 50 floss picks) fall faster.
PRICE_EXPONENT_DEFAULT = 0.85
PRICE_EXPONENT: dict[str, float] = {"dental_floss": 0.45}

# How a count is written in names and queries: (Korean counter, English word).
COUNT_WORDS: dict[str, tuple[str, str]] = {
    "diapers": ("매", "count"), "wet_wipes": ("매", "sheets"), "baby_wipes": ("매", "sheets"),
    "pet_pads": ("매", "pads"), "zipper_bags": ("매", "bags"), "trash_bags": ("매", "bags"),
    "floor_wipes": ("매", "sheets"), "bandages": ("매", "count"), "face_masks": ("매", "masks"),
    "cheese_slices": ("매", "slices"), "eggs": ("구", "eggs"), "canned_tuna": ("캔", "cans"),
    "instant_noodles": ("봉", "pack"), "tea": ("티백", "tea bags"), "batteries": ("개", "pack"),
    "facial_tissue": ("개입", "boxes"), "bar_soap": ("개입", "bars"), "yogurt": ("개", "cups"),
    "instant_rice": ("개", "bowls"), "dehumidifier_pack": ("개", "pack"),
}
COUNT_DEFAULT: tuple[str, str] = ("개입", "count")

# fmt: on


def brands_for(type_key: str) -> tuple[Brand, ...]:
    """A type's brands, store brands last (they exist for most commodity types)."""
    own = BRANDS[type_key]
    return own if type_key in NO_STORE_BRAND else own + STORE_BRANDS
