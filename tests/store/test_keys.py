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


def _two_copies(slots):
    key = new_database_key()
    for name in ("ada", "bob"):
        slots.add(name, f"{name} password!", key, FAST_FOR_TESTS)
    slots.save()
    return key, KeySlots.load(slots.path), KeySlots.load(slots.path)


def test_a_change_made_from_a_stale_copy_keeps_what_another_copy_saved(slots):
    """Two windows hold the key file as read at sign-in; each saves a change."""
    key, first, second = _two_copies(slots)
    first.add("cy", "cy's password!", key, FAST_FOR_TESTS)  # a user added in one window
    first.save()
    second.remove("bob")  # and deactivated in another, which had never seen cy
    second.save()
    on_disk = KeySlots.load(slots.path)
    assert on_disk.usernames == ["ada", "cy"]
    assert on_disk.unwrap("cy", "cy's password!") == key
    # and the other way round: a slot removed elsewhere does not come back
    first.add("dee", "dee's password", key, FAST_FOR_TESTS)
    first.save()
    assert KeySlots.load(slots.path).usernames == ["ada", "cy", "dee"]
    assert first.usernames == ["ada", "cy", "dee"]  # the saving copy sees what is on disk


def test_a_key_file_of_another_database_is_not_written_over(slots, tmp_path):
    key, first, _ = _two_copies(slots)
    other = KeySlots.new(tmp_path / "other.keys")
    other.add("zed", "zed's password", key, FAST_FOR_TESTS)
    other.save()
    other.path.replace(slots.path)  # the file was swapped for another database's
    first.add("cy", "cy's password!", key, FAST_FOR_TESTS)
    with pytest.raises(IntegrityProblem, match="another database"):
        first.save()
    assert KeySlots.load(slots.path).usernames == ["zed"]


def _add_many(path: str, prefix: str, count: int, start) -> None:
    from pathlib import Path

    start.wait()
    slots = KeySlots.load(Path(path))  # read once, as a window does at sign-in
    key = bytes(32)
    for n in range(count):
        slots.add(f"{prefix}{n}", "a long password", key, FAST_FOR_TESTS)
        slots.save()
        if n % 3 == 0:
            slots.remove(f"{prefix}{n}")
            slots.save()


def test_two_processes_changing_the_key_file_at_once_lose_nothing(slots):
    import multiprocessing

    slots.add("ada", "ada password!", bytes(32), FAST_FOR_TESTS)
    slots.save()
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    workers = [
        context.Process(target=_add_many, args=(str(slots.path), prefix, 12, start))
        for prefix in ("left", "right")
    ]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    kept = {f"{p}{n}" for p in ("left", "right") for n in range(12) if n % 3}
    assert set(KeySlots.load(slots.path).usernames) == kept | {"ada"}
