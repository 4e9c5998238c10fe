"""Where databases live, as text: no database driver is imported here.

The window's first screen needs these before anything opens, and importing the drivers
(peewee, psycopg, SQLCipher) costs more than drawing it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from urllib.parse import urlparse

# platformdirs and hashlib (OpenSSL) are imported where used: the sign-in window on a given
# database file needs neither, and together they cost more than its first frame.

APP_NAME = "Facilitator"


def default_database_path() -> Path:
    import platformdirs

    return platformdirs.user_data_path(APP_NAME, appauthor=False) / "facilitator.db"


def is_server_url(location: str) -> bool:
    return urlparse(location).scheme in ("postgres", "postgresql")


def describe(location: str) -> str:
    """The location without any password, fit for a message."""
    if not is_server_url(location):
        return location
    parts = urlparse(location)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname or 'localhost'}{port}{parts.path}"


def instance_lock_path(location: str) -> Path:
    """Where the one-window-per-database lock of a database lives.

    Beside a database file (``clinic.db.lock``); for a server, in the user's runtime (else the
    temporary) folder under a hash of the password-free URL, so no credential is in a file name.
    """
    if not is_server_url(location):
        path = _absolute(Path(location))  # a link to the file is the same file: one lock
        return path.with_name(path.name + ".lock")
    # The per-user runtime folder where there is one (Linux), else the (per-user) temp folder.
    import hashlib

    folder = Path(os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir())
    digest = hashlib.sha256(describe(location).encode()).hexdigest()[:24]
    return folder / f"facilitator-{digest}.lock"


# ----------------------------------------------------------------------------- unsafe places

# File systems that live on another machine: SQLite's locking and fsync cannot be trusted there,
# and the records would leave the laptop.
NETWORK_FILE_SYSTEMS = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb",
        "smb2",
        "smb3",
        "smbfs",
        "ncpfs",
        "afs",
        "9p",
        "davfs",
        "fuse.davfs",
        "fuse.davfs2",
        "fuse.sshfs",
        "sshfs",
        "fuse.rclone",
        "fuse.gcsfuse",
        "fuse.s3fs",
        "fuse.smbnetfs",
        "fuse.glusterfs",
        "glusterfs",
        "ceph",
        "fuse.ceph",
        "lustre",
        "gfs2",
        "ocfs2",
        "fuse.onedriver",
        "fuse.google-drive-ocamlfuse",
        "fuse.mega-fuse",
    }
)
# Folders a sync client copies to somebody's cloud, compared without case.
CLOUD_FOLDERS = {
    "dropbox": "Dropbox",
    "onedrive": "OneDrive",
    "google drive": "Google Drive",
    "googledrive": "Google Drive",
    "my drive": "Google Drive",
    "icloud drive": "iCloud Drive",
    "iclouddrive": "iCloud Drive",  # its folder on Windows
    "icloud": "iCloud Drive",
    "icloud~com~apple~clouddocs": "iCloud Drive",
    "mobile documents": "iCloud Drive",
    "cloudstorage": "a cloud storage provider",
    "box": "Box",
    "box sync": "Box",
    "box drive": "Box",
    "pcloud": "pCloud",
    "pcloud drive": "pCloud",
    "pclouddrive": "pCloud",
    "nextcloud": "Nextcloud",
    "owncloud": "ownCloud",
    "mega": "MEGA",
    "megasync": "MEGA",
    "mega sync": "MEGA",
    "synologydrive": "Synology Drive",
    "synology drive": "Synology Drive",
    "seafile": "Seafile",
    "tresorit": "Tresorit",
    "yandex.disk": "Yandex Disk",
    "sync.com": "Sync.com",
}


def _unescape_mount(text: str) -> str:
    """/proc/self/mountinfo writes space, tab, newline and backslash as octal escapes."""
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        text = text.replace(code, char)
    return text


def _mounts(mountinfo: str) -> list[tuple[str, str]]:
    """(mount point, file system type) of each line of a mountinfo text."""
    mounts = []
    for line in mountinfo.splitlines():
        fields = line.split()
        if "-" not in fields[6:]:
            continue
        separator = fields.index("-", 6)
        if len(fields) <= separator + 1 or len(fields) < 5:
            continue
        mounts.append((_unescape_mount(fields[4]), fields[separator + 1].lower()))
    return mounts


def _read_mountinfo() -> str:
    try:
        return Path("/proc/self/mountinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:  # not Linux: no mount table to consult, the folder names still count
        return ""


def _absolute(path: Path) -> Path:
    """The path with links resolved as far as it exists (a new database's file does not)."""
    path = path.expanduser().absolute()
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    try:
        resolved = existing.resolve()
    except OSError:
        return path
    return resolved / path.relative_to(existing)


def file_system_type(path: Path, mountinfo: str) -> str | None:
    """The type of the file system the path is on, by the longest mount point above it."""
    best: tuple[int, str] | None = None
    for point, kind in _mounts(mountinfo):
        mount = Path(point)
        if path == mount or mount in path.parents:
            depth = len(mount.parts)
            if best is None or depth >= best[0]:
                best = (depth, kind)
    return None if best is None else best[1]


# Folders a sync client makes in the home folder under a name too plain to refuse anywhere.
HOME_CLOUD_FOLDERS = {"sync": "Syncthing", "resilio sync": "Resilio Sync"}


def cloud_folder(path: Path) -> str | None:
    """The sync service whose folder holds the file at ``path``, if any."""
    home = _absolute(Path.home())
    for folder in path.parents:
        if folder.parent == home and folder.name.lower() in HOME_CLOUD_FOLDERS:
            return HOME_CLOUD_FOLDERS[folder.name.lower()]
    for part in path.parts[:-1]:
        name = part.strip().lower()
        if name in CLOUD_FOLDERS:
            return CLOUD_FOLDERS[name]
        # "OneDrive - Harbor Clinic", "Dropbox (Harbor)", "Nextcloud2"
        for prefix in ("onedrive", "dropbox", "google drive", "nextcloud", "owncloud", "pcloud"):
            if name.startswith(prefix):
                return CLOUD_FOLDERS[prefix]
    return None


def unsafe_location_reason(path: str | Path, mountinfo: str | None = None) -> str | None:
    """Why a database file must not live here, or None when the place is fine.

    A network share (by the mount's file-system type) or a folder a cloud client synchronises
    (by the folders' names): both copy the records off the laptop, and neither keeps SQLite's
    locks and writes safe.
    """
    target = _absolute(Path(path))
    if reason := cloud_reason(target, "the database"):
        return reason
    kind = file_system_type(target, _read_mountinfo() if mountinfo is None else mountinfo)
    if kind is not None and (kind in NETWORK_FILE_SYSTEMS or kind.startswith(("nfs", "smb"))):
        return (
            f"{target.parent} is on a network share ({kind}); keep the database on this "
            "computer's own disk, or use a PostgreSQL server for several laptops"
        )
    return None


def cloud_reason(path: str | Path, what: str) -> str | None:
    """Why ``what`` (the database, a backup) must not be written at ``path``: a folder a cloud
    client synchronises copies the records to somebody's cloud. None when it is not one."""
    target = _absolute(Path(path))
    service = cloud_folder(target)
    if service is None:
        return None
    return (
        f"{target.parent} is synchronised to {service}; keep {what} on this computer's own "
        "disk or a drive of the clinic's (the records must not be copied to a cloud service)"
    )
