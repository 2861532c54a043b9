"""How long a sheet of voting-code slips takes: ``python -m bench.code_sheet [COUNT]``.

Prints the time to render COUNT slips (default 1,000) beside the time to encode their QR codes
alone, in the same run, so the ratio says how much the PDF itself costs over the encoder.
Times are this process's CPU time, which other work on a shared machine disturbs less than
the clock on the wall.
"""

from __future__ import annotations

import sys
import time

from services.code_sheet import qr_matrix, render_sheet
from services.codes import new_code

URL = "https://votes.example.gov.uk/v"


def link_for(code: str) -> str:
    return f"{URL}/mym-north-2026?code={code}"


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    codes = [new_code() for _ in range(count)]
    render_sheet(codes[:1], title="Warm-up", link_for=link_for, short_url=URL)  # fonts
    for languages in (("en",), ("cy", "en")):
        start = time.process_time()
        pdf = render_sheet(
            codes,
            title={"en": "Make Your Mark North 2026", "cy": "Gwneud dy Farc y Gogledd 2026"},
            link_for=link_for,
            short_url=URL,
            session="7B",
            languages=languages,
        )
        sheet = time.process_time() - start
        start = time.process_time()
        for code in codes:
            qr_matrix(link_for(code))
        encode = time.process_time() - start
        print(
            f"{'+'.join(languages)}: {count} slips in {sheet:.2f} s ({sheet / count * 1000:.1f} ms"
            f" a slip, {len(pdf) / 1e6:.2f} MB); QR encoding alone {encode:.2f} s"
            f" ({encode / sheet:.0%} of the sheet)"
        )


if __name__ == "__main__":
    main()
