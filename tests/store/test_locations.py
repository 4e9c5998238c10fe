"""Refusing a database on a network share or in a cloud-synced folder; the instance lock path."""

from pathlib import Path

import pytest

from facilitator.domain.errors import RuleViolation
from facilitator.services import accounts
from facilitator.store import database, locations
from facilitator.store.keys import FAST_FOR_TESTS
from tests.conftest import PASSWORD, new_workspace

MOUNTINFO = """\
22 27 0:21 / /proc rw,relatime - proc proc rw
27 1 254:0 / / rw,relatime - ext4 /dev/vda rw
60 27 0:50 / /mnt/clinic rw,relatime shared:1 - nfs4 fs.example:/export rw,vers=4.2
61 27 0:51 / /srv/share rw,relatime - cifs //nas/records rw
62 61 254:0 / /srv/share/local\\040copy rw,relatime - ext4 /dev/vdb rw
63 27 0:52 / /home/ada/remote rw,nosuid - fuse.sshfs ada@host:/ rw
64 27 0:53 / /media/usb rw - vfat /dev/sdb1 rw
"""


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/mnt/clinic/facilitator.db", "nfs4"),
        ("/mnt/clinic/deep/er/facilitator.db", "nfs4"),
        ("/srv/share/facilitator.db", "cifs"),
        ("/home/ada/remote/facilitator.db", "fuse.sshfs"),
    ],
)
def test_network_file_systems_are_refused(path, kind):
    reason = locations.unsafe_location_reason(path, MOUNTINFO)
    assert reason is not None and "network share" in reason and kind in reason


@pytest.mark.parametrize(
    "path",
    [
        "/home/ada/facilitator.db",
        "/media/usb/facilitator.db",
        "/srv/share/local copy/facilitator.db",  # a local disk mounted inside the share
        "/mnt/clinical/facilitator.db",  # a sibling whose name starts like the share's
        "/home/ada/Dropbox.db",  # the file's own name is no folder
    ],
)
def test_local_disks_are_fine(path):
    assert locations.unsafe_location_reason(path, MOUNTINFO) is None


@pytest.mark.parametrize(
    ("path", "service"),
    [
        ("/home/ada/Dropbox/clinic.db", "Dropbox"),
        ("/home/ada/dropbox (Harbor)/clinic.db", "Dropbox"),
        ("/home/ada/OneDrive - Harbor Clinic/Documents/clinic.db", "OneDrive"),
        ("/home/ada/Google Drive/clinic.db", "Google Drive"),
        ("/Users/ada/Library/Mobile Documents/com~apple~CloudDocs/clinic.db", "iCloud Drive"),
        ("/home/ada/iCloud Drive/clinic.db", "iCloud Drive"),
        ("/home/ada/Box/clinic.db", "Box"),
        ("/home/ada/pCloudDrive/clinic.db", "pCloud"),
        ("/home/ada/Nextcloud/clinic.db", "Nextcloud"),
        ("/home/ada/ownCloud/clinic.db", "ownCloud"),
        ("/home/ada/MEGA/clinic.db", "MEGA"),
        ("C:/Users/ada/iCloudDrive/clinic.db", "iCloud Drive"),  # finding: not recognised
        (str(Path.home() / "Sync" / "notes" / "clinic.db"), "Syncthing"),  # finding: ~/Sync
        (str(Path.home() / "sync" / "clinic.db"), "Syncthing"),
    ],
)
def test_cloud_synced_folders_are_refused(path, service):
    reason = locations.unsafe_location_reason(path, "")
    assert reason is not None and service in reason and "cloud" in reason


def test_a_folder_named_sync_elsewhere_is_only_a_folder():
    assert locations.unsafe_location_reason("/srv/Sync/clinic.db", "") is None
    assert locations.unsafe_location_reason(str(Path.home() / "a" / "Sync" / "c.db"), "") is None


def test_mountinfo_of_this_machine_is_read():
    # The test machine's own temporary folder is a local disk.
    assert locations.unsafe_location_reason("/tmp/clinic.db") is None


def test_opening_and_creating_refuse_a_dropbox_folder(tmp_path):
    synced = tmp_path / "Dropbox"
    with pytest.raises(RuleViolation, match="Dropbox"):
        database.create_store(str(synced / "clinic.db"), "ada", PASSWORD, FAST_FOR_TESTS)
    assert not synced.exists()  # nothing was written there
    # A database made elsewhere and then moved into the synced folder does not open either.
    new_workspace(str(tmp_path / "clinic.db")).close()
    synced.mkdir()
    for name in ("clinic.db", "clinic.db.keys"):
        (tmp_path / name).rename(synced / name)
    with pytest.raises(RuleViolation, match="Dropbox"):
        accounts.sign_in(str(synced / "clinic.db"), "ada", PASSWORD)


def test_a_link_to_the_database_has_the_same_lock(tmp_path):
    """Finding: a symlinked path got a second window lock."""
    (tmp_path / "clinic.db").write_bytes(b"")
    (tmp_path / "shortcut.db").symlink_to(tmp_path / "clinic.db")
    (tmp_path / "linked-folder").symlink_to(tmp_path)
    lock = locations.instance_lock_path(str(tmp_path / "clinic.db"))
    assert locations.instance_lock_path(str(tmp_path / "shortcut.db")) == lock
    assert locations.instance_lock_path(str(tmp_path / "linked-folder" / "clinic.db")) == lock


def test_instance_lock_paths():
    assert str(locations.instance_lock_path("/data/clinic.db")) == "/data/clinic.db.lock"
    url = "postgresql://ada:s3cret-pass@db.example:5432/clinic"
    path = locations.instance_lock_path(url)
    assert "s3cret" not in str(path) and "ada" not in path.name
    assert path.name.startswith("facilitator-") and path.suffix == ".lock"
    # The same database, whoever connects, is one lock.
    assert locations.instance_lock_path("postgresql://bo:other@db.example:5432/clinic") == path
    assert locations.instance_lock_path("postgresql://ada:x@db.example:5432/other") != path
