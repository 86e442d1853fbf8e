"""Validators for the identifiers the form asks for: mobiles, landlines, postcodes and the
统一社会信用代码, and for names that must not pass for another (invisible characters). Each raises
ValidationError with a Chinese message and a code. And the ids a form posts (checkbox values),
which must fit the database before they reach a query."""
import re
import unicodedata

from django.core.exceptions import ValidationError

# re.ASCII: \d must mean 0–9 only, not full-width or other Unicode digits an IME may produce.
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$", re.ASCII)
# 区号-号码[-分机]: area code 3–4 digits starting with 0, number 7–8 digits, optional extension.
LANDLINE_RE = re.compile(r"^0\d{2,3}-\d{7,8}(-\d{1,6})?$", re.ASCII)
POSTCODE_RE = re.compile(r"^\d{6}$", re.ASCII)

# GB 32100-2015: the 18th character of the code is a check character over the first 17.
CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CREDIT_CODE_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")


def validate_mobile(value: str) -> None:
    if not MOBILE_RE.fullmatch(value or ""):
        raise ValidationError("请输入 11 位中国大陆手机号码，以 13–19 开头，例如 13812345678。", code="mobile")


def validate_landline(value: str) -> None:
    if not LANDLINE_RE.fullmatch(value or ""):
        raise ValidationError("请按“区号-号码[-分机]”填写座机号码，例如 0571-88031215。", code="landline")


def validate_phone(value: str) -> None:
    """A mobile number, or a landline written 区号-号码[-分机]."""
    if MOBILE_RE.fullmatch(value or "") or LANDLINE_RE.fullmatch(value or ""):
        return
    raise ValidationError("请输入手机号码（11 位）或座机号码（区号-号码[-分机]）。", code="phone")


def validate_postcode(value: str) -> None:
    if not POSTCODE_RE.fullmatch(value or ""):
        raise ValidationError("邮政编码应为 6 位数字。", code="postcode")


def credit_code_check_character(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters of a 统一社会信用代码."""
    total = sum(CREDIT_CODE_CHARSET.index(ch) * w for ch, w in zip(first17, CREDIT_CODE_WEIGHTS))
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    code = (value or "").upper()
    if not CREDIT_CODE_RE.fullmatch(code):
        raise ValidationError(
            "统一社会信用代码应为 18 位，由数字和大写字母组成（不含 I、O、Z、S、V）。", code="credit_code_format"
        )
    if credit_code_check_character(code[:17]) != code[17]:
        raise ValidationError("统一社会信用代码校验位不正确，请核对后重新填写。", code="credit_code_check")


# Characters that show nothing or turn the text around, so that a name looks like another: Unicode's
# format characters (category Cf: the zero-width space, non-joiner and joiner and the marks of
# direction U+200B–U+200F, the word joiner U+2060, the byte-order mark U+FEFF, the bidi embeddings
# and overrides U+202A–U+202E and isolates U+2066–U+2069, the soft hyphen …) and control characters.
INVISIBLE_CATEGORIES = ("Cf", "Cc")


def validate_visible_text(value: str) -> None:
    """Refuse text with a character that shows nothing or changes the direction of the text."""
    for character in value or "":
        if unicodedata.category(character) in INVISIBLE_CATEGORIES:
            raise ValidationError(
                "含有不可见或改变文字方向的字符（U+%(code)s），请删除后重新填写；建议直接输入，不要从别处复制粘贴。",
                code="invisible_character",
                params={"code": f"{ord(character):04X}"},
            )


def name_key(value: str) -> str:
    """What two names must differ in to name two units: compared after NFKC (full-width and
    half-width letters, digits and brackets alike), in any case, and without any whitespace, so
    "ＡＢＣ职业学院", "abc 职业学院" and "ABC职业学院" are one name."""
    return "".join(unicodedata.normalize("NFKC", value or "").casefold().split())


def normalize_credit_code(value: str) -> str:
    """A 统一社会信用代码 as it is checked and stored: full-width characters as half-width (NFKC),
    spaces dropped, letters in upper case."""
    return "".join(unicodedata.normalize("NFKC", value or "").split()).upper()


# The database's integer ids (64-bit, signed). Django checks the range for an equality lookup but
# not for `pk__in`: a bigger number reaches SQLite, which cannot bind it (OverflowError, a 500).
DATABASE_ID_RANGE = range(-(2**63), 2**63)


# The most digits a number within DATABASE_ID_RANGE has (2**63 - 1 has 19). Longer text is no id,
# and is never handed to int(): Python refuses numbers of more than 4,300 digits (ValueError).
DATABASE_ID_DIGITS = len(str(2**63 - 1))


def parsed_id(value) -> int | None:
    """The id `value` names (a posted value, a query parameter): a whole number in ASCII digits
    within DATABASE_ID_RANGE. None for anything else (letters, a sign, '²', full-width digits, a
    number too large), which cannot name a row."""
    text = str(value).strip()
    if text.isascii() and text.isdigit() and len(text) <= DATABASE_ID_DIGITS and int(text) in DATABASE_ID_RANGE:
        return int(text)
    return None


def posted_ids(values) -> list[int]:
    """The ids among posted values (parsed_id), in their order. Anything else is dropped."""
    return [pk for pk in map(parsed_id, values) if pk is not None]
