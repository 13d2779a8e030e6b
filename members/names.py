"""Vietnamese personal names: how they are split and how lists of them are sorted.

Vietnamese lists are sorted by the given name (the last word), then the family name (the first word),
then the middle names. Letters with a modifier (ă, â, đ, ê, ô, ơ, ư) are letters of their own in the
alphabet; the five tone marks only break ties. The key is made of digits so that it sorts the same
under any database collation.
"""

import unicodedata

ALPHABET = "aăâbcdđeêfghiklmnoôơpqrstuưvwxyz"
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # huyền, hỏi, ngã, sắc, nặng
_MODIFIED = {
    ("a", "\u0306"): "ă",
    ("a", "\u0302"): "â",
    ("e", "\u0302"): "ê",
    ("o", "\u0302"): "ô",
    ("o", "\u031b"): "ơ",
    ("u", "\u031b"): "ư",
}
_CODES = {letter: 10 + index for index, letter in enumerate(ALPHABET)}


def normalize_name(value):
    """Collapse spaces and use the composed Unicode form, so that one name is stored one way."""
    return unicodedata.normalize("NFC", " ".join(value.split()))


def split_name(full_name):
    """Return (family, middle, given) of a full name such as "Nguyễn Thị Minh Khai"."""
    words = normalize_name(full_name).split(" ")
    if len(words) == 1:
        return "", "", words[0]
    return words[0], " ".join(words[1:-1]), words[-1]


def _letters(word):
    """Yield (letter, tone) pairs of a word, letters without their tone."""
    for char in unicodedata.normalize("NFC", word.lower()):
        decomposed = unicodedata.normalize("NFD", char)
        base, marks = decomposed[0], decomposed[1:]
        tone = 0
        for mark in marks:
            if mark in _TONES:
                tone = _TONES[mark]
            elif (base, mark) in _MODIFIED:
                base = _MODIFIED[(base, mark)]
        yield base, tone


def _primary(word):
    # Letters outside the alphabet sort after z; marks such as an apostrophe before a.
    return "".join(f"{_CODES.get(letter, 99 if letter.isalpha() else 1):02d}" for letter, _ in _letters(word))


def _tones(word):
    return "".join(str(tone) for _, tone in _letters(word))


def sort_key(full_name):
    """A digits-only key: given name, family name, middle names; within a word, tones break ties.

    "00" ends each word's letters so that a shorter word sorts before a longer one that starts the
    same; the tones follow, one digit a letter, so words with the same letters compare by tone
    before the next word is looked at (An < Ân, Anh < Ánh).
    """
    family, middle, given = split_name(full_name)
    return "".join(_primary(part) + "00" + _tones(part) for part in (given, family, middle))


def fold(text):
    """Lower-case without diacritics, so that "nguyen van an" finds "Nguyễn Văn An"."""
    decomposed = unicodedata.normalize("NFD", " ".join(str(text).split()).lower().replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))
