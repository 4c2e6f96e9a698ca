"""The teacher's data: what each app holds about a person, for export and erasure.

Community can't import the apps built on it (inquiry), so each app registers its own
sections here in its `AppConfig.ready()`; the export and the erasure
(community.services.personal_data) go through the registry and know no app's tables.

A section has a `name` (its file in the archive is `<name>.json`), a `title` and a
`description` in plain words (for the archive's README.txt and the account pages), and:

- `export(user) -> (data, files)`: anything json-able (datetimes are fine), and the files
  that go with it as (path in the archive, stored file), e.g.
  ("files/evidence/12/34-photo.jpg", evidence.file). Only what is this person's own:
  never another person's words.
- `erase(user, *, keep_shared) -> {"what": count}`: deletes what is private, and what is
  shared too unless `keep_shared` (their posts and messages in shared discussions, which
  otherwise stay, attributed to "a former member"). Runs inside the erasure's
  transaction; files leave storage on commit (`delete_on_commit`).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.db import transaction

# What an erased account's posts and messages are attributed to (its profile's name).
FORMER_MEMBER = "a former member"


@dataclass(frozen=True)
class Section:
    name: str
    title: str
    description: str
    export: Callable
    erase: Callable


_sections: dict[str, Section] = {}


def register(*, name: str, title: str, description: str, export: Callable, erase: Callable):
    """Add a section (called again with the same name, e.g. by a test reloading apps, it
    replaces the first)."""
    _sections[name] = Section(name, title, description, export, erase)


def sections() -> list[Section]:
    """In registration order: community's first, then the apps built on it."""
    return list(_sections.values())


def archive_name(*parts) -> str:
    """A safe path inside the archive from ids and people's file names: no directories
    climbed, no odd characters."""
    cleaned = []
    for part in parts:
        text = re.sub(r"[^A-Za-z0-9._-]+", "-", PurePosixPath(str(part)).name).strip(".-")
        cleaned.append(text[:80] or "file")
    return "/".join(cleaned)


def delete_on_commit(stored_files) -> int:
    """Delete these stored files from storage once the erasure commits (a rolled-back
    erasure keeps them); returns how many."""
    names = [(f.storage, f.name) for f in stored_files if f]
    for storage, name in names:
        transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
    return len(names)
