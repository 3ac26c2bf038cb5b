"""Every file a user names (an export, a PDF, a backup, a CSV) is written here, so that no
output ever lands on a database.

- `check` refuses the clinic's database, its -wal/-shm/-journal files, any file that is a
  database already (the SQLite header, or an encrypted SQLCipher file beside a database
  name), and a folder, with a message that says what to choose instead.
- `replacing` writes to a temporary name in the same folder, flushes it to the disk, then
  renames it over the target: the target is never truncated first, a failure (a full disk)
  leaves the old file as it was and no temporary file behind.

Pure standard library and `config`: the ui, the services and the command line all use it.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, BinaryIO, Literal, TextIO, overload

from casemanager import config
from casemanager.domain.errors import DomainError

SIDECARS = ("-wal", "-shm", "-journal")  # SQLite's files beside a database
DATABASE_SUFFIXES = (".sqlite3", ".sqlite", ".db")
TEMPORARY_SUFFIX = ".tmp"
NAME_BYTES = 255  # the longest file name most file systems take


class OutputRefused(DomainError):
    """The path a user chose would overwrite something that must not be overwritten."""


def _is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(config.SQLITE_HEADER)) == config.SQLITE_HEADER
    except OSError:
        return False


def _is_database(path: Path) -> bool:
    """A plain SQLite file, or an encrypted one (noise in whole pages) under a database name."""
    if not path.is_file():
        return False
    if _is_sqlite(path):
        return True
    return path.suffix.lower() in DATABASE_SUFFIXES and config.looks_encrypted(path)


def sqlite_file_of(url: str) -> Path | None:
    """The file of an embedded database URL, plain or encrypted (None for a server)."""
    if not url.startswith("sqlite") or "://" not in url:
        return None
    rest = url.split("://", 1)[1].rsplit("@", 1)[-1].split("?", 1)[0]
    rest = rest[1:] if rest.startswith("/") else rest
    return None if rest in ("", ":memory:") else Path(rest)


def _default_databases() -> list[Path]:
    """The embedded database this computer opens by default, and the one the environment names
    (known without being told: a writer that forgets to pass the live file is still safe)."""
    override = os.environ.get(config.ENV_DATA_DIR)
    if override:
        folder = Path(override)
    else:
        import platformdirs

        folder = Path(platformdirs.user_data_dir(config.APP_NAME, appauthor=False))
    found = []  # (config.default_sqlite_path() would make the folder: a check makes nothing)
    urls = [os.environ.get(config.ENV_DATABASE_URL, ""), f"sqlite:///{folder}/casemanager.sqlite3"]
    for url in urls:
        path = sqlite_file_of(url)
        if path is not None:
            found.append(path)
    return found


def _same(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


def protected_files(databases: Iterable[Path | None] = ()) -> list[Path]:
    """The databases given (the live one), the default ones, and their sidecar files."""
    paths = [p for p in databases if p is not None] + _default_databases()
    return [Path(str(p) + suffix) for p in paths for suffix in ("", *SIDECARS)]


def check(path: Path | str, *, databases: Iterable[Path | None] = ()) -> Path:
    """The path, if a user-named output may be written there; else OutputRefused saying why.
    `databases` are the files the caller has open (the live database)."""
    target = Path(path)
    name = target.name
    for protected in protected_files(databases):
        if _same(target, protected):
            raise OutputRefused(
                f"{target} is the clinic's database (or one of its working files). Writing "
                "there would destroy patient records: choose another file name or folder. "
                "Nothing was written."
            )
    if target.is_dir():
        raise OutputRefused(f"{target} is a folder. Choose a file name inside it.")
    for suffix in SIDECARS:
        if name.endswith(suffix) and _is_database(target.with_name(name[: -len(suffix)])):
            raise OutputRefused(
                f"{target} is a working file of the database beside it: writing there would "
                "damage that database. Choose another file name. Nothing was written."
            )
    if _is_database(target):
        raise OutputRefused(
            f"{target} is a database file (perhaps a backup or another clinic's records). "
            "CaseManager never writes over one: choose another file name. Nothing was written."
        )
    return target


def check_folder(path: Path | str, *, databases: Iterable[Path | None] = ()) -> Path:
    """A folder for many outputs (an export): not a file, and not a name the database needs
    for itself (a folder called `clinic.sqlite3-wal` would stop SQLite from working). Each
    file written into it still goes through `replacing`."""
    folder = Path(path)
    for protected in protected_files(databases):
        if _same(folder, protected):
            raise OutputRefused(
                f"{folder} is the clinic's database (or one of its working files), not a "
                "folder. Choose a folder for the export. Nothing was written."
            )
    if folder.exists() and not folder.is_dir():
        raise OutputRefused(f"{folder} is a file, not a folder. Choose a folder for the export.")
    for suffix in SIDECARS:
        if folder.name.endswith(suffix) and _is_database(
            folder.with_name(folder.name[: -len(suffix)])
        ):
            raise OutputRefused(
                f"{folder} is the name of a working file of the database beside it. Choose "
                "another folder. Nothing was written."
            )
    return folder


class OutputFolder:
    """A folder many files are written into (a batch of plans): each file is refused exactly
    as `check` refuses it, but the protected files are found and resolved once for the folder,
    not again for every file, and a name that would leave the folder is refused."""

    def __init__(self, folder: Path | str, *, databases: Iterable[Path | None] = ()) -> None:
        self.folder = check_folder(folder, databases=databases)
        self._protected = protected_files(databases)
        # Where each protected file is (or would be): a path that resolves there is refused
        # whether or not the file exists yet (a -wal file comes and goes).
        self._resolved = {p.resolve() for p in self._protected}

    def check(self, name: str) -> Path:
        """The path of `name` in the folder, if a file may be written there; else
        OutputRefused saying why (the messages of `check`)."""
        if name in ("", ".", "..") or Path(name).name != name or os.sep in name or "/" in name:
            raise OutputRefused(
                f"{name!r} would not be a file in {self.folder}. Choose a plain file name. "
                "Nothing was written."
            )
        target = self.folder / name
        try:
            found: os.stat_result | None = target.stat()
        except OSError:
            found = None
        if target.resolve() in self._resolved or (found is not None and self._same_file(found)):
            raise OutputRefused(
                f"{target} is the clinic's database (or one of its working files). Writing "
                "there would destroy patient records: choose another file name or folder. "
                "Nothing was written."
            )
        if found is None:
            # Nothing there: neither a folder nor a database. Only a sidecar's name can matter.
            for suffix in SIDECARS:
                if name.endswith(suffix) and _is_database(target.with_name(name[: -len(suffix)])):
                    return check(target, databases=self._protected)  # its own message
            return target
        return check(target, databases=self._protected)  # something is there: the full check

    def _same_file(self, found: os.stat_result) -> bool:
        """The existing target is one of the protected files under another name (a link)."""
        for protected in self._protected:
            try:
                other = protected.stat()
            except OSError:
                continue
            if (other.st_dev, other.st_ino) == (found.st_dev, found.st_ino):
                return True
        return False


def fsync_folder(folder: Path) -> None:
    """Make the rename itself survive a power cut (POSIX; Windows has no folder handles)."""
    if os.name != "posix":
        return
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _temporary_beside(target: Path) -> tuple[Path, int]:
    """A new file in the target's folder (a rename within one file system is atomic)."""
    base = target.name
    # Within the usual 255-byte limit on a name, however long the target's name is.
    while len(f".{base}.12345678{TEMPORARY_SUFFIX}".encode()) > NAME_BYTES and base:
        base = base[:-1]
    while True:
        partial = target.with_name(f".{base}.{secrets.token_hex(4)}{TEMPORARY_SUFFIX}")
        try:
            return partial, os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue


def describe_failure(target: Path, error: OSError) -> str:
    if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return (
            f"There is not enough room to write {target}: free some space or choose another "
            "drive. Nothing was written there."
        )
    if isinstance(error, PermissionError):
        return f"This account may not write to {target.parent}. Choose another folder."
    if isinstance(error, FileNotFoundError):
        return f"There is no folder {target.parent}. Choose an existing folder."
    return f"Could not write {target}: {error.strerror or error}. Nothing was written there."


@overload
@contextmanager
def replacing(
    path: Path | str,
    *,
    databases: Iterable[Path | None] = (),
    text: Literal[False] = False,
) -> Iterator[BinaryIO]: ...


@overload
@contextmanager
def replacing(
    path: Path | str,
    *,
    databases: Iterable[Path | None] = (),
    text: Literal[True],
    encoding: str = "utf-8",
    newline: str | None = "",
) -> Iterator[TextIO]: ...


@contextmanager
def replacing(
    path: Path | str,
    *,
    databases: Iterable[Path | None] = (),
    text: bool = False,
    encoding: str = "utf-8",
    newline: str | None = "",
) -> Iterator[IO[Any]]:
    """A file to write; on success it replaces `path` whole, on any failure nothing changes
    (OSError becomes OutputRefused with what to do)."""
    target = check(path, databases=databases)
    partial: Path | None = None
    try:
        partial, handle = _temporary_beside(target)
        try:
            if target.is_file():  # the file replaced keeps its permissions
                os.chmod(partial, stat.S_IMODE(target.stat().st_mode))
            mode = "w" if text else "wb"
            kwargs: dict[str, Any] = {"encoding": encoding, "newline": newline} if text else {}
            with os.fdopen(handle, mode, **kwargs) as out:
                handle = -1  # closed with `out` from here on
                yield out
                out.flush()
                os.fsync(out.fileno())
        finally:
            if handle != -1:
                os.close(handle)
        check(target, databases=databases)  # nothing became a database meanwhile
        os.replace(partial, target)
        partial = None
        fsync_folder(target.parent)
    except OSError as error:
        raise OutputRefused(describe_failure(target, error)) from None
    finally:
        if partial is not None:
            partial.unlink(missing_ok=True)


def write_bytes(path: Path | str, data: bytes, *, databases: Iterable[Path | None] = ()) -> Path:
    with replacing(path, databases=databases) as out:
        out.write(data)
    return Path(path)


def check_stream(stream: Any, *, databases: Iterable[Path | None] = ()) -> None:
    """Standard output sent to a file (`> FILE`, `>> FILE`): refuse when that file is the
    database or one of its working files. (The shell has already emptied it with `>`; writing
    after that, or appending with `>>`, would only make it worse.)"""
    try:
        fd = stream.fileno()
        info = os.fstat(fd)
    except (AttributeError, OSError, ValueError):
        return
    if not stat.S_ISREG(info.st_mode):
        return
    for protected in protected_files(databases):
        try:
            other = protected.stat()
        except OSError:
            continue
        if (other.st_dev, other.st_ino) == (info.st_dev, info.st_ino):
            raise OutputRefused(
                f"Standard output goes to {protected}, the clinic's database (or one of its "
                "working files). Send it to another file. Nothing more was written."
            )
