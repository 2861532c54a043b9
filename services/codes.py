"""Single-use voting codes for a school session: made, printed on slips, typed back in.

A code looks like ``DK7X-M4PD-W9RC``: 11 random characters and a check character, in three
groups of four. Pure functions only: the lead keeps codes as keyed hashes
(``Hasher.code(poll_code, normalize(typed))``) and redeems them inside the ballot transaction.

**The alphabet** (23 characters): the digits 2-9 and the consonants C D F H J K M N P R T V W
X Y. Left out, and why:

- 0/O/Q/D-like round shapes: 0, O and Q (D stays: it is the only round one left);
- 1/I/L/l/7-like strokes: 1, I and L;
- pairs that look alike in many fonts and in handwriting, where the digit is kept: S/5, Z/2,
  B/8, G/6; and U/V, where V is kept;
- the vowels A, E (and U, I, O above): no rude or real words can appear on a child's slip.

23 is prime, which the check character needs (below). Typed input is forgiving: any case,
spaces, hyphens, dots, fullwidth characters (NFKC), and every left-out character is read as
the kept one it is most often mistaken for (O/0/Q -> D, S -> 5, Z -> 2, B -> 8, G -> 6, U -> V,
I/L/1 -> 7, A -> 4, E -> F). A wrong guess there costs nothing: the check character then fails.

**The check character** makes ``sum(i * value(c_i) for i = 1..12) % 23 == 0`` (like ISBN-10,
over a prime). Because 23 is prime and every weight is 1..12 (non-zero, all different mod 23),
changing any one character changes the sum, and swapping any two characters (neighbours or
not) changes it by ``(w_i - w_j) * (a - b)``, never 0 mod 23. So every single mistyped character
and every transposition is told "check the code" without a database look-up, and only 1 in 23
random strings of the right shape gets through to one.

**Entropy** (``CODE_BITS``): 11 random characters of 23 is 23**11 = 9.5e14 codes, 49.8 bits.
With 10,000 codes live at once and a guesser allowed 10 guesses a minute from one address for
30 days (432,000 guesses; those with a wrong check character are free to refuse, but a guesser
can compute it, so it does not help), the chance of hitting *any* live code is at most
432,000 * 10,000 / 23**11 = 4.5e-6, about 1 in 220,000. A thousand addresses for the whole
month: 0.45%. A ceiling on failed guesses per poll (say 1,000 an hour, whatever the address)
keeps it under 1 in 100,000 however many addresses are used. Twelve characters in groups of
four is about as long as a 10-year-old types reliably from a slip (a Wi-Fi key is longer).
"""

from __future__ import annotations

import math
import secrets
import unicodedata

ALPHABET = "23456789CDFHJKMNPRTVWXY"
DATA_LENGTH = 11  # random characters; the twelfth is the check character
LENGTH = DATA_LENGTH + 1
GROUP = 4
CODE_BITS = DATA_LENGTH * math.log2(len(ALPHABET))

_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_MODULUS = len(ALPHABET)

# What a character that is never in a code was probably meant as.
CONFUSABLE = {
    "0": "D",
    "O": "D",
    "Q": "D",
    "1": "7",
    "I": "7",
    "L": "7",
    "S": "5",
    "Z": "2",
    "B": "8",
    "G": "6",
    "U": "V",
    "A": "4",
    "E": "F",
}
# Separators people type or paste between the groups: spaces, hyphens and dashes, dots,
# underscores, slashes.
_SEPARATORS = frozenset(" \t\r\n-_.\u00b7/\u2010\u2011\u2012\u2013\u2014\u2212\u00a0")


def _check_char(data: str) -> str:
    """The character that makes the weighted sum of the whole code 0 mod 23."""
    total = sum(i * _VALUE[ch] for i, ch in enumerate(data, start=1))
    weight = len(data) + 1
    # value * weight == -total (mod 23); pow(weight, -1, 23) is weight's inverse.
    return ALPHABET[(-total * pow(weight, -1, _MODULUS)) % _MODULUS]


def is_consistent(bare: str) -> bool:
    """True when a 12-character code (no hyphens, from ``ALPHABET``) has its right check."""
    return (
        len(bare) == LENGTH
        and all(ch in _VALUE for ch in bare)
        and sum(i * _VALUE[ch] for i, ch in enumerate(bare, start=1)) % _MODULUS == 0
    )


def _grouped(bare: str) -> str:
    return "-".join(bare[i : i + GROUP] for i in range(0, len(bare), GROUP))


def new_code() -> str:
    """A fresh code from the system's CSPRNG, grouped for reading: ``DK7X-M4PD-W9RC``."""
    data = "".join(secrets.choice(ALPHABET) for _ in range(DATA_LENGTH))
    return _grouped(data + _check_char(data))


def normalize(typed: str) -> str | None:
    """The code someone meant, in the form ``new_code`` gives, or None if it can't be one.

    None covers a wrong length, a character that is in no code, and a wrong check character:
    all three are the same "check your code" page, and none needs a database look-up.
    """
    if len(typed) > 64:  # a pasted essay is not a code; keep the work bounded
        return None
    text = unicodedata.normalize("NFKC", typed).upper()
    bare = []
    for ch in text:
        if ch in _SEPARATORS:
            continue
        ch = CONFUSABLE.get(ch, ch)
        if ch not in _VALUE:
            return None
        bare.append(ch)
    joined = "".join(bare)
    if not is_consistent(joined):
        return None
    return _grouped(joined)
