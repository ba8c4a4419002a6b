"""Writing files so that an existing file is replaced whole or not at all.

Everything is first written to a temporary file in the same folder, flushed to disk,
and then renamed onto the target (the folder flushed after): a crash, a power loss, a
full disk or an exception half-way leaves the old file as it was (a rename within one
folder is atomic).

What a plain rename would get wrong, and how it is avoided here:

* an existing file's permissions: the temporary gets the mode of the file it replaces
  (a 0600 file stays 0600);
* a symbolic link: the file it points to is replaced (in its own folder), so the link
  stays a link and everything that reads through it sees the new contents;
* long names: the temporary's name is short whatever the target's (a target name of
  255 characters, the usual limit, still works);
* a writer that was killed (SIGKILL, or SIGTERM, which skips every clean-up) leaves its
  temporary behind: each temporary's name carries the writer's process id, and the next
  write of the same target removes those whose writer is gone, so they never pile up.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

__all__ = ["replacing"]


@contextlib.contextmanager
def replacing(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; when the block succeeds, rename it onto
    ``path``, otherwise delete it. A symbolic link is written through: the file it
    points to is replaced. An existing file keeps its permissions.

    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "notes.txt"
    >>> with replacing(target) as temporary:
    ...     _ = temporary.write_text("hello")
    >>> target.read_text()
    'hello'
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(f"cannot write {path}: the folder {path.parent} does not exist")
    target = Path(os.path.realpath(path))  # through every symbolic link
    if not target.parent.is_dir():
        raise FileNotFoundError(f"cannot write {path}: it links to {target}, whose folder does not exist")
    _remove_stale_temporaries(target)
    prefix = _temporary_prefix(target)
    temporary = target.with_name(f"{prefix}{os.getpid()}-{secrets.token_hex(4)}.tmp")
    # Created with the usual permissions (0666 less the umask), like any new file, or
    # with the permissions of the file it will replace.
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with contextlib.suppress(FileNotFoundError):
            os.fchmod(descriptor, stat.S_IMODE(os.stat(target).st_mode))
    finally:
        os.close(descriptor)
    try:
        yield temporary
        _flush_to_disk(temporary)  # (the data first: a rename alone can leave an empty file after a power loss)
        os.replace(temporary, target)
        _flush_to_disk(target.parent, folder=True)  # (then the folder's entry for it)
    finally:
        if temporary.exists():
            temporary.unlink()


def _flush_to_disk(path: Path, *, folder: bool = False) -> None:
    """``fsync`` a written file: an error (I/O, a full disk, a quota) is raised, so the old
    file stays (opened for writing: Windows flushes no read-only handle). A ``folder``'s
    flush, after the rename in it, is best effort: the system may not open one (Windows),
    and nothing is left to undo by then."""
    try:
        descriptor = os.open(path, os.O_RDONLY if folder else os.O_RDWR)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    except OSError:
        if not folder:
            raise


def _temporary_prefix(target: Path) -> str:
    """The start of every temporary name for ``target``: hidden, the first characters of
    the target's name (to tell whose it is), a digest of the whole name, and the host
    (so that writers on other machines sharing the folder are never taken for dead)."""
    name = hashlib.sha256(os.fsencode(target.name)).hexdigest()[:8]
    host = hashlib.sha256(socket.gethostname().encode()).hexdigest()[:6]
    return f".{target.name[:16]}.{name}.{host}-"


def _remove_stale_temporaries(target: Path) -> None:
    """Delete the temporaries of ``target`` left by writers on this host that are no
    longer running (killed mid-write); those of running writers are left alone."""
    prefix = _temporary_prefix(target)
    with contextlib.suppress(OSError), os.scandir(target.parent) as entries:
        for entry in entries:
            if not (entry.name.startswith(prefix) and entry.name.endswith(".tmp")):
                continue
            writer = entry.name[len(prefix):].split("-", 1)[0]
            if writer.isdigit() and not _is_running(int(writer)):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)


def _is_running(pid: int) -> bool:
    if pid == os.getpid():
        return True  # another write in this process (a thread), still under way
    if os.name != "posix":
        return True  # no harmless way to ask (os.kill would end the process): keep it
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists but belongs to someone else
    return True
