"""The backup archive: a tar with ``database.dump``, ``media/…`` and ``manifest.json`` (written last)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
from pathlib import Path, PurePosixPath

from tqdm import tqdm

from gisgrid.errors import InvalidInput

FORMAT = "gisgrid-backup/1"
DUMP = "database.dump"
MANIFEST = "manifest.json"
MEDIA = "media/"


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def media_files(media_dir: Path) -> list[Path]:
    """Every regular file under the media directory (half-written ``.part`` photos excluded), sorted."""
    if not media_dir.is_dir():
        return []
    return sorted(p for p in media_dir.rglob("*") if p.is_file() and not p.is_symlink() and p.suffix != ".part")


def write(handle, dump_path: Path, media_dir: Path, meta: dict) -> dict:
    """Write the archive to an open binary file; returns the manifest that was stored in it."""
    entries = []
    with tarfile.open(fileobj=handle, mode="w") as tar:
        entries.append(_add(tar, dump_path, DUMP))
        files = media_files(media_dir)
        for path in tqdm(files, desc="media files", unit="file", disable=not files):
            entries.append(_add(tar, path, MEDIA + path.relative_to(media_dir).as_posix()))
        manifest = {"format": FORMAT, **meta, "files": entries}
        data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return manifest


def _add(tar: tarfile.TarFile, path: Path, name: str) -> dict:
    digest = sha256_file(path)
    info = tar.gettarinfo(str(path), arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    with open(path, "rb") as source:
        tar.addfile(info, source)
    return {"name": name, "size": info.size, "sha256": digest}


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and (name == DUMP or name.startswith(MEDIA))


def verify(path: Path) -> dict:
    """Read the manifest and check every member's name, size and sha256; raises InvalidInput on any mismatch."""
    try:
        with tarfile.open(path, mode="r:") as tar:
            manifest = _manifest(tar)
            expected = {f["name"]: f for f in manifest["files"]}
            members = [m for m in tar.getmembers() if m.name != MANIFEST]
            if sorted(m.name for m in members) != sorted(expected) or DUMP not in expected:
                raise InvalidInput("备份文件内容与清单不符 (archive members do not match the manifest)")
            for member in tqdm(members, desc="verifying", unit="file"):
                _check_member(tar, member, expected[member.name])
    except (tarfile.TarError, OSError, EOFError) as err:
        raise InvalidInput(f"备份文件已损坏或不完整 (corrupt or truncated archive): {err}") from None
    return manifest


def _manifest(tar: tarfile.TarFile) -> dict:
    try:
        manifest = json.loads(tar.extractfile(tar.getmember(MANIFEST)).read())
    except (KeyError, ValueError, AttributeError):
        raise InvalidInput("备份文件没有可读的清单 (archive has no readable manifest.json)") from None
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != FORMAT
        or not isinstance(manifest.get("files"), list)
    ):
        raise InvalidInput(f"不是 {FORMAT} 格式的备份 (unknown backup format)")
    return manifest


def _check_member(tar: tarfile.TarFile, member: tarfile.TarInfo, entry: dict) -> None:
    if not member.isfile() or not _safe_name(member.name) or member.size != entry.get("size"):
        raise InvalidInput(f"备份文件成员 {member.name} 无效 (bad archive member)")
    digest = hashlib.sha256()
    source = tar.extractfile(member)
    for block in iter(lambda: source.read(1 << 20), b""):
        digest.update(block)
    if digest.hexdigest() != entry.get("sha256"):
        raise InvalidInput(f"备份文件成员 {member.name} 校验和不符 (checksum mismatch)")


def extract(path: Path, dump_target: Path, media_target: Path) -> int:
    """Write the dump and the media files of a verified archive; returns the number of media files."""
    count = 0
    with tarfile.open(path, mode="r:") as tar:
        for member in tqdm(tar.getmembers(), desc="extracting", unit="file"):
            if member.name == MANIFEST:
                continue
            if not member.isfile() or not _safe_name(member.name):  # the file may have changed since verify
                raise InvalidInput(f"备份文件成员 {member.name} 无效 (bad archive member)")
            target = dump_target if member.name == DUMP else media_target / member.name[len(MEDIA) :]
            target.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(member) as source, open(target, "wb") as out:
                for block in iter(lambda: source.read(1 << 20), b""):
                    out.write(block)
            os.utime(target, (member.mtime, member.mtime))
            count += member.name != DUMP
    return count
