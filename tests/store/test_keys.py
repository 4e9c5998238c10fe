import json

import pytest

from facilitator.domain.errors import AuthenticationFailed, IntegrityProblem
from facilitator.store.keys import FAST_FOR_TESTS, KeySlots, new_database_key


@pytest.fixture
def slots(tmp_path):
    slots = KeySlots.new(tmp_path / "clinic.db.keys")
    return slots


def test_a_slot_unwraps_the_key_only_with_its_password(slots):
    key = new_database_key()
    slots.add("ada", "correct horse battery", key, FAST_FOR_TESTS)
    slots.save()
    reloaded = KeySlots.load(slots.path)
    assert reloaded.unwrap("ada", "correct horse battery") == key
    for username, password in (
        ("ada", "wrong horse battery"),
        ("ada", ""),
        ("bob", "correct horse battery"),
    ):
        with pytest.raises(AuthenticationFailed):
            reloaded.unwrap(username, password)


def test_a_slot_renamed_to_another_user_does_not_open(slots):
    key = new_database_key()
    slots.add("ada", "correct horse battery", key, FAST_FOR_TESTS)
    slots.save()
    raw = json.loads(slots.path.read_text())
    raw["slots"]["mallory"] = raw["slots"].pop("ada")
    slots.path.write_text(json.dumps(raw))
    with pytest.raises(AuthenticationFailed):
        KeySlots.load(slots.path).unwrap("mallory", "correct horse battery")


def test_rewrapping_changes_only_that_slot(slots):
    key = new_database_key()
    slots.add("ada", "first password!", key, FAST_FOR_TESTS)
    slots.add("bob", "bobs password!!", key, FAST_FOR_TESTS)
    slots.save()
    before = json.loads(slots.path.read_text())["slots"]["bob"]
    slots.add("ada", "second password!", key, FAST_FOR_TESTS)
    slots.save()
    after = json.loads(slots.path.read_text())["slots"]
    assert after["bob"] == before
    assert KeySlots.load(slots.path).unwrap("ada", "second password!") == key
    with pytest.raises(AuthenticationFailed):
        KeySlots.load(slots.path).unwrap("ada", "first password!")


def test_missing_or_foreign_key_file_is_an_integrity_problem(tmp_path):
    with pytest.raises(IntegrityProblem, match="missing"):
        KeySlots.load(tmp_path / "none.keys")
    (tmp_path / "x.keys").write_text('{"hello": 1}')
    with pytest.raises(IntegrityProblem, match="not a Facilitator key file"):
        KeySlots.load(tmp_path / "x.keys")
