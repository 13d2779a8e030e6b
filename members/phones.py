"""Phone numbers: stored as E.164 ("+84912345678"), read as people write them ("0912 345 678", "84912345678",
"+84 912-345-678", and the 11-digit mobile numbers Vietnam renumbered in 2018, "0168 …" → "038 …").

SMS and Zalo reach Vietnamese mobile numbers only (`is_mobile`); a landline or a number abroad is kept for
the secretary's call list.
May import nothing of the apps.
"""

import functools
import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

REGION = "VN"

# The 11-digit mobile prefixes renumbered to 10 digits in 2018 (Ministry of Information and Communications).
RENUMBERED = {
    "0162": "032", "0163": "033", "0164": "034", "0165": "035", "0166": "036", "0167": "037", "0168": "038",
    "0169": "039", "0120": "070", "0121": "079", "0122": "077", "0126": "076", "0128": "078", "0123": "083",
    "0124": "084", "0125": "085", "0127": "081", "0129": "082", "0186": "056", "0188": "058", "0199": "059",
}  # fmt: skip
MOBILE_TYPES = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}


def _parsed(raw):
    text = re.sub(r"[\s.\-()/]", "", str(raw or ""))
    if text.startswith("00"):
        text = "+" + text[2:]
    elif text.startswith("84") and len(text) in (11, 12):
        text = "+" + text
    if len(text) == 11 and text[:4] in RENUMBERED:
        text = RENUMBERED[text[:4]] + text[4:]
    try:
        number = phonenumbers.parse(text, REGION)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def normalise(raw):
    """The number in E.164, "" for an empty one; ValidationError (translated) for one that is not a number."""
    if not str(raw or "").strip():
        return ""
    number = _parsed(raw)
    if number is None:
        raise ValidationError(
            _("“%(value)s” is not a phone number. Write it as 0912 345 678, or +country code for abroad.")
            % {"value": str(raw).strip()[:30]},
            code="phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_mobile(e164):
    """Whether SMS brandname and Zalo can reach the stored number: a Vietnamese mobile number."""
    number = _parsed(e164)
    return (
        number is not None
        and phonenumbers.region_code_for_number(number) == REGION
        and phonenumbers.number_type(number) in MOBILE_TYPES
    )


@functools.lru_cache(maxsize=4096)
def shown(e164):
    """The number as people read it: "091 234 56 78" at home, "+1 202-555-0142" abroad. Kept per number:
    parsing costs more than the rest of a member's row on the member list."""
    number = _parsed(e164)
    if number is None:
        return e164 or ""
    if phonenumbers.region_code_for_number(number) == REGION:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
