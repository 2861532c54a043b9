"""Ordered, named schema steps; each runs once, in a transaction, and is recorded.

Each answer row carries its ballot's breakdown groups (``grp``, e.g. ``age=13-15&area=north``)
and ``lead`` = 1 on exactly one row per ballot and question, so a whole cross-tabulated tally
is one scan of a covering index, with no join, however many ballots there are.

Privacy rules the schema keeps:
- no column holds a Telegram id, name or phone; people appear only as keyed hashes;
- ``voters`` and ``ballots`` are WITHOUT ROWID tables keyed by random or keyed-hash values, so
  neither has a counter that would line a ballot up with its voter (placement inside pages is
  undone by the VACUUM that runs when a poll closes; see SqliteStore.compact);
- a ballot's time is its date only.
"""

from __future__ import annotations

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_initial",
        """
        CREATE TABLE polls (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'closed')),
            definition TEXT NOT NULL,
            opens_at INTEGER,
            closes_at INTEGER,
            created_at INTEGER NOT NULL,
            closed_at INTEGER
        );
        CREATE TABLE voters (
            poll_id INTEGER NOT NULL REFERENCES polls(id),
            voter BLOB NOT NULL,
            PRIMARY KEY (poll_id, voter)
        ) WITHOUT ROWID;
        CREATE TABLE ballots (
            id TEXT PRIMARY KEY,
            poll_id INTEGER NOT NULL REFERENCES polls(id),
            cast_on TEXT NOT NULL,
            channel TEXT NOT NULL DEFAULT 'online',
            session_id INTEGER,
            lang TEXT
        ) WITHOUT ROWID;
        CREATE INDEX ballots_by_poll ON ballots (poll_id, cast_on);
        CREATE TABLE answers (
            ballot_id TEXT NOT NULL REFERENCES ballots(id) ON DELETE CASCADE,
            poll_id INTEGER NOT NULL,
            question TEXT NOT NULL,
            option TEXT NOT NULL,
            rank INTEGER,
            grp TEXT NOT NULL DEFAULT '',
            lead INTEGER NOT NULL DEFAULT 1,
            PRIMARY KEY (ballot_id, question, option)
        ) WITHOUT ROWID;
        CREATE INDEX answers_tally ON answers (poll_id, question, grp, option, rank, lead);
        CREATE TABLE text_answers (
            ballot_id TEXT NOT NULL REFERENCES ballots(id) ON DELETE CASCADE,
            poll_id INTEGER NOT NULL,
            question TEXT NOT NULL,
            body TEXT NOT NULL,
            PRIMARY KEY (ballot_id, question)
        ) WITHOUT ROWID;
        CREATE TABLE drafts (
            owner BLOB PRIMARY KEY,
            token TEXT NOT NULL,
            poll_id INTEGER NOT NULL REFERENCES polls(id),
            state TEXT NOT NULL,
            updated_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX drafts_by_age ON drafts (updated_at);
        """,
    ),
]

MIGRATIONS.append(
    (
        "0002_paper_imports",
        """
        CREATE TABLE paper_imports (
            poll_id INTEGER NOT NULL REFERENCES polls(id),
            digest TEXT NOT NULL,
            filename TEXT NOT NULL,
            ballots INTEGER NOT NULL,
            imported_on TEXT NOT NULL,
            PRIMARY KEY (poll_id, digest)
        );
        """,
    )
)

MIGRATIONS.append(
    (
        "0003_staff",
        """
        CREATE TABLE workers (
            person BLOB PRIMARY KEY,
            name TEXT NOT NULL,
            added_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE invites (
            token BLOB PRIMARY KEY,
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            used_at INTEGER
        ) WITHOUT ROWID;
        """,
    )
)

MIGRATIONS.append(
    (
        "0004_sessions",
        """
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            poll_id INTEGER NOT NULL REFERENCES polls(id),
            token TEXT NOT NULL UNIQUE,
            label TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            UNIQUE (poll_id, label)
        );
        """,
    )
)

# Opt-in messages about new polls. Subscribers are keyed by a keyed hash and hold their chat id
# only encrypted (AES-GCM, key derived from the key file), so the file alone names nobody.
# One broadcast per poll (UNIQUE poll_id): a repeated /broadcast can't message anyone twice.
# broadcast_sends is the resumable per-subscriber progress; its rows (and the encrypted staff
# chat in ``notify``) are deleted when the broadcast finishes, leaving only the totals.
MIGRATIONS.append(
    (
        "0005_subscriptions",
        """
        CREATE TABLE subscribers (
            person BLOB PRIMARY KEY,
            chat BLOB NOT NULL,
            lang TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE broadcasts (
            id INTEGER PRIMARY KEY,
            poll_id INTEGER NOT NULL UNIQUE REFERENCES polls(id),
            created_at INTEGER NOT NULL,
            status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done')),
            notify BLOB,
            lang TEXT NOT NULL DEFAULT 'en',
            total INTEGER NOT NULL,
            sent INTEGER,
            failed INTEGER,
            removed INTEGER,
            unknown INTEGER,
            skipped INTEGER,
            finished_at INTEGER
        );
        CREATE TABLE broadcast_sends (
            broadcast_id INTEGER NOT NULL REFERENCES broadcasts(id),
            subscriber BLOB NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending' CHECK (
                state IN ('pending', 'sending', 'sent', 'failed', 'removed', 'unknown')
            ),
            PRIMARY KEY (broadcast_id, subscriber)
        ) WITHOUT ROWID;
        """,
    )
)

MIGRATIONS.append(
    (
        "0006_text_language",
        """
        ALTER TABLE text_answers ADD COLUMN lang TEXT NOT NULL DEFAULT 'und';
        ALTER TABLE text_answers ADD COLUMN lang_conf REAL NOT NULL DEFAULT 0;
        """,
    )
)

MIGRATIONS.append(
    (
        "0007_text_flags",
        """
        ALTER TABLE text_answers ADD COLUMN flagged INTEGER NOT NULL DEFAULT 0;
        """,
    )
)

MIGRATIONS.append(
    (
        "0008_preferences",
        """
        CREATE TABLE preferences (
            person BLOB PRIMARY KEY,
            lang TEXT NOT NULL
        ) WITHOUT ROWID;
        """,
    )
)

MIGRATIONS.append(
    (
        "0009_text_themes",
        """
        ALTER TABLE text_answers ADD COLUMN themes TEXT NOT NULL DEFAULT '';
        """,
    )
)

MIGRATIONS.append(
    (
        "0010_contact_requests",
        # "I'd like an adult to contact me". While the young person types and checks their
        # detail, only a keyed hash and a time mark that they are doing so (the detail itself
        # stays in memory until they press Send). A sent request holds the detail and poll
        # code encrypted under a key from the key file, and the date: no ballot id, no time,
        # no Telegram id. It is deleted when a lead marks it handled. AUTOINCREMENT: a number
        # is never reused, so a stale "Mark handled" button can't delete a newer request.
        """
        CREATE TABLE contact_waiting (
            person BLOB PRIMARY KEY,
            since INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE contact_requests (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            sealed BLOB NOT NULL,
            sent_on TEXT NOT NULL,
            delivered INTEGER NOT NULL DEFAULT 0,
            alert_message_id INTEGER
        );
        """,
    )
)

# Single-use voting codes for the web ballot. A code is kept only as a keyed hash (the key
# file's), with the session it was made for; it is used when the same hash is in ``voters``
# (written in the ballot's own transaction), so nothing here points to the ballot it cast.
MIGRATIONS.append(
    (
        "0011_vote_codes",
        """
        CREATE TABLE vote_codes (
            poll_id INTEGER NOT NULL REFERENCES polls(id),
            code BLOB NOT NULL,
            session_id INTEGER REFERENCES sessions(id),
            made_on TEXT NOT NULL,
            PRIMARY KEY (poll_id, code)
        ) WITHOUT ROWID;
        """,
    )
)

# Free-text answers a worker should see, without any alarm: worries about others or the area.
MIGRATIONS.append(
    (
        "0012_worry_flags",
        """
        ALTER TABLE text_answers ADD COLUMN review INTEGER NOT NULL DEFAULT 0;
        """,
    )
)

# Telegram updates already handled through the webhook, so a redelivered one is dropped. Only
# the update's number and the time are kept, and only for a day.
MIGRATIONS.append(
    (
        "0013_webhook_updates",
        """
        CREATE TABLE telegram_updates (
            update_id INTEGER PRIMARY KEY,
            seen_at INTEGER NOT NULL
        );
        """,
    )
)

# Safeguarding alerts waiting for the lead's chat: sealed (AES-GCM, like contact requests), under
# a random id, with the date only; written in the same transaction as the answer's draft, so an
# alert exists before the young person's reply, and deleted once Telegram has it.
MIGRATIONS.append(
    (
        "0014_alert_outbox",
        """
        CREATE TABLE alert_outbox (
            id TEXT PRIMARY KEY,
            sealed BLOB NOT NULL,
            queued_on TEXT NOT NULL
        ) WITHOUT ROWID;
        """,
    )
)

# A ballot's channel names how it came in: 'telegram', 'web' or 'paper' (Telegram ballots were
# called 'online' before the web ballot existed).
MIGRATIONS.append(
    (
        "0015_channel_names",
        """
        UPDATE ballots SET channel = 'telegram' WHERE channel = 'online';
        """,
    )
)

# HMAC(key, "markbot-key-check"): lets a start-up tell that the key file is the one this
# database was used with (a missing or wrong key would let everyone vote again). It reveals
# nothing of the key; it only confirms a key already in hand.
MIGRATIONS.append(
    (
        "0016_key_check",
        """
        CREATE TABLE key_check (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            value BLOB NOT NULL
        );
        """,
    )
)

# Results published for the public web pages (a poll's code and the date it was published, no
# time), and staff sign-in links for the live dashboard: only the keyed hash of a link's token,
# whose link it is (the worker's keyed hash, as in workers) and when it expires. A link is
# deleted when it is used, so it works exactly once.
MIGRATIONS.append(
    (
        "0017_publish_and_logins",
        """
        CREATE TABLE published_polls (
            poll_id INTEGER PRIMARY KEY REFERENCES polls(id),
            published_on TEXT NOT NULL
        );
        CREATE TABLE staff_logins (
            token BLOB PRIMARY KEY,
            person BLOB NOT NULL,
            expires_at INTEGER NOT NULL
        );
        """,
    )
)
# What several processes on one database must share (issue 12): short-lived state keyed by a
# kind and a keyed hash (what staff were asked to type, a contact detail being checked, sealed;
# the results staff last saw of an open poll), each with an expiry, and leases ('lease' rows:
# the holder's random id) that let one process at a time do a job such as sending broadcasts.
MIGRATIONS.append(
    (
        "0018_shared_state",
        """
        CREATE TABLE shared_state (
            kind TEXT NOT NULL,
            key BLOB NOT NULL,
            value BLOB NOT NULL,
            expires_at INTEGER NOT NULL,
            PRIMARY KEY (kind, key)
        ) WITHOUT ROWID;
        """,
    )
)

# Telegram updates are claimed before they are handled and marked done after: a claim that is
# not done and has grown old was left by a process that died mid-update, and is taken over when
# Telegram delivers the update again (a crash means redelivery, not loss). Earlier rows were
# handled: they are done.
MIGRATIONS.append(
    (
        "0019_update_done",
        """
        ALTER TABLE telegram_updates ADD COLUMN done INTEGER NOT NULL DEFAULT 1;
        """,
    )
)

# The ballots a poll had when its results first went public (kept when they are taken down):
# publishing it again with other figures would let anyone who kept the first pages subtract one
# from the other and see how the ballots added since voted.
MIGRATIONS.append(
    (
        "0020_released_polls",
        """
        CREATE TABLE released_polls (
            poll_id INTEGER PRIMARY KEY REFERENCES polls(id),
            ballots INTEGER NOT NULL
        );
        """,
    )
)

# A send of a safeguarding alert that started and has no known outcome (Telegram's answer lost
# to a crash or a timeout): the alert may have reached the lead's chat, so it is sent again
# with a label saying so. Set just before each send, cleared when Telegram refuses it.
MIGRATIONS.append(
    (
        "0021_alert_in_flight",
        """
        ALTER TABLE alert_outbox ADD COLUMN in_flight INTEGER NOT NULL DEFAULT 0;
        """,
    )
)

# Ballots no longer keep the language they were cast in (nothing counted by it, and a class's
# one Welsh-speaking voter was picked out by it): forget the tags already kept.
MIGRATIONS.append(
    (
        "0022_ballot_lang_forgotten",
        """
        UPDATE ballots SET lang = NULL WHERE lang IS NOT NULL;
        """,
    )
)

# Every table a database copy moves (`markbot db copy`, Store.dump and Store.load), in an order
# a load can follow (a row after the rows it refers to), each read in the order of its key.
# The keys of ballots, answers, voters and codes are random ids or keyed hashes, so that order
# says nothing about when a ballot was cast. schema_migrations is each database's own.
COPY_TABLES: list[tuple[str, str]] = [
    ("polls", "id"),
    ("sessions", "id"),
    ("ballots", "id"),
    ("answers", "ballot_id, question, option"),
    ("text_answers", "ballot_id, question"),
    ("voters", "poll_id, voter"),
    ("vote_codes", "poll_id, code"),
    ("paper_imports", "poll_id, digest"),
    ("drafts", "owner"),
    ("workers", "person"),
    ("invites", "token"),
    ("subscribers", "person"),
    ("broadcasts", "id"),
    ("broadcast_sends", "broadcast_id, subscriber"),
    ("preferences", "person"),
    ("contact_waiting", "person"),
    ("contact_requests", "id"),
    ("telegram_updates", "update_id"),
    ("alert_outbox", "id"),
    ("key_check", "id"),
    ("shared_state", "kind, key"),
    ("published_polls", "poll_id"),
    ("released_polls", "poll_id"),
    ("staff_logins", "token"),
]
