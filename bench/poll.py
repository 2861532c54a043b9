"""The benchmark's poll, shared by markbot, the bare bot and the simulated voters.

Three choice questions and no text question, so a ballot is exactly six screens (the notice,
three questions, the check screen, the thank-you) on either bot.
"""

from __future__ import annotations

from prompts import load_catalog
from services.pollfile import Poll, parse_poll

TOKEN = "123456:BENCH-TOKEN"
CODE = "bench-poll"

POLL_YAML = f"""\
code: {CODE}
title: Benchmark poll
intro: What should the youth council work on first?
outcome: The youth forum will see the results in January.
questions:
  - id: age
    kind: choice
    text: How old are you?
    options: [Under 11, 11-13, 14-16, 17-18, 19-25, Over 25]
    ineligible: [Under 11, Over 25]
    breakdown: true
  - id: area
    kind: choice
    text: Where do you live?
    options: [North, South, East, West]
    breakdown: true
  - id: priority
    kind: choice
    text: Which one should be the top priority?
    options: [Mental health, Transport, Climate, Jobs, Safety, Housing, Youth clubs, Sport,
              Racism, Curriculum]
"""


def bench_poll() -> Poll:
    """The poll as markbot's PollService.parse builds it (same 'Prefer not to say' option)."""
    return parse_poll(POLL_YAML, "bench", load_catalog().both("option_prefer_not_to_say"))
