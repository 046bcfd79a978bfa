"""The message every channel sends: a title, a text, a level, a few named fields and a link."""

from __future__ import annotations

from dataclasses import dataclass, field

from runicorn.errors import ConfigError

LEVELS = ("info", "success", "warning", "error")
# The events a caller may notify; a channel sends those listed in its settings (RUNICORN_NOTIFY_EVENTS).
EVENTS = ("start", "finish", "failure", "timeout", "retry", "interrupted", "alert")


@dataclass(frozen=True)
class Message:
    """What to say. ``fields`` are short name/value pairs (run id, exit code, duration) shown as
    lines under the text; ``link`` points at the viewer page, when there is one."""

    title: str
    text: str = ""
    level: str = "info"
    fields: dict[str, str] = field(default_factory=dict)
    link: str | None = None

    def lines(self) -> list[str]:
        """The body below the title as plain-text lines: the text, the fields, the link."""
        out = [self.text] if self.text else []
        out += [f"{name}: {value}" for name, value in self.fields.items()]
        if self.link:
            out.append(self.link)
        return out

    def plain_text(self) -> str:
        return "\n".join([self.title, *self.lines()])

    def markdown(self) -> str:
        body = [self.text] if self.text else []
        body += [f"- **{name}**: {value}" for name, value in self.fields.items()]
        if self.link:
            body.append(f"[open in Runicorn]({self.link})")
        return "\n\n".join([f"### {self.title}", *body])


def parse_events(text: str, where: str) -> frozenset[str]:
    """``"finish, failure"`` -> the set of events; ConfigError naming ``where`` for an unknown one."""
    events = frozenset(e.strip().lower() for e in text.split(",") if e.strip())
    unknown = sorted(events - set(EVENTS))
    if unknown:
        raise ConfigError(
            f"{where}: unknown notification event {', '.join(unknown)}",
            f"use a comma-separated list of {', '.join(EVENTS)}",
        )
    return events
