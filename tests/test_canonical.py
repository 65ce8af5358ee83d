"""Canonical actors: one id and name per actor across name forms, inflections and the five languages."""

from __future__ import annotations

import pytest

from narrascope.tasks.entities.actors import actor_name, merge_actors
from narrascope.tasks.entities.canonical import actor_key, canonical, key_of_page_id, page_id
from narrascope.tasks.entities.context import entity_key


@pytest.mark.parametrize(
    ("forms", "name"),
    [
        (["Russia", "Russia's", "Russian", "Russians", "Russian Federation", "Россия", "России", "Россией",
          "российские", "Русия", "Русията", "руски", "रूस", "रूसी", "Rússia", "russos"], "Russia"),
        (["Ukraine", "Ukrainian", "Украина", "Украины", "Украйна", "यूक्रेन", "Ucrânia"], "Ukraine"),
        (["UK", "Britain", "Great Britain", "British", "Великобритании", "Обединеното кралство", "ब्रिटेन",
          "Reino Unido"], "United Kingdom"),
        (["US", "U.S.", "the US", "USA", "American", "США", "САЩ", "अमेरिका", "EUA", "Estados Unidos"],
         "United States"),
        (["NATO", "Nato", "НАТО", "नाटो", "OTAN"], "NATO"),
        (["EU", "ЕС", "Евросоюза", "UE", "यूरोपीय संघ", "União Europeia"], "European Union"),
        (["UN", "ООН", "संयुक्त राष्ट्र", "ONU"], "United Nations"),
        (["Russian Foreign Ministry", "Russia's Foreign Ministry", "МИД России", "МВнР на Русия"],
         "Russian Foreign Ministry"),
        (["Pentagon", "Пентагона", "Pentágono"], "Pentagon"),
    ],
)  # fmt: skip
def test_names_of_one_country_or_body_in_five_languages_are_one_actor(forms, name):
    assert {form: getattr(canonical(form), "name", None) for form in forms} == dict.fromkeys(forms, name)
    assert {actor_key(form) for form in forms} == {entity_key(name)}


@pytest.mark.parametrize(
    ("forms", "name"),
    [
        (["Putin", "Putin's", "Vladimir Putin", "President Putin", "Russian President Vladimir Putin", "Путин",
          "Путина", "Путиным", "Владимира Путина", "Президент России Владимир Путин", "पुतिन"], "Vladimir Putin"),
        (["Zakharova", "Maria Zakharova", "Захарова", "Захаровой", "Марии Захаровой"], "Maria Zakharova"),
        (["Zelensky", "Zelenskyy", "Зеленский", "Зеленского", "Зеленски", "ज़ेलेंस्की"], "Volodymyr Zelensky"),
        (["Lavrov", "Sergei Lavrov", "Лавров", "Лаврова", "Сергей Лавров"], "Sergey Lavrov"),
        (["Scholz", "Шольц", "Шольца", "Шолц"], "Olaf Scholz"),
    ],
)  # fmt: skip
def test_leaders_name_forms_and_case_endings_are_one_person(forms, name):
    assert {form: getattr(canonical(form), "name", None) for form in forms} == dict.fromkeys(forms, name)


@pytest.mark.parametrize(
    ("capital", "country"),
    [("London", "United Kingdom"), ("Moscow", "Russia"), ("the Kremlin", "Russia"), ("Кремля", "Russia"),
     ("Москвы", "Russia"), ("Kyiv", "Ukraine"), ("Kiev", "Ukraine"), ("Киева", "Ukraine"),
     ("Washington", "United States"), ("White House", "United States"), ("Paris", "France"),
     ("Brussels", "European Union"), ("Брюксел", "European Union"), ("Beijing", "China")],
)  # fmt: skip
def test_capitals_and_seats_of_government_stand_for_their_state(capital, country):
    assert canonical(capital).name == country


@pytest.mark.parametrize(
    "text",
    ["us", "Us", "eu", "es", "un", "ес", "Rossi", "Русе", "Того", "Francis", "Indiana", "Захаров",
     "Bank of Russia", "Russian Council", "Hunter Biden", "Brigitte Macron", "President", "Vladimir"],
)  # fmt: skip
def test_other_names_and_common_words_are_not_taken_for_a_known_actor(text):
    assert canonical(text) is None
    assert actor_key(text) == entity_key(text)


def test_a_query_needs_no_capitals_but_an_article_does():
    assert canonical("us") is None and canonical("us", any_case=True).name == "United States"
    assert canonical("russia") is None and canonical("russia", any_case=True).name == "Russia"


def test_page_ids_are_url_safe_and_lead_back_to_the_key():
    assert page_id(actor_key("Великобритания")) == "united-kingdom"
    assert key_of_page_id("united-kingdom") == "united kingdom"


def test_mentions_of_one_canonical_actor_form_one_group_under_its_canonical_name():
    text = (
        "Hunter Biden met Russian diplomats. Biden said Moscow lies. The Kremlin denied it; "
        "Russia's envoy and Россия agree. Putin and Владимир Путин spoke; Hunter left."
    )
    names = ["Hunter Biden", "Russian", "Biden", "Moscow", "Kremlin", "Russia", "Россия", "Putin", "Владимир Путин",
             "Hunter"]  # fmt: skip
    spans, position = [], 0
    for name in names:
        start = text.index(name, position)
        spans.append((start, start + len(name)))
        position = start + len(name)
    groups = merge_actors(text, spans)
    hunter, russia, putin = groups[0], groups[1], groups[7]
    assert [groups[i] for i in (3, 4, 5, 6)] == [russia] * 4
    assert groups[8] == putin and groups[9] == hunter
    assert len({hunter, groups[2], russia, putin}) == 4  # Joe Biden is not Hunter Biden
    assert actor_name([text[s:e] for (s, e), g in zip(spans, groups, strict=True) if g == russia]) == (
        "Russia",
        ("Kremlin", "Russian", "Moscow", "Russia", "Россия"),  # most used, then the fullest
    )


def test_an_unknown_actor_keeps_its_most_used_spelling():
    assert actor_name(["Kolomoisky", "Ihor Kolomoisky", "Kolomoisky"]) == (
        "Kolomoisky",
        ("Kolomoisky", "Ihor Kolomoisky"),
    )
