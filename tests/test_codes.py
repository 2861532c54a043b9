"""Voting codes: an alphabet without look-alikes, enough entropy, forgiving input, and a check
character that catches every single mistyped character and every swap."""

from __future__ import annotations

import itertools
import math
import random
import re

import pytest

from services import codes
from services.codes import ALPHABET, CODE_BITS, new_code, normalize
from services.identity import Hasher

SHAPE = re.compile(
    r"^[23456789CDFHJKMNPRTVWXY]{4}-[23456789CDFHJKMNPRTVWXY]{4}-"
    r"[23456789CDFHJKMNPRTVWXY]{4}$"
)
SAMPLE = [new_code() for _ in range(300)]
FIXED = ["DK7X-M4PD-W9RC", "2222-2222-2222", "YYYY-YYYY-YYYY", "C3D4-F5H6-J7K8"]


def _fixed_codes() -> list[str]:
    """Valid codes built from fixed data (whatever the check character turns out to be)."""
    out = []
    for text in FIXED:
        data = text.replace("-", "")[: codes.DATA_LENGTH]
        out.append(codes._grouped(data + codes._check_char(data)))
    return out


def test_alphabet_leaves_out_look_alikes_and_vowels() -> None:
    for ch in "0O1IL" + "5S"[1] + "2Z"[1] + "8B"[1] + "6G"[1] + "UQ" + "AE":
        assert ch not in ALPHABET, ch
    for pair in ("5S", "2Z", "8B", "6G", "UV"):
        assert sum(ch in ALPHABET for ch in pair) == 1, pair
    assert len(set(ALPHABET)) == len(ALPHABET) == 23
    assert ALPHABET.isupper()
    # the check character's guarantees need a prime number of symbols
    assert all(len(ALPHABET) % d for d in range(2, len(ALPHABET)))


def test_every_confusable_maps_into_the_alphabet() -> None:
    for wrong, meant in codes.CONFUSABLE.items():
        assert wrong not in ALPHABET
        assert meant in ALPHABET


def test_entropy_is_enough_for_many_live_codes_and_a_month_of_guessing() -> None:
    assert math.isclose(CODE_BITS, 11 * math.log2(23))
    assert 49.7 < CODE_BITS < 49.8
    guesses = 10 * 60 * 24 * 30  # 10 a minute for 30 days
    p_hit_any = guesses * 10_000 / 2**CODE_BITS
    assert p_hit_any < 5e-6


def test_new_codes_have_the_shape_and_are_random() -> None:
    for code in SAMPLE:
        assert SHAPE.match(code), code
        assert codes.is_consistent(code.replace("-", ""))
    assert len(set(SAMPLE)) == len(SAMPLE)
    # every character of the alphabet turns up in the random part, in every position group
    firsts = {code[0] for code in SAMPLE}
    assert firsts == set(ALPHABET)


def _variants(code: str) -> list[str]:
    bare = code.replace("-", "")
    confused = code.replace("D", "o").replace("5", "S").replace("2", "z").replace("8", "B")
    confused = confused.replace("6", "g").replace("V", "u").replace("7", "l")
    fullwidth = "".join(chr(ord(ch) + 0xFEE0) for ch in code)  # Ｄ Ｋ ７ －
    return [
        code,
        code.lower(),
        code.title(),
        bare,
        bare.lower(),
        " ".join(bare),
        f"  {code}  ",
        code.replace("-", " "),
        code.replace("-", "."),
        code.replace("-", "\u2013"),
        f"{bare[:4]} {bare[4:8]}-{bare[8:]}",
        confused,
        confused.lower(),
        fullwidth,
    ]


def test_normalize_round_trips_every_generated_code_through_typing_habits() -> None:
    for code in SAMPLE + _fixed_codes():
        assert normalize(code) == code
        for typed in _variants(code):
            assert normalize(typed) == code, (code, typed)


@pytest.mark.parametrize(
    ("wrong", "meant"),
    [
        ("0", "D"),
        ("O", "D"),
        ("o", "D"),
        ("Q", "D"),
        ("S", "5"),
        ("s", "5"),
        ("Z", "2"),
        ("B", "8"),
        ("G", "6"),
        ("U", "V"),
        ("1", "7"),
        ("I", "7"),
        ("l", "7"),
    ],
)
def test_each_confusion_is_read_as_the_character_that_is_in_codes(wrong: str, meant: str) -> None:
    data = meant * codes.DATA_LENGTH
    code = codes._grouped(data + codes._check_char(data))
    typed = code.replace(meant, wrong)
    assert normalize(typed) == code


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "----",
        "DK7X-M4PD-W9R",
        "DK7X-M4PD-W9RCC",
        "DK7X M4PD W9R?",
        "DK7X-M4PD-W9R€",
        "x" * 5000,
        "DK7X-M4PD-W9RC\x00",
        "ДK7X-M4PD-W9RC",
    ],
)
def test_what_cannot_be_a_code_is_none(typed: str) -> None:
    assert normalize(typed) is None


def test_a_single_mistyped_character_is_always_caught() -> None:
    """Exhaustive: every position, every other character of the alphabet."""
    for code in _fixed_codes() + SAMPLE[:20]:
        bare = code.replace("-", "")
        for i, ch in itertools.product(range(len(bare)), ALPHABET):
            if ch == bare[i]:
                continue
            typed = bare[:i] + ch + bare[i + 1 :]
            assert normalize(typed) is None, (code, typed)


def test_every_swap_of_two_different_characters_is_caught() -> None:
    """Neighbours (the usual slip of the fingers) and further apart, across the hyphens too."""
    for code in _fixed_codes() + SAMPLE[:20]:
        bare = code.replace("-", "")
        for i, j in itertools.combinations(range(len(bare)), 2):
            if bare[i] == bare[j]:
                continue
            chars = list(bare)
            chars[i], chars[j] = chars[j], chars[i]
            assert normalize("".join(chars)) is None, (code, i, j)


def test_about_one_random_string_in_23_passes_the_check() -> None:
    rng = random.Random(7)
    trials = 23_000
    passed = sum(
        codes.is_consistent("".join(rng.choice(ALPHABET) for _ in range(codes.LENGTH)))
        for _ in range(trials)
    )
    assert 800 < passed < 1200  # expected 1,000


def test_hasher_keeps_codes_per_poll_and_unreadable() -> None:
    hasher = Hasher(b"k" * 32)
    code = SAMPLE[0]
    digest = hasher.code("mym-north", code)
    assert digest == hasher.code("mym-north", normalize(code.lower().replace("-", " ")) or "")
    assert len(digest) == 16
    assert digest != hasher.code("mym-south", code)
    assert digest != Hasher(b"j" * 32).code("mym-north", code)
    assert digest != hasher.code("mym-north", SAMPLE[1])
    assert code.encode() not in digest and digest != hasher.secret(code)
