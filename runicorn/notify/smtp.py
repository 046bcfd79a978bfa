"""E-mail over SMTP (standard library smtplib): STARTTLS (default), SSL or plain, an optional
login, one plain-text mail to every recipient."""

from __future__ import annotations

import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from runicorn.notify.channel import Channel, Outcome
from runicorn.notify.message import Message

SECURITIES = ("starttls", "ssl", "plain")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "plain": 25}


class Smtp(Channel):
    name = "smtp"

    def __init__(
        self,
        host: str,
        events: frozenset[str],
        *,
        port: int = 0,
        security: str = "starttls",
        user: str = "",
        password: str = "",
        sender: str = "",
        recipients: tuple[str, ...] = (),
    ) -> None:
        super().__init__(events)
        self.host = host
        self.security = security
        self.port = port or DEFAULT_PORTS[security]
        self.user = user
        self.password = password
        self.sender = sender or user or f"runicorn@{socket.gethostname()}"
        self.recipients = recipients

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.password,)

    def build_email(self, message: Message) -> EmailMessage:
        """The mail for ``message`` (pure but for its date and Message-ID)."""
        mail = EmailMessage()
        mail["Subject"] = f"[Runicorn] {message.title}"
        mail["From"] = self.sender
        mail["To"] = ", ".join(self.recipients)
        mail["Date"] = formatdate(localtime=True)
        mail["Message-ID"] = make_msgid(domain="runicorn.local")
        mail.set_content("\n".join(message.lines()) + "\n")
        return mail

    def deliver(self, message: Message, event: str | None, timeout_s: float) -> Outcome:
        where = f"{self.host}:{self.port}"
        try:
            mail = self.build_email(message)
            client: smtplib.SMTP
            if self.security == "ssl":
                context = ssl.create_default_context()
                client = smtplib.SMTP_SSL(self.host, self.port, timeout=timeout_s, context=context)
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=timeout_s)
            with client:
                if self.security == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if self.user:
                    client.login(self.user, self.password)
                refused = client.send_message(mail, self.sender, list(self.recipients))
        except smtplib.SMTPRecipientsRefused as exc:
            words = "; ".join(f"{to}: {code} {_words(text)}" for to, (code, text) in exc.recipients.items())
            return Outcome(False, f"{where} refused the recipients: {words}")
        except smtplib.SMTPResponseException as exc:
            # 4xx: the server asks to try later; 5xx: a refusal (bad login, bad sender)
            return Outcome(
                False, f"{where} answered {exc.smtp_code} {_words(exc.smtp_error)}", exc.smtp_code < 500
            )
        except (smtplib.SMTPException, OSError) as exc:
            why = "no answer in time" if isinstance(exc, (TimeoutError, socket.timeout)) else str(exc)
            return Outcome(
                False, f"cannot send mail through {where}: {why or type(exc).__name__}", retry=True
            )
        if refused:
            words = "; ".join(f"{to}: {code} {_words(text)}" for to, (code, text) in refused.items())
            return Outcome(False, f"{where} refused some recipients: {words}")
        return Outcome(True, "ok")


def _words(text: bytes | str) -> str:
    return text.decode("utf-8", errors="replace") if isinstance(text, bytes) else str(text)
