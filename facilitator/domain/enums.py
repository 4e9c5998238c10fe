"""The fixed vocabularies of an IOP group program, stored by their string values."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    FACILITATOR = "facilitator"
    CLINICAL_LEAD = "clinical_lead"
    ADMIN = "admin"


class Track(StrEnum):
    MENTAL_HEALTH = "mental_health"
    SUBSTANCE_USE = "substance_use"
    DUAL_DIAGNOSIS = "dual_diagnosis"


class GroupType(StrEnum):
    """SAMHSA TIP 41's group models and its special types."""

    PSYCHOEDUCATIONAL = "psychoeducational"
    SKILLS_DEVELOPMENT = "skills_development"
    COGNITIVE_BEHAVIORAL = "cognitive_behavioral"
    SUPPORT = "support"
    INTERPERSONAL_PROCESS = "interpersonal_process"
    RELAPSE_PREVENTION = "relapse_prevention"
    CULTURALLY_SPECIFIC = "culturally_specific"
    EXPRESSIVE = "expressive"


class EnrollmentStatus(StrEnum):
    ACTIVE = "active"
    DISCHARGED = "discharged"


class GoalStatus(StrEnum):
    ACTIVE = "active"
    MET = "met"
    REVISED = "revised"
    DISCONTINUED = "discontinued"


class SessionMode(StrEnum):
    IN_PERSON = "in_person"
    TELEHEALTH = "telehealth"
    HYBRID = "hybrid"


class SessionState(StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"


class Phase(StrEnum):
    """SAMHSA's three parts of a group session, in the order they are run."""

    CHECK_IN = "check_in"
    SKILL_WORK = "skill_work"
    SUMMARY = "summary"

    @property
    def label(self) -> str:
        return {
            Phase.CHECK_IN: "Check-in",
            Phase.SKILL_WORK: "Skill work",
            Phase.SUMMARY: "Summary & homework",
        }[self]


PHASE_ORDER: tuple[Phase, ...] = (Phase.CHECK_IN, Phase.SKILL_WORK, Phase.SUMMARY)


class AttendanceStatus(StrEnum):
    PRESENT = "present"
    LATE = "late"
    LEFT_EARLY = "left_early"
    ABSENT = "absent"
    EXCUSED = "excused"

    @property
    def attended(self) -> bool:
        """Whether the member was in the room (or on the call) for some of the session."""
        return self in (
            AttendanceStatus.PRESENT,
            AttendanceStatus.LATE,
            AttendanceStatus.LEFT_EARLY,
        )


class Location(StrEnum):
    IN_PERSON = "in_person"
    TELEHEALTH = "telehealth"


class UseSinceLast(StrEnum):
    NO = "no"
    YES = "yes"
    DECLINED = "declined"
    NOT_ASKED = "not_asked"


class HomeworkCategory(StrEnum):
    CBT = "cbt"
    DBT = "dbt"
    PSYCHOEDUCATION = "psychoeducation"
    RELAPSE_PREVENTION = "relapse_prevention"


class ReviewStatus(StrEnum):
    DONE = "done"
    PARTLY = "partly"
    NOT_DONE = "not_done"

    @property
    def label(self) -> str:
        return {
            ReviewStatus.DONE: "Done",
            ReviewStatus.PARTLY: "Partly",
            ReviewStatus.NOT_DONE: "Not done",
        }[self]


class Participation(StrEnum):
    ACTIVE = "active"
    MODERATE = "moderate"
    MINIMAL = "minimal"
    NONE = "none"


class SignatureKind(StrEnum):
    SIGN = "sign"
    COSIGN = "cosign"
