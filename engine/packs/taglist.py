"""The tag list in use: ids and names, looked up by either."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


class TagListError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Tag:
    id: int
    name: str  # exactly as given, trailing spaces included

    @property
    def key(self) -> str:
        return self.name.strip().lower()


class TagList:
    def __init__(self, tags: list[Tag], source: str = "<tags>"):
        self.source = source
        self.tags = list(tags)
        self.by_id: dict[int, Tag] = {}
        self.by_key: dict[str, Tag] = {}
        for t in self.tags:
            if t.id in self.by_id:
                raise TagListError(f"{source}: duplicate tag id {t.id}")
            if t.key in self.by_key:
                raise TagListError(f"{source}: duplicate tag name {t.name.strip()!r}")
            self.by_id[t.id] = t
            self.by_key[t.key] = t

    def __len__(self) -> int:
        return len(self.tags)

    def __iter__(self):
        return iter(self.tags)

    def resolve(self, ref) -> Tag | None:
        """A tag by id (int or digit string) or by name (spaces stripped, any case)."""
        if isinstance(ref, bool):
            return None
        if isinstance(ref, int):
            return self.by_id.get(ref)
        if isinstance(ref, str):
            s = ref.strip()
            if s.isdigit() and int(s) in self.by_id and s.lower() not in self.by_key:
                return self.by_id[int(s)]
            return self.by_key.get(s.lower())
        return None

    def names(self) -> list[str]:
        return [t.name.strip() for t in self.tags]

    @classmethod
    def from_data(cls, data, source: str = "<tags>") -> "TagList":
        if not isinstance(data, list):
            raise TagListError(f"{source}: a tag list is a JSON array of {{\"id\": int, \"name\": str}}")
        tags = []
        for i, item in enumerate(data):
            if not isinstance(item, dict) or not isinstance(item.get("name"), str) \
                    or isinstance(item.get("id"), bool) or not isinstance(item.get("id"), (int, str)):
                raise TagListError(f"{source}: item {i + 1} is not {{\"id\": int, \"name\": str}}: {item!r}")
            try:
                tid = int(item["id"])
            except ValueError:
                raise TagListError(f"{source}: item {i + 1} has a non-numeric id {item['id']!r}") from None
            if not item["name"].strip():
                raise TagListError(f"{source}: item {i + 1} has an empty name")
            tags.append(Tag(tid, item["name"]))
        return cls(tags, source)

    @classmethod
    def from_file(cls, path: str | Path) -> "TagList":
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise TagListError(f"{path}: cannot read tag list: {exc}") from None
        except json.JSONDecodeError as exc:
            raise TagListError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
        return cls.from_data(data, str(path))
