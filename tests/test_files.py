"""Saving and loading parameter files: what an atomic replace must keep (permissions,
symbolic links, long names), clean-up after a writer that was killed, and load_state_dict
copying (never binding) the caller's arrays."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest

import nn


def model(seed: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(3, 4, rng=seed), nn.Tanh(), nn.Linear(4, 2, rng=seed + 1))


def assert_holds(path: Path, seed: int) -> None:
    loaded = model(99)
    loaded.load(path)
    for (name, p), (_, q) in zip(loaded.named_parameters(), model(seed).named_parameters()):
        np.testing.assert_array_equal(p.data, q.data, err_msg=name)


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


# ---- permissions, links, long names


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o444], ids=["0600", "0640", "0444"])
def test_save_keeps_the_mode_of_an_existing_file(mode, tmp_path, umask_022):
    path = model(0).save(tmp_path / "model.npz")
    assert path.stat().st_mode & 0o777 == 0o644  # a new file: 0666 less the umask
    path.chmod(mode)
    model(1).save(path)
    assert path.stat().st_mode & 0o777 == mode
    assert_holds(path, 1)


def test_save_through_a_symbolic_link_replaces_the_file_it_points_to(tmp_path):
    (tmp_path / "runs").mkdir()
    (tmp_path / "latest").mkdir()
    real = model(0).save(tmp_path / "runs" / "model.npz")
    link = tmp_path / "latest" / "model.npz"
    link.symlink_to(Path("..") / "runs" / "model.npz")  # relative, into another folder
    chained = tmp_path / "chained.npz"
    chained.symlink_to(link)
    model(1).save(link)
    assert link.is_symlink() and chained.is_symlink()
    assert_holds(real, 1)
    model(2).save(chained)
    assert link.is_symlink() and chained.is_symlink()
    assert_holds(real, 2)
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["chained.npz", "latest", "model.npz",
                                                           "model.npz", "runs"]


def test_save_through_a_dangling_link_creates_its_target(tmp_path):
    link = tmp_path / "model.npz"
    link.symlink_to("not-yet.npz")
    model(3).save(link)
    assert link.is_symlink()
    assert_holds(tmp_path / "not-yet.npz", 3)


def test_save_through_a_link_into_a_missing_folder_names_both(tmp_path):
    link = tmp_path / "model.npz"
    link.symlink_to(tmp_path / "gone" / "model.npz")
    with pytest.raises(FileNotFoundError, match=r"model.npz: it links to .*gone.*does not exist"):
        model(0).save(link)


@pytest.mark.parametrize("length", [242, 250, 255])
def test_a_file_name_of_up_to_255_characters_can_be_saved(length, tmp_path):
    path = tmp_path / ("m" * (length - 4) + ".npz")
    model(4).save(path)
    model(5).save(path)  # replacing it too
    assert_holds(path, 5)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


# ---- a writer killed mid-save

WRITER = """
import sys
import zipfile
import nn

real_close = zipfile.ZipFile.close

def close_then_wait(archive):
    real_close(archive)  # the temporary is written in full...
    print("written", flush=True)
    sys.stdin.readline()  # ...and the rename waits until we are told (or killed)

zipfile.ZipFile.close = close_then_wait
nn.Sequential(nn.Linear(3, 4, rng=int(sys.argv[2])), nn.Tanh(),
              nn.Linear(4, 2, rng=int(sys.argv[2]) + 1)).save(sys.argv[1])
"""


def start_writer(path: Path, seed: int) -> subprocess.Popen:
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(seed)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert writer.stdout.readline() == "written\n"
    return writer


def hidden_files(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_the_next_save_removes_what_killed_saves_left(how, tmp_path):
    path = model(0).save(tmp_path / "model.npz")
    for seed in (1, 2, 3):
        writer = start_writer(path, seed)
        writer.send_signal(how)
        writer.wait(timeout=30)  # reaped: its process id is gone
        writer.stdout.close()
        writer.stdin.close()
        # Its full-size temporary is left, but only its own: each save, even one that is
        # killed later, first removes those of writers that are gone.
        (left,) = hidden_files(tmp_path)
        assert left.stat().st_size > 500
    assert_holds(path, 0)  # the killed saves changed nothing
    model(4).save(path)
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]
    assert_holds(path, 4)


def test_a_save_under_way_in_another_process_is_left_alone(tmp_path):
    path = model(0).save(tmp_path / "model.npz")
    writer = start_writer(path, 1)
    try:
        model(2).save(path)
        assert len(hidden_files(tmp_path)) == 1  # the running writer's temporary
        assert_holds(path, 2)
    finally:
        writer.communicate("go on\n", timeout=30)
    assert writer.returncode == 0
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]
    assert_holds(path, 1)  # the writer finished, last


# ---- load_state_dict copies


def test_load_state_dict_copies_and_never_binds_the_callers_arrays():
    loaded = model(0)
    state = model(1).state_dict()
    loaded.load_state_dict(state)
    for name, parameter in loaded.named_parameters():
        assert not np.shares_memory(parameter.data, state[name]), name
    for array in state.values():
        array[...] = 7.0  # a later in-place update of the caller's arrays...
    for (name, p), (_, q) in zip(loaded.named_parameters(), model(1).named_parameters()):
        np.testing.assert_array_equal(p.data, q.data, err_msg=name)  # ...does not reach the model


def test_a_float32_model_stays_float32_after_loading_float64_arrays(tmp_path):
    float64 = nn.Linear(3, 2, rng=1)
    state = float64.state_dict()
    assert all(array.dtype == np.float64 for array in state.values())
    for load in (lambda m: m.load_state_dict(state), lambda m: m.load(float64.save(tmp_path / "m.npz"))):
        float32 = nn.Linear(3, 2, rng=0, dtype=np.float32)
        load(float32)
        for name, parameter in float32.named_parameters():
            assert parameter.dtype == np.float32 and parameter.data.dtype == np.float32, name
            np.testing.assert_array_equal(parameter.data, state[name].astype(np.float32), err_msg=name)


# ---- crafted parameter files: refused from their headers, one error type

MiB = 1 << 20


def npy_header(shape: tuple[int, ...], descr: str = "<f8") -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": descr, "fortran_order": False, "shape": shape})
    return buffer.getvalue()


def write_npz(path: Path, members: dict[str, tuple[bytes, int]]) -> Path:
    """An .npz of deflated members: name -> (its first bytes, MiB of zeros after them)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, (start, zeros) in members.items():
            with archive.open(name + ".npy", "w", force_zip64=True) as member:
                member.write(start)
                for _ in range(zeros):
                    member.write(bytes(MiB))
    return path


def good_members(seed: int = 1) -> dict[str, tuple[bytes, int]]:
    members = {}
    for name, array in model(seed).state_dict().items():
        buffer = io.BytesIO()
        np.lib.format.write_array(buffer, array)
        members[name] = (buffer.getvalue(), 0)
    return members


def bomb_with_the_wrong_shape(path):  # a 64 MiB array where a (4, 3) one belongs
    return write_npz(path, {**good_members(), "0.weight": (npy_header((4096, 2048)), 64)})


def bomb_under_an_unexpected_key(path):
    return write_npz(path, {**good_members(), "junk": (npy_header((8 * MiB,)), 64)})


def bomb_behind_the_right_header(path):  # the right header, then 64 MiB its shape does not hold
    start, _ = good_members()["0.weight"]
    return write_npz(path, {**good_members(), "0.weight": (start, 64)})


def header_claiming_a_huge_shape(path):
    return write_npz(path, {**good_members(), "0.weight": (npy_header((10**12,)) + bytes(8), 0)})


def patched(path, local_offset: int, central_offset: int, value: int, bits: bool) -> Path:
    """Every member's local and central header field at those offsets set to ``value``
    (or, with ``bits``, OR-ed with it)."""
    data = bytearray(write_npz(path, good_members()).read_bytes())
    for signature, offset in ((b"PK\x03\x04", local_offset), (b"PK\x01\x02", central_offset)):
        at = data.find(signature)
        while at >= 0:
            field = at + offset
            old = int.from_bytes(data[field:field + 2], "little")
            data[field:field + 2] = ((old | value) if bits else value).to_bytes(2, "little")
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))
    return path


def unsupported_compression(path):  # method 98 (PPMd), which zipfile cannot read
    return patched(path, 8, 10, 98, bits=False)


def encrypted_flag(path):  # general purpose flag bit 0: encrypted
    return patched(path, 6, 8, 0x1, bits=True)


CRAFTED = [
    (bomb_with_the_wrong_shape, r"0.weight: shape \(4096, 2048\) in the file .*params.npz.*\(4, 3\)"),
    (bomb_under_an_unexpected_key, r"unexpected keys: \['junk'\]"),
    (bomb_behind_the_right_header, r"0.weight: 67108960 bytes of data in the file .*params.npz.* has 96"),
    (header_claiming_a_huge_shape, r"0.weight: shape \(1000000000000,\) in the file"),
    (unsupported_compression, r"params.npz: the member '.*' uses compression method 98"),
    (encrypted_flag, r"params.npz: the member '.*' is encrypted"),
]


@pytest.mark.parametrize("craft, message", CRAFTED, ids=[craft.__name__ for craft, _ in CRAFTED])
def test_crafted_files_are_refused_from_their_headers_without_allocating(craft, message, tmp_path):
    path = craft(tmp_path / "params.npz")
    assert path.stat().st_size < MiB  # small files...
    loaded = model(0)
    tracemalloc.start()
    try:
        with pytest.raises(nn.ParameterFileError, match=message):
            loaded.load(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 * MiB  # ...that cannot make the load allocate much (it was 64 MiB and more)
    for (name, p), (_, q) in zip(loaded.named_parameters(), model(0).named_parameters()):
        np.testing.assert_array_equal(p.data, q.data, err_msg=name)  # the model unchanged


def test_a_well_formed_deflated_file_still_loads(tmp_path):
    path = tmp_path / "compressed.npz"
    np.savez_compressed(path, **model(6).state_dict())
    assert_holds(path, 6)


def test_a_file_is_on_disk_before_it_replaces_the_old_one(tmp_path, monkeypatch):
    # a rename with no fsync first can leave an empty file under the target's name after a
    # power loss (ext4 without auto_da_alloc, XFS): the file's data, then the folder's entry
    from autograd.files import replacing

    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (events.append(("fsync", os.fstat(fd).st_ino)), real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace", lambda a, b: (events.append(("replace", os.stat(a).st_ino)),
                                                     real_replace(a, b))[1])
    target = tmp_path / "weights.npz"
    with replacing(target) as temporary:
        temporary.write_bytes(b"new")
    assert [kind for kind, _ in events] == ["fsync", "replace", "fsync"], events
    assert events[0][1] == events[1][1] == os.stat(target).st_ino  # (the temporary's data, before its rename)
    assert events[2][1] == os.stat(tmp_path).st_ino  # (then the folder)
    assert target.read_bytes() == b"new"


def test_a_file_that_cannot_be_flushed_does_not_replace_the_old_one(tmp_path, monkeypatch):
    # an I/O or quota error at fsync (where NFS or delayed allocation first reports one) was
    # ignored, and the file of unknown state replaced the good old one
    from autograd.files import replacing

    target = tmp_path / "weights.npz"
    target.write_bytes(b"old")

    def failing_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="Input/output"):
        with replacing(target) as temporary:
            temporary.write_bytes(b"new")
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["weights.npz"]
