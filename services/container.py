"""The services one running bot shares, built once by the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from prompts import Catalog
from services.alerts import AlertService
from services.broadcast import BroadcastService
from services.contact_requests import ContactRequestService
from services.dashboard import DashboardService
from services.journey import JourneyService
from services.paper import PaperService
from services.polls import PollService
from services.reports import ReportService
from services.staff import StaffService
from services.subscriptions import SubscriptionService
from services.vote_codes import VoteCodeService


@dataclass(frozen=True, slots=True)
class Services:
    catalog: Catalog
    polls: PollService
    journey: JourneyService
    reports: ReportService
    paper: PaperService
    staff: StaffService
    subscriptions: SubscriptionService
    broadcasts: BroadcastService
    contacts: ContactRequestService
    codes: VoteCodeService
    dashboard: DashboardService  # the results site live: sign-in links, publishing, pages
    min_cell: int = 5
    safeguarding_chat: int | None = None  # where safeguarding alerts go, if anywhere
    web_url: str | None = None  # where the web ballot is reached (links, voting-code slips)
    alerts: AlertService | None = None  # safeguarding alerts waiting for the lead's chat
