"""The tables. One schema for the encrypted SQLite default and for PostgreSQL.

Every model binds to ``database``, a proxy that ``facilitator.store.database`` initialises
once per open store. Timestamps (``*_at``) are naive datetimes in UTC; dates and clock
times of a session (``date``, ``scheduled_start``, ``arrival``) are the clinic's local ones.
"""

from __future__ import annotations

from peewee import (
    SQL,
    BlobField,
    BooleanField,
    CharField,
    DatabaseProxy,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
    TimeField,
)

from facilitator.domain.rules import utcnow

database = DatabaseProxy()


class Base(Model):
    class Meta:
        database = database
        legacy_table_names = False


class ProgramSetting(Base):
    """Program-wide settings such as the program's name, as key and text value."""

    key = CharField(unique=True)
    value = TextField()


class User(Base):
    username = CharField(unique=True)
    full_name = CharField()
    credentials = CharField(default="")
    role = CharField()
    # Unused: kept empty (a server checks its own logins; a laptop its key slots).
    password_hash = TextField(null=True)
    active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)
    clinician = BooleanField(default=True, constraints=[SQL("DEFAULT TRUE")])
    requires_supervision = BooleanField(default=False, constraints=[SQL("DEFAULT FALSE")])
    supervisor_id = IntegerField(null=True)
    # False while their password is one an administrator gave them (Actor.password_chosen).
    password_chosen = BooleanField(default=True, constraints=[SQL("DEFAULT TRUE")])

    class Meta:
        table_name = "app_user"


class Group(Base):
    name = CharField(unique=True)
    track = CharField()
    group_type = CharField()
    open_enrollment = BooleanField(default=True)
    meeting_weekdays = CharField(default="")  # "0,2,4" = Monday, Wednesday, Friday
    start_time = TimeField(null=True)
    length_minutes = IntegerField(default=180)
    phase_plan = CharField(null=True)  # "60,60,60"; empty means thirds of the length
    soft_capacity = IntegerField(default=12)
    active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)
    # On a server, the login that made it (the server fills it in); it sees the group at once.
    created_by_login = CharField(null=True)

    class Meta:
        table_name = "therapy_group"


class Member(Base):
    first_name = CharField()
    last_name = CharField()
    preferred_name = CharField(null=True)
    record_number = CharField(unique=True)
    pronouns = CharField(default="")
    date_of_birth = DateField(null=True)
    created_at = DateTimeField(default=utcnow)
    created_by_login = CharField(null=True)  # as Group's


class Enrollment(Base):
    member = ForeignKeyField(Member, backref="enrollments", on_delete="RESTRICT")
    group = ForeignKeyField(Group, backref="enrollments", on_delete="RESTRICT")
    start_date = DateField()
    end_date = DateField(null=True)
    status = CharField(default="active")
    discharge_reason = TextField(default="")

    class Meta:
        indexes = ((("group", "status"), False), (("member",), False))


class TreatmentGoal(Base):
    member = ForeignKeyField(Member, backref="goals", on_delete="RESTRICT")
    text = TextField()
    status = CharField(default="active")
    created_at = DateTimeField(default=utcnow)


class HomeworkItem(Base):
    """A library item: the facilitator's guide and the member's take-home part."""

    slug = CharField(index=True)  # stable across versions of a shipped item
    category = CharField()
    module = CharField(default="")
    title = CharField()
    tracks = TextField(default="")  # comma-separated Track values
    purpose = TextField()
    steps = TextField()  # JSON list of strings
    prompts = TextField()  # JSON list of strings
    take_home = TextField()
    worksheet_fields = TextField()  # JSON list of {"label", "kind", "lines"}
    minutes = IntegerField()
    version = IntegerField(default=1)
    shipped = BooleanField(default=False)
    archived = BooleanField(default=False)
    created_at = DateTimeField(default=utcnow)
    # The words a search looks in besides title and module (purpose, steps, prompts, take-home,
    # worksheet labels), indexed by FTS5 on SQLite and a tsvector column on PostgreSQL.
    search_text = TextField(default="", constraints=[SQL("DEFAULT ''")])

    class Meta:
        indexes = ((("slug", "version"), True),)


class Curriculum(Base):
    """A group's ordered plan of library items, e.g. a 12-week relapse-prevention sequence."""

    group = ForeignKeyField(Group, backref="curricula", unique=True, on_delete="RESTRICT")
    name = CharField(default="")
    updated_at = DateTimeField(default=utcnow)


class CurriculumItem(Base):
    """One step of a plan. Coverage is matched by the item's slug, so a new version still counts."""

    curriculum = ForeignKeyField(Curriculum, backref="items", on_delete="CASCADE")
    position = IntegerField()
    item = ForeignKeyField(HomeworkItem, on_delete="RESTRICT")

    class Meta:
        indexes = ((("curriculum", "position"), True),)


class GroupStaff(Base):
    """Who staffs a group ("staff"), or covers it for the dates given ("cover"): a facilitator
    sees the members and sessions of those groups (store.server_setup, services.visibility)."""

    group = ForeignKeyField(Group, backref="staff", on_delete="RESTRICT")
    user = ForeignKeyField(User, on_delete="RESTRICT")
    kind = CharField(default="staff")
    starts_on = DateField(null=True)
    ends_on = DateField(null=True)
    assigned_by = IntegerField(null=True)
    assigned_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("group", "user"), False), (("user",), False))


class Session(Base):
    group = ForeignKeyField(Group, backref="sessions", on_delete="RESTRICT")
    date = DateField()
    scheduled_start = TimeField(null=True)
    scheduled_end = TimeField(null=True)
    actual_start = DateTimeField(null=True)
    actual_end = DateTimeField(null=True)
    mode = CharField(default="in_person")
    facilitator = ForeignKeyField(User, backref="sessions", on_delete="RESTRICT")
    co_facilitator = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    state = CharField(default="draft")
    current_phase = CharField(default="check_in")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("group", "date"), False), (("state", "date"), False))


class PhaseLog(Base):
    """One stretch of time spent in a part; going back to a part adds another stretch."""

    session = ForeignKeyField(Session, backref="phase_logs", on_delete="RESTRICT")
    phase = CharField()
    planned_minutes = IntegerField()
    started_at = DateTimeField(null=True)
    ended_at = DateTimeField(null=True)


class Versioned(Base):
    """A row several seats edit at once: each save adds one to ``version`` and says who made
    it and when (store.sessions.save_fields; migration 0012). ``changed_by`` is a user id."""

    version = IntegerField(default=0)
    changed_by = IntegerField(null=True)
    changed_at = DateTimeField(null=True)


class Attendance(Versioned):
    session = ForeignKeyField(Session, backref="attendance", on_delete="RESTRICT")
    member = ForeignKeyField(Member, backref="attendance", on_delete="RESTRICT")
    status = CharField(null=True)  # null until the facilitator marks it
    arrival = TimeField(null=True)
    departure = TimeField(null=True)
    location = CharField(default="in_person")
    late_joiner = BooleanField(default=False)

    class Meta:
        indexes = ((("session", "member"), True), (("member",), False))


class CheckIn(Versioned):
    session = ForeignKeyField(Session, backref="check_ins", on_delete="RESTRICT")
    member = ForeignKeyField(Member, backref="check_ins", on_delete="RESTRICT")
    mood = IntegerField(null=True)
    craving = IntegerField(null=True)  # null = not applicable (mental-health track)
    use_since_last = CharField(default="not_asked")
    use_detail = TextField(default="")
    safety_concern = BooleanField(default=False)
    safety_follow_up = TextField(default="")
    homework_review = TextField(default="")
    current_issue = TextField(default="")

    class Meta:
        indexes = ((("session", "member"), True), (("member",), False))


class MemberNote(Versioned):
    session = ForeignKeyField(Session, backref="member_notes", on_delete="RESTRICT")
    member = ForeignKeyField(Member, backref="notes", on_delete="RESTRICT")
    data = TextField(default="")
    assessment = TextField(default="")
    plan = TextField(default="")
    participation = CharField(default="")
    goal = ForeignKeyField(TreatmentGoal, null=True, on_delete="RESTRICT")
    author = ForeignKeyField(User, on_delete="RESTRICT")
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("session", "member"), True), (("member",), False))


class GroupNote(Versioned):
    session = ForeignKeyField(Session, backref="group_notes", unique=True, on_delete="RESTRICT")
    topic_item = ForeignKeyField(HomeworkItem, null=True, on_delete="RESTRICT")
    topic = TextField(default="")
    interventions = TextField(default="")
    narrative = TextField(default="")
    summary = TextField(default="")


class HomeworkAssignment(Base):
    """Homework given in one session; the item's text is copied so later edits never change it."""

    session = ForeignKeyField(Session, backref="assignments", on_delete="RESTRICT")
    member = ForeignKeyField(Member, backref="assignments", on_delete="RESTRICT")
    item = ForeignKeyField(HomeworkItem, null=True, on_delete="RESTRICT")
    title = CharField()
    instructions = TextField()  # snapshot of the take-home text, with any per-member change
    due_date = DateField(null=True)

    class Meta:
        indexes = ((("member", "due_date"), False), (("session",), False))


class HomeworkReview(Versioned):
    """The review of an assignment at a later check-in; it belongs to the reviewing session.
    Versioned since migration 0016."""

    assignment = ForeignKeyField(
        HomeworkAssignment, backref="reviews", unique=True, on_delete="RESTRICT"
    )
    session = ForeignKeyField(Session, backref="reviews", on_delete="RESTRICT")
    member = ForeignKeyField(Member, on_delete="RESTRICT")
    status = CharField()
    comment = TextField(default="")

    class Meta:
        indexes = ((("session",), False), (("member",), False))


VERSIONED: tuple[type[Versioned], ...] = (
    Attendance,
    CheckIn,
    MemberNote,
    GroupNote,
    HomeworkReview,
)


class Signature(Base):
    session = ForeignKeyField(Session, backref="signatures", on_delete="RESTRICT")
    user = ForeignKeyField(User, on_delete="RESTRICT")
    kind = CharField()
    signed_at = DateTimeField(default=utcnow)
    content_hash = CharField(max_length=64)
    # Which list of fields the hash covers (domain.records.CANONICAL_FIELDS), so adding a field
    # to a session later never breaks the seal of notes signed before it.
    canonical_version = IntegerField(default=1, constraints=[SQL("DEFAULT 1")])
    signer_line = CharField(max_length=255, null=True)  # "Ada Example, LCSW" when signed
    # The signer's Ed25519 key and signature over the seal (store.signing_keys); none on
    # seals made before signing keys (SHA-256 seals).
    key_id = IntegerField(null=True)
    signature = CharField(max_length=128, null=True)

    class Meta:
        indexes = ((("session",), False),)


class SignedContent(Base):
    """A signed session's record as it was signed (facilitator.domain.frozen), names and all:
    what the record shows, prints and is checked against from then on. Never changed."""

    session = ForeignKeyField(Session, unique=True, on_delete="RESTRICT")
    # Canonical JSON, UTF-8, zlib-compressed (store.session_reads.pack_body); the SHA-256 of the
    # JSON itself is the signature's content hash.
    body = BlobField()
    created_at = DateTimeField(default=utcnow)


class Addendum(Base):
    session = ForeignKeyField(Session, backref="addenda", on_delete="RESTRICT")
    author = ForeignKeyField(User, on_delete="RESTRICT")
    signed_at = DateTimeField(default=utcnow)
    reason = TextField()
    text = TextField()
    content_hash = CharField(max_length=64)
    signer_line = CharField(max_length=255, null=True)  # as when signed
    key_id = IntegerField(null=True)
    signature = CharField(max_length=128, null=True)

    class Meta:
        indexes = ((("session",), False),)


class AuditEntry(Base):
    """One line of the audit trail. Append-only: triggers refuse updates and deletes, and each
    entry's hash covers the previous entry's hash, so an edited, removed or reordered line
    breaks the chain (facilitator.domain.audit)."""

    at = DateTimeField(default=utcnow)  # UTC
    user_id = IntegerField(null=True)  # no foreign key: a failed login may name no user
    username = CharField(default="")
    workstation = CharField(default="")
    action = CharField()
    member_id = IntegerField(null=True)
    record_kind = CharField(default="")
    record_id = IntegerField(null=True)
    outcome = CharField(default="ok")
    detail = TextField(default="")  # never PHI: ids and kinds only
    prev_hash = CharField(max_length=64)
    entry_hash = CharField(max_length=64)
    # The acting user's key (0: the clinic's root key, when signed in with the recovery key)
    # and its signature over entry_hash; none before signing keys and for failed sign-ins.
    key_id = IntegerField(null=True)
    signature = CharField(max_length=128, null=True)
    # The seat's lane the entry chains in (migration 0014): '' on a laptop and for a server's
    # entries from before lanes; "workstation/user id" for each seat on a server since.
    lane = CharField(max_length=200, default="")

    class Meta:
        indexes = (
            (("at",), False),
            (("user_id",), False),
            (("member_id",), False),
            (("lane", "prev_hash"), True),
            (("lane", "id"), False),
        )


class AuditHead(Base):
    """A head of a trail in lanes, as printed (store.audit.head): its digest covers every lane's
    entry count and newest entry at that moment, listed in ``lanes`` (JSON). Append-only."""

    at = DateTimeField(default=utcnow)
    digest = CharField(max_length=64, unique=True)
    entries = IntegerField()
    lanes = TextField()


class Presence(Base):
    """Who has a session open, and where (migration 0015): one row per open session screen
    (``seat``), refreshed every 30 s; gone 90 s after its last refresh. Not a clinical record."""

    seat = CharField(max_length=40, unique=True)
    session = ForeignKeyField(Session, on_delete="CASCADE")
    user = ForeignKeyField(User, on_delete="CASCADE")
    workstation = CharField(max_length=120)
    part = CharField(max_length=20)
    member_id = IntegerField(null=True)
    typing = BooleanField(default=False)
    seen_at = DateTimeField()  # the database's clock (store.presence), not the laptop's

    class Meta:
        indexes = ((("session",), False),)


class SigningKey(Base):
    """A user's Ed25519 public key, certified by the clinic's root key. Never removed; revoked
    (from a moment on) when its user is deactivated or given a new key."""

    user = ForeignKeyField(User, on_delete="RESTRICT")
    public_key = CharField(max_length=64)  # hex of the raw 32 bytes
    certificate = CharField(max_length=128, default="")  # the root's signature; "" until then
    created_at = DateTimeField(default=utcnow)
    revoked_at = DateTimeField(null=True)
    revocation = CharField(max_length=128, null=True)  # the root's signature of the revocation


class KeySlot(Base):
    """On PostgreSQL, which has no key file: a user's slot (store.keys), holding their signing
    key (and an administrator's copy of the root key) wrapped by their password."""

    username = CharField(unique=True)
    slot = TextField()


# ----------------------------------------------------------------------------- moved in from a laptop
# `server import` (services.moving_in; migration 0011 says why each is kept). Never changed.


class LaptopImport(Base):
    """One laptop brought onto the server: its root key and its audit trail's head, certified
    by the server's root key (store.signing_keys.import_statement)."""

    imported_at = DateTimeField(default=utcnow)
    imported_by = IntegerField()
    workstation = CharField(default="")
    source = CharField(default="")  # the laptop file's name
    root_public_key = CharField(max_length=64)
    sealed_before = TextField()
    sealed_before_signature = CharField(max_length=128, default="")
    audit_entries = IntegerField()
    audit_head = CharField(max_length=64)
    counts = TextField(default="{}")  # rows brought in, per table (JSON)
    certificate = CharField(max_length=128)


class ImportedRow(Base):
    """The laptop's id of a row (``kind``: its table) and the id the server gave it."""

    laptop_import = ForeignKeyField(LaptopImport, on_delete="RESTRICT")
    kind = CharField()
    origin_id = IntegerField()
    server_id = IntegerField()

    class Meta:
        indexes = ((("laptop_import", "kind", "origin_id"), True), (("kind", "server_id"), False))


class ImportedSeal(Base):
    """A laptop's signature or addendum (``kind``): the laptop's ids its signed statement names.
    Its own row keeps the laptop's key id (an ``imported_key.origin_id``) and signature."""

    laptop_import = ForeignKeyField(LaptopImport, on_delete="RESTRICT")
    kind = CharField()
    server_id = IntegerField()
    origin_id = IntegerField()
    origin_session_id = IntegerField()
    origin_user_id = IntegerField()

    class Meta:
        indexes = ((("kind", "server_id"), True),)


class ImportedBody(Base):
    """A signed session's frozen record exactly as the laptop froze it (packed as
    ``signed_content.body``); its hash is what the laptop's signatures cover."""

    laptop_import = ForeignKeyField(LaptopImport, on_delete="RESTRICT")
    session = ForeignKeyField(Session, unique=True, on_delete="RESTRICT")
    origin_body = BlobField()
    origin_hash = CharField(max_length=64)


class ImportedKey(Base):
    """A laptop's signing key, as its root certified (and perhaps revoked) it."""

    laptop_import = ForeignKeyField(LaptopImport, on_delete="RESTRICT")
    origin_id = IntegerField()
    origin_user_id = IntegerField()
    public_key = CharField(max_length=64)
    certificate = CharField(max_length=128, default="")
    created_at = DateTimeField()
    revoked_at = DateTimeField(null=True)
    revocation = CharField(max_length=128, null=True)

    class Meta:
        indexes = ((("laptop_import", "origin_id"), True),)


class ImportedAuditEntry(AuditEntry):
    """A line of a laptop's audit trail, verbatim (its ids are the laptop's; ``origin_id`` is
    its id in the laptop's trail, which its hash covers)."""

    laptop_import = ForeignKeyField(LaptopImport, on_delete="RESTRICT")
    origin_id = IntegerField()

    class Meta:
        indexes = ((("laptop_import", "origin_id"), True),)


ALL_TABLES: tuple[type[Base], ...] = (
    ProgramSetting,
    User,
    Group,
    Member,
    Enrollment,
    TreatmentGoal,
    HomeworkItem,
    Curriculum,
    CurriculumItem,
    Session,
    PhaseLog,
    Attendance,
    CheckIn,
    MemberNote,
    GroupNote,
    HomeworkAssignment,
    HomeworkReview,
    Signature,
    Addendum,
    AuditEntry,
    SigningKey,
    KeySlot,
    GroupStaff,
    LaptopImport,
    ImportedRow,
    ImportedSeal,
    ImportedBody,
    ImportedKey,
    ImportedAuditEntry,
    AuditHead,
)

# Rows that belong to a session and are frozen with it once it is signed.
SESSION_CONTENT_TABLES: tuple[type[Base], ...] = (
    PhaseLog,
    Attendance,
    CheckIn,
    MemberNote,
    GroupNote,
    HomeworkAssignment,
    HomeworkReview,
)
