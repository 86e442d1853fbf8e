"""The identifier validators: each rule accepts what it should and refuses what it should, with
the Chinese message a school sees next to the field."""
import string

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from portal.validators import (
    CREDIT_CODE_CHARSET,
    credit_code_check_character,
    validate_credit_code,
    validate_landline,
    validate_mobile,
    validate_phone,
    validate_postcode,
)

MOBILE_MESSAGE = "请输入 11 位中国大陆手机号码，以 13–19 开头，例如 13812345678。"
LANDLINE_MESSAGE = "请按“区号-号码[-分机]”填写座机号码，例如 0571-88031215。"
PHONE_MESSAGE = "请输入手机号码（11 位）或座机号码（区号-号码[-分机]）。"
POSTCODE_MESSAGE = "邮政编码应为 6 位数字。"
CREDIT_FORMAT_MESSAGE = "统一社会信用代码应为 18 位，由数字和大写字母组成（不含 I、O、Z、S、V）。"
CREDIT_CHECK_MESSAGE = "统一社会信用代码校验位不正确，请核对后重新填写。"


def refusal(validator, value) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validator(value)
    return caught.value


# --- 手机 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["13812345678", "19912345678", "15000000000"])
def test_mobile_accepts_11_digits_starting_13_to_19(value):
    # Returns None and raises nothing: the value is stored as typed.
    assert validate_mobile(value) is None


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("1381234567", id="10 digits"),
        pytest.param("138123456789", id="12 digits"),
        pytest.param("12812345678", id="starts 12"),
        pytest.param("11812345678", id="starts 11"),
        pytest.param("138-1234-5678", id="with dashes"),
        pytest.param("138 1234 5678", id="with spaces"),
        pytest.param("1381234567a", id="letter"),
        pytest.param("+8613812345678", id="country code"),
        # Full-width digits from a Chinese IME look right on screen but are not a number an SMS
        # gateway or the printed form's reader can use.
        pytest.param("13８１２３４５６７８", id="full-width digits"),
        pytest.param("", id="empty"),
    ],
)
def test_mobile_refuses_anything_else_with_the_chinese_message(value):
    error = refusal(validate_mobile, value)
    assert (error.code, error.messages) == ("mobile", [MOBILE_MESSAGE])


# --- 座机 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0571-88031215", "010-81299751", "0571-88031215-123", "025-8333556"])
def test_landline_accepts_area_code_dash_number_and_optional_extension(value):
    assert validate_landline(value) is None


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("88031215", id="no area code"),
        pytest.param("571-88031215", id="area code without 0"),
        pytest.param("0571 88031215", id="space instead of dash"),
        pytest.param("0571-880312", id="6-digit number"),
        pytest.param("0571-880312150", id="9-digit number"),
        pytest.param("0571-88031215-1234567", id="7-digit extension"),
        pytest.param("13812345678", id="a mobile is not a landline"),
    ],
)
def test_landline_refuses_other_shapes(value):
    error = refusal(validate_landline, value)
    assert (error.code, error.messages) == ("landline", [LANDLINE_MESSAGE])


@pytest.mark.parametrize("value", ["13812345678", "0571-88031215"])
def test_phone_accepts_a_mobile_or_a_landline(value):
    assert validate_phone(value) is None


@pytest.mark.parametrize("value", ["88031215", "12812345678", "电话"])
def test_phone_refuses_what_is_neither(value):
    error = refusal(validate_phone, value)
    assert (error.code, error.messages) == ("phone", [PHONE_MESSAGE])


# --- 邮政编码 ------------------------------------------------------------------------------------


def test_postcode_accepts_six_digits():
    assert validate_postcode("310012") is None


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("31001", id="5 digits"),
        pytest.param("3100123", id="7 digits"),
        pytest.param("31001a", id="letter"),
        pytest.param("３１００１２", id="full-width digits"),
    ],
)
def test_postcode_refuses_other_values(value):
    error = refusal(validate_postcode, value)
    assert (error.code, error.messages) == ("postcode", [POSTCODE_MESSAGE])


# --- 统一社会信用代码 -----------------------------------------------------------------------------

# Real codes of registered organisations (companies, a public institution): their 18th character
# is the GB 32100 check character over the first 17.
VALID_CREDIT_CODES = ["91350100M000100Y43", "911100001000079554", "91110000802100433B", "12100000400000624D"]


@pytest.mark.parametrize("code", VALID_CREDIT_CODES)
def test_credit_code_accepts_codes_with_the_right_check_character(code):
    assert validate_credit_code(code) is None


@pytest.mark.parametrize("code", VALID_CREDIT_CODES)
def test_credit_code_check_character_is_computed_from_the_first_17(code):
    assert credit_code_check_character(code[:17]) == code[17]


def test_credit_code_typed_in_lower_case_is_accepted():
    # People type the letters in lower case; the registration form stores the upper-case form.
    assert validate_credit_code("91350100m000100y43") is None


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("91350100M000100Y44", id="last digit changed"),
        pytest.param("911100001000079553", id="check digit off by one"),
        pytest.param("91110000802100433C", id="check letter changed"),
        pytest.param("12100000400000624E", id="E instead of D"),
        # Two characters swapped: the weights differ per position, so the check catches it.
        pytest.param("91350100M000100Y34", id="last two swapped"),
    ],
)
def test_credit_code_refuses_a_wrong_check_character(code):
    error = refusal(validate_credit_code, code)
    assert (error.code, error.messages) == ("credit_code_check", [CREDIT_CHECK_MESSAGE])


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_credit_code_refuses_letters_gb32100_leaves_out(letter):
    # Replace the 9th character (an M in a valid code) by a forbidden letter: refused for its
    # format, before any check character is computed.
    code = "91350100" + letter + "000100Y43"
    error = refusal(validate_credit_code, code)
    assert (error.code, error.messages) == ("credit_code_format", [CREDIT_FORMAT_MESSAGE])


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("91350100M000100Y4", id="17 characters"),
        pytest.param("91350100M000100Y430", id="19 characters"),
        pytest.param("", id="empty"),
        pytest.param("91350100-M000100Y43", id="with a dash"),
    ],
)
def test_credit_code_refuses_a_wrong_length_or_shape(code):
    error = refusal(validate_credit_code, code)
    assert error.code == "credit_code_format"


@given(st.text(alphabet=CREDIT_CODE_CHARSET, min_size=17, max_size=17))
def test_credit_code_with_its_computed_check_character_is_accepted_and_any_other_refused(first17):
    right = credit_code_check_character(first17)
    validate_credit_code(first17 + right)
    for wrong in CREDIT_CODE_CHARSET.replace(right, ""):
        with pytest.raises(ValidationError):
            validate_credit_code(first17 + wrong)


# --- every validator on arbitrary text --------------------------------------------------------

VALIDATORS = [validate_mobile, validate_landline, validate_phone, validate_postcode, validate_credit_code]


@given(value=st.text() | st.text(alphabet=string.digits + "-" + CREDIT_CODE_CHARSET + "IOZSV"))
def test_validators_raise_nothing_but_validation_error_on_any_text(value):
    # A form must turn any input into a message, never into a server error.
    for validator in VALIDATORS:
        try:
            validator(value)
        except ValidationError as error:
            assert error.messages and all(message.strip() for message in error.messages)


def test_posted_ids_keeps_only_what_can_name_a_row():
    from portal.validators import posted_ids

    assert posted_ids(["3", " 12 ", "9223372036854775807", "9223372036854775808", "²", "١", "-1", "", "1e3", "9" * 5000, "7"]) == [3, 12, 9223372036854775807, 7]
