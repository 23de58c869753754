"""A mail server for tests, on loopback: it keeps what it is given, refuses recipients at
refused.example (550), and can be stopped and started again on the same port, as a real mail
server goes down and comes back."""

from __future__ import annotations

import socketserver
from dataclasses import dataclass, field

from anmian.web.tests import loopback


@dataclass
class Received:
    sender: str
    recipients: list[str]
    data: str


@dataclass
class SMTPSink:
    port: int = 0
    messages: list[Received] = field(default_factory=list)
    _server: socketserver.ThreadingTCPServer | None = None

    def start(self) -> SMTPSink:
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                self.wfile.write(f"{line}\r\n".encode())

            def handle(self) -> None:
                self.reply("220 sink ready")
                sender, recipients = "", []
                while line := self.rfile.readline().decode("utf-8", "replace"):
                    verb = line[:4].upper()
                    if verb in ("EHLO", "HELO"):
                        self.reply("250 sink")
                    elif verb == "MAIL":
                        sender, recipients = line[10:].strip(), []
                        self.reply("250 ok")
                    elif verb == "RCPT":
                        address = line[8:].strip()
                        if "refused.example" in address:
                            self.reply("550 no such mailbox")
                        else:
                            recipients.append(address.strip("<>"))
                            self.reply("250 ok")
                    elif verb == "DATA":
                        self.reply("354 go on")
                        body = []
                        while (row := self.rfile.readline().decode()) not in (".\r\n", ""):
                            body.append(row)
                        sink.messages.append(Received(sender, recipients, "".join(body)))
                        self.reply("250 kept")
                    elif verb == "QUIT":
                        self.reply("221 bye")
                        return
                    else:  # RSET, NOOP
                        self.reply("250 ok")

        self._server = loopback.serve(self.port, Handler)
        self.port = self._server.server_address[1]
        return self

    def stop(self) -> None:
        loopback.close(self._server)
        self._server = None
