"""The 字数 the server checks the 实验方案 against (at least 2000), counted like a word processor."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from applications.wordcount import count_zi
from tests.applications.wordcount_cases import WORDCOUNT_CASES


@pytest.mark.parametrize(("text", "expected"), WORDCOUNT_CASES, ids=[repr(t)[:30] for t, _ in WORDCOUNT_CASES])
def test_count_zi_matches_the_hand_count(text, expected):
    assert count_zi(text) == expected


def test_pure_chinese_counts_every_character():
    # 36 characters (34 characters + ，and 。), each one 字.
    sentence = "学校依托专业优势面向社区居民开展终身学习服务，建设学习点并开发课程资源。"
    assert count_zi(sentence) == 36


def test_mixed_text_counts_latin_words_and_numbers_once_each():
    # 我们在(3) 2023(1) 年开展了(4) COVID-19(1) 相关培训(4) ，(1) 效果很好(4) 。(1)
    assert count_zi("我们在2023年开展了COVID-19 相关培训，效果很好。") == 19


def test_full_width_punctuation_counts_one_each_and_half_width_alone_nothing():
    assert (count_zi("，。！？"), count_zi(",.!?")) == (4, 0)


def test_white_space_only_counts_zero():
    assert count_zi(" \n\n\t　\r\n") == 0


def test_none_counts_zero():
    # An empty optional field is None in some code paths; it adds nothing to the total.
    assert count_zi(None) == 0


def test_a_decimal_number_is_one():
    assert count_zi("3.5") == 1


def test_a_supplementary_plane_character_is_one_not_two():
    # 𠀀 (U+20000) is two UTF-16 code units; it is still one character.
    assert count_zi("𠀀") == 1


@given(st.text())
def test_count_never_raises_and_is_never_negative(text):
    assert count_zi(text) >= 0


@given(st.text())
def test_count_is_at_most_the_number_of_characters(text):
    # Every counted unit uses at least one character.
    assert count_zi(text) <= len(text)


@given(st.text(), st.text())
def test_count_is_additive_over_concatenation_with_a_space(left, right):
    # A space separates every kind of unit, so two texts pasted with a space in between count as
    # the sum of their parts (the plan's sections are summed the same way).
    assert count_zi(left + " " + right) == count_zi(left) + count_zi(right)


@given(st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)))
def test_text_of_common_cjk_characters_counts_its_length(text):
    assert count_zi(text) == len(text)
