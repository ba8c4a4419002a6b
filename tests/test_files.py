"""Saving and loading parameter files: what an atomic replace must keep (permissions,
symbolic links, long names), clean-up after a writer that was killed, and load_state_dict
copying (never binding) the caller's arrays."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
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
import numpy as np
import nn

real_savez = np.savez

def savez_then_wait(file, **arrays):
    real_savez(file, **arrays)  # the temporary is written in full...
    file.flush()
    print("written", flush=True)
    sys.stdin.readline()  # ...and the rename waits until we are told (or killed)

np.savez = savez_then_wait
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
