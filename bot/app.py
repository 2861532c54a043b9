"""The composition root: builds the services and the Application, and runs it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import Conflict, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults

from bot.keys import open_key
from bot.limits import OnePerPerson, SplitRateLimiter
from bot.settings import Settings
from bot.transport import AiohttpRequest
from bot.updates import NoticeOutage, SkipUnreadable, parse_update
from handlers import admin, broadcast, chats, errors, inputs, journey, menus, safeguarding
from handlers.context import MarkbotContext, attach
from handlers.web.server import build_web_app, start_web
from handlers.web.telegram import UpdateSink
from prompts import load_catalog
from services import textmodel
from services.alerts import AlertService
from services.broadcast import RENEW_SECONDS, BroadcastService
from services.contact_requests import ContactRequestService, LeadMessage
from services.container import Services
from services.dashboard import DashboardService
from services.identity import Hasher
from services.journey import JourneyService
from services.paper import PaperService
from services.polls import PollService
from services.reports import ReportService
from services.sealing import ALERTS, CONTACTS, Cipher
from services.site import SiteService
from services.staff import StaffService
from services.subscriptions import SubscriptionService
from services.text_input import clean_data
from services.vote_codes import VoteCodeService
from storage.contract import Store
from storage.open import make_store
from storage.records import UpdateClaim

log = logging.getLogger("markbot")

JANITOR_INTERVAL_SECONDS = 600
UPDATE_MEMORY_SECONDS = 24 * 3600  # how long a handled webhook update's number is kept
SCHEDULE_INTERVAL_SECONDS = 20
POOL_TIMEOUT_SECONDS = 10.0
# Only the updates markbot handles: nothing else about people is ever sent to it.
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "channel_post"]
App = Application[Any, MarkbotContext, Any, Any, Any, Any]


@dataclass(slots=True)
class Runtime:
    """What one process opened: the store and the services built on it."""

    store: Store
    services: Services
    key: bytes  # for the web's cookie signing; never stored in the database

    async def close(self) -> None:
        await self.store.close()


def copy_target(address: str) -> Store:
    """The database `markbot db copy --to` writes into (not yet opened)."""
    return make_store(address)


async def open_runtime(settings: Settings, *, new_key: bool = False) -> Runtime:
    """Open the database, its key and the services (the key is read once, here, and checked
    against the database: see bot/keys.py; ``new_key`` is ``markbot run --new-key``)."""
    key_path = settings.key_path  # before opening: PostgreSQL needs MARKBOT_KEY_FILE
    store = make_store(settings.database)
    await store.open()
    try:
        key = await open_key(key_path, store, new_key=new_key, database=settings.database_name)
    except BaseException:
        await store.close()
        raise
    catalog = load_catalog()
    polls = PollService(store, catalog)
    hasher = Hasher(key)
    subscriptions = SubscriptionService(store, hasher, Cipher(key), catalog)
    helped = settings.safeguarding_chat is not None  # someone can act on "contact me"
    alerts = AlertService(store, Cipher(key, ALERTS), catalog) if helped else None
    languages = settings.text_languages
    reports = ReportService(store, polls, catalog)
    staff = StaffService(store, hasher, frozenset(settings.admins))
    services = Services(
        catalog=catalog,
        polls=polls,
        journey=JourneyService(
            store,
            hasher,
            catalog,
            polls,
            languages=languages,
            contact_help=helped,
            web_url=settings.web_url,
            alerts=alerts,
        ),
        reports=reports,
        paper=PaperService(store, polls, languages=languages),
        staff=staff,
        subscriptions=subscriptions,
        broadcasts=BroadcastService(
            store,
            polls,
            subscriptions,
            catalog,
            lease_seconds=settings.broadcast_lease_seconds,
            renew_seconds=min(RENEW_SECONDS, settings.broadcast_lease_seconds / 3),
        ),
        contacts=ContactRequestService(
            store, hasher, Cipher(key, CONTACTS), catalog, available=helped
        ),
        codes=VoteCodeService(store, hasher, polls),
        dashboard=DashboardService(
            store,
            hasher,
            staff,
            polls,
            reports,
            SiteService(reports, polls, catalog, first_lang=settings.web_language),
            min_cell=settings.min_cell,
        ),
        min_cell=settings.min_cell,
        safeguarding_chat=settings.safeguarding_chat,
        web_url=settings.web_url,
        alerts=alerts,
    )
    await services.journey.load_preferences()
    return Runtime(store, services, key)


class UpdatesRequest(NoticeOutage, SkipUnreadable, inputs.CleanRequest, AiohttpRequest):
    """getUpdates on markbot's aiohttp layer: every string of every update cleaned as it is
    decoded (handlers/inputs.py), an update PTB can't read skipped rather than fetched for
    ever, and an outage's start and end logged once each (bot/updates.py)."""


def tuned_builder(
    settings: Settings, token: str, *, rate_limiter: bool = True, updates: bool = True
) -> Any:
    """PTB's builder with markbot's network and concurrency settings (the benchmark's "shared"
    reference uses the same)."""
    # PTB 22 gives retry_after as a timedelta only when asked; otherwise each 429 also warns.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    # aiohttp instead of PTB's default httpx (see bot/transport.py): about half the CPU per
    # call. The pool is sized to the work: an answer and an edit per update in flight, plus
    # sends; long polling has a connection of its own.
    pool = max(16, 4 * settings.concurrency)
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.api_url)
        .base_file_url(settings.file_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .concurrent_updates(OnePerPerson(settings.concurrency))
        .request(AiohttpRequest(pool, pool_timeout=POOL_TIMEOUT_SECONDS))
    )
    # long polling gets its own connection; a webhook needs no updater at all
    updater = builder.get_updates_request(UpdatesRequest(1)) if updates else builder.updater(None)
    builder = updater
    if rate_limiter:
        # Per-chat and per-group limits and 429 retries, a group's 429 holding back only
        # messages to groups (bot/limits.py: alerts' bursts never hold a young person's reply).
        builder = builder.rate_limiter(SplitRateLimiter(max_retries=3))
    return builder


def build_application(
    settings: Settings,
    token: str,
    services: Services,
    *,
    rate_limiter: bool = True,
    webhook: bool = False,
) -> App:
    """The Application with every handler registered; nothing is opened here. With
    ``webhook`` it has no updater: updates come from the web server's webhook route."""
    # With a webhook the route cleans what it decodes, as UpdatesRequest does for polling.
    builder = tuned_builder(settings, token, rate_limiter=rate_limiter, updates=not webhook)
    app: App = (
        builder.context_types(ContextTypes(context=MarkbotContext))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    attach(app, services)
    app.add_handler(journey.primer(), group=journey.PRIME_GROUP)
    for handler in safeguarding.handlers(services):
        app.add_handler(handler, group=safeguarding.GROUP)
    for handler in admin.handlers():
        app.add_handler(handler, group=admin.GROUP)
    for handler in broadcast.handlers():
        app.add_handler(handler, group=broadcast.GROUP)
    # Broadcast sends pace themselves, so they use a Bot without the rate limiter.
    bulk = broadcast.bulk_bot(token, settings.api_url, settings.file_url)
    app.bot_data[broadcast.BULK_BOT] = bulk
    for handler in chats.handlers() + journey.handlers():
        app.add_handler(handler)
    app.add_error_handler(errors.on_error)
    return app


async def _post_init(app: App) -> None:
    """Load the free-text models, publish the command menus and start the janitor that
    forgets stale drafts."""
    services: Services = app.bot_data["markbot.services"]
    # About a second, once per process: not on the first young person's typed answer.
    await asyncio.to_thread(textmodel.warm)
    await menus.publish_everyone(app.bot, services)
    await menus.publish_safeguarding(app.bot, services)
    for owner in sorted(services.staff.owners):
        await menus.publish_staff(app.bot, services, owner, owner=True)
    # the janitor's first round posts the contact requests a crash kept from the lead
    app.bot_data["markbot.janitor"] = asyncio.create_task(_janitor(app.bot, services))
    app.bot_data["markbot.alerts"] = asyncio.create_task(
        safeguarding.send_alerts(app.bot, services)
    )
    await broadcast.start_broadcasts(app)  # resumes broadcasts a restart interrupted


async def _post_shutdown(app: App) -> None:
    await broadcast.stop_broadcasts(app)  # sends on the wire finish and are recorded
    for name in ("markbot.janitor", "markbot.alerts"):
        task = app.bot_data.pop(name, None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def _janitor(bot: Bot, services: Services) -> None:
    """Open and close polls at the times in their files (the times live in the database, so
    this survives restarts), retry contact requests the safeguarding chat hasn't had, and
    forget unfinished journeys (and requests never sent) after 24 hours."""
    rounds = 0
    while True:
        try:
            opened, closed = await services.polls.apply_schedule()
            for code in opened:
                log.info("poll %s opened at its scheduled time", code)
            for code in closed:
                log.info("poll %s closed at its scheduled time", code)
            await safeguarding.deliver_pending(bot, services)
            if rounds % (JANITOR_INTERVAL_SECONDS // SCHEDULE_INTERVAL_SECONDS) == 0:
                if rounds:  # not in the busy moments of start-up
                    await services.polls.checkpoint()
                removed = await services.journey.purge_stale()
                if removed:
                    log.info("deleted %d unfinished journeys older than 24 hours", removed)
                await safeguarding.tidy(bot, services)
        except Exception as exc:  # keep the janitor alive; the next round tries again
            log.error("janitor failed: %s", type(exc).__name__)
        rounds += 1
        await asyncio.sleep(SCHEDULE_INTERVAL_SECONDS)


class WebServerError(Exception):
    """The web ballot could not be served (the message says why and what to check)."""


async def start_web_server(
    settings: Settings,
    runtime: Runtime,
    bot: Bot | None,
    webhook: tuple[str, str, UpdateSink] | None = None,
) -> web.AppRunner | None:
    """The web ballot, in this process (SQLite has one writer: this one), when
    MARKBOT_WEB_PORT is set. Safeguarding alerts from web answers go through ``bot``."""
    if settings.web_port is None:
        return None
    chat = settings.safeguarding_chat
    contact = None
    if bot is not None and chat is not None:
        poster = bot

        async def contact(lead: LeadMessage) -> None:
            await safeguarding.deliver(poster, runtime.services, lead)

    app = build_web_app(
        runtime.services,
        runtime.key,
        public_url=settings.public_url,
        default_lang=settings.web_language,
        trust_proxy=settings.web_trust_proxy,
        contact=settings.web_contact,
        deliver=contact,
        webhook=webhook,
    )
    try:
        return await start_web(app, settings.web_host, settings.web_port)
    except OSError as exc:
        raise WebServerError(
            f"cannot serve the web ballot on {settings.web_host}:{settings.web_port} "
            f"({exc.strerror or type(exc).__name__}); check MARKBOT_WEB_HOST and MARKBOT_WEB_PORT"
        ) from None


async def serve_webhook(
    app: App, settings: Settings, runtime: Runtime, stop: asyncio.Event
) -> None:
    """Run with Telegram's webhook until ``stop`` is set: each update is handled inside its
    HTTP request and answered after its writes commit; a redelivered update is dropped."""
    url, path, secret = settings.require_webhook()
    store = runtime.store
    lease = settings.webhook_lease_seconds

    async def process(data: dict[str, Any]) -> bool:
        # Claimed before handling, by the database's key, so of two deliveries of one update
        # (to this process or another) exactly one is handled, and marked done after. A
        # handler's own error goes to the error handler (the person is told kindly) and the
        # update counts as handled; an error outside the handlers releases the claim and
        # answers Telegram with a 5xx, so its redelivery is handled. While another delivery
        # is being handled the answer is "busy" (503: Telegram tries again later). A process
        # killed mid-update leaves a claim that is not done: after
        # MARKBOT_WEBHOOK_LEASE_SECONDS a delivery takes it over, so a crash means redelivery,
        # not loss (a ballot is still counted once, by its own key).
        # The claim also reads what the prime handler needs (one round trip on PostgreSQL).
        update = parse_update(clean_data(data), app.bot)
        update_id = update.update_id
        claim = await journey.claim(runtime.services, update, int(time.time()), lease)
        if claim is UpdateClaim.DONE:
            log.info("update %d delivered again: dropped", update_id)
            return True
        if claim is UpdateClaim.BUSY:
            log.info("update %d is being handled elsewhere: Telegram will retry", update_id)
            return False
        try:
            # At most MARKBOT_CONCURRENCY at once, as with long polling: each may hold a
            # person's turn (a database connection, on PostgreSQL) while it runs.
            await app.update_processor.process_update(update, app.process_update(update))
        except BaseException:
            await store.release_update(update_id)
            raise
        try:
            await store.finish_update(update_id)
        except Exception as exc:  # handled, its writes committed: 200 all the same, since a
            # 5xx would have Telegram deliver it again and, once the claim's lease ran out,
            # the redelivery would be handled (and the person answered) a second time
            log.error("update %d handled but not marked done: %s", update_id, type(exc).__name__)
        return True

    await _initialize(app)
    runner = None
    try:
        if app.post_init is not None:
            await app.post_init(app)
        await app.start()
        runner = await start_web_server(settings, runtime, app.bot, (path, secret, process))
        await app.bot.set_webhook(
            url,
            secret_token=secret,
            allowed_updates=ALLOWED_UPDATES,
            max_connections=settings.webhook_max_connections,
        )
        while not stop.is_set():  # a redelivery comes within minutes; a day is plenty
            try:
                await store.forget_updates(int(time.time()) - UPDATE_MEMORY_SECONDS)
            except Exception as exc:  # the database away for a moment: the next round tidies
                log.error("could not forget old webhook updates: %s", type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), JANITOR_INTERVAL_SECONDS)
    finally:
        if runner is not None:
            await runner.cleanup()  # requests in flight finish first
        if app.running:
            await app.stop()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
        await app.shutdown()


async def migrate(settings: Settings) -> list[str]:
    """Apply the database's migrations (opening it does) and return their names: ``markbot
    migrate``, before starting several processes on a new PostgreSQL database."""
    store = make_store(settings.database)
    await store.open()
    try:
        return await store.schema_version()
    finally:
        await store.close()


async def _initialize(app: App) -> None:
    """PTB's initialize; when it fails (no network, a refused token), the connections its bot
    opened before asking getMe are closed too (PTB's own shutdown skips an app that never
    started)."""
    try:
        await app.initialize()
    except BaseException:
        await app.bot.shutdown()
        raise


class Conflicted(Exception):
    """Another process is polling the same token."""


async def serve(app: App, stop: asyncio.Event, *, poll_timeout: float = 30) -> None:
    """Run long polling until ``stop`` is set; raise Conflicted if Telegram says 409."""
    conflict = asyncio.Event()

    def on_poll_error(exc: TelegramError) -> None:
        if isinstance(exc, Conflict):
            conflict.set()
            stop.set()
        else:
            log.warning("polling error (retrying): %s", type(exc).__name__)

    await _initialize(app)
    try:
        if app.post_init is not None:
            await app.post_init(app)
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(
            poll_interval=0.0,
            timeout=int(poll_timeout),
            allowed_updates=ALLOWED_UPDATES,
            error_callback=on_poll_error,
        )
        await stop.wait()
    finally:
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
        await app.shutdown()
    if conflict.is_set():
        raise Conflicted("another markbot (or bot program) is polling this token")
