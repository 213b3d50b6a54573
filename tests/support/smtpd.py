#!/usr/bin/env python3
"""A real SMTP server for the integration tests (aiosmtpd), with injected faults.

Binds 127.0.0.1 on a free port, prints `PORT <n>` on stdout once it listens, and saves
every accepted message as MAILDIR/<n>.eml with an `X-Envelope-To:` first line. Runs
until killed (the tests stop it by its process id).

  --listen-stdin       serve on the listening socket given as stdin instead (a server
                       that comes up on the port where a client has been refused)

Faults:
  --reject ADDR        answer 550 to RCPT TO:<ADDR> (a permanent, per-recipient failure)
  --transient N        answer 451 to the first N DATA commands, then accept
  --transient-code C   answer C (e.g. 421, "service shutting down") instead of 451
  --auth USER:PASS     require AUTH (PLAIN/LOGIN) with these credentials
  --starttls CERT KEY  offer STARTTLS with this certificate and require it
  --tls CERT KEY       implicit TLS from the first byte
  --delay-data SECS    sleep before answering DATA (to widen the crash window)
  --greylist SECS      like postgrey: answer 451 to DATA for a recipient until SECS
                       seconds have passed since that recipient was first seen
  --hang-after-data N  take the message, then never answer for the first N DATA
                       commands (a server that stalls after the body)
  --close-after-data N take the message, then drop the connection without a reply for
                       the first N DATA commands (the message is NOT kept)
  --dedupe             like a receiving server that suppresses duplicates: a message
                       whose Message-ID this recipient already has is answered 250 and
                       dropped, with a line in MAILDIR/duplicates.log
"""
import argparse
import asyncio
import email.parser
import itertools
import os
import socket
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Handler:
    def __init__(self, args):
        self.args = args
        self.maildir = args.maildir
        self.transient_left = args.transient
        self.seq = itertools.count(1)
        self.seen = set()
        self.first_seen = {}
        self.hang_left = args.hang_after_data
        self.close_left = args.close_after_data

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.args.reject:
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.args.delay_data:
            await asyncio.sleep(self.args.delay_data)
        if self.args.greylist:
            now = asyncio.get_running_loop().time()
            waits = [now - self.first_seen.setdefault(r.lower(), now) for r in envelope.rcpt_tos]
            if any(w < self.args.greylist for w in waits):
                return "451 4.7.1 greylisted, try again later"
        if self.hang_left > 0:
            self.hang_left -= 1
            await asyncio.sleep(3600)
        if self.close_left > 0:
            self.close_left -= 1
            server.transport.close()
            return None
        if self.transient_left > 0:
            self.transient_left -= 1
            return "%d 4.3.0 try again later" % self.args.transient_code
        if self.args.dedupe:
            raw = envelope.original_content or envelope.content
            head = email.parser.BytesHeaderParser().parsebytes(raw)
            keys = [(head.get("Message-ID", ""), r.lower()) for r in envelope.rcpt_tos]
            if all(k in self.seen for k in keys):
                with open(os.path.join(self.maildir, "duplicates.log"), "a") as f:
                    f.write("%s %s\n" % keys[0])
                return "250 2.0.0 Ok: duplicate dropped"
            self.seen.update(keys)
        n = next(self.seq)
        tmp = os.path.join(self.maildir, ".%d.tmp" % n)
        with open(tmp, "wb") as f:
            f.write(("X-Envelope-To: %s\r\n" % ",".join(envelope.rcpt_tos)).encode())
            f.write(envelope.original_content or envelope.content)
        os.rename(tmp, os.path.join(self.maildir, "%d.eml" % n))
        return "250 2.0.0 Ok: queued as %d" % n


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--maildir", required=True)
    p.add_argument("--reject", action="append", default=[])
    p.add_argument("--transient", type=int, default=0)
    p.add_argument("--transient-code", type=int, default=451)
    p.add_argument("--auth")
    p.add_argument("--starttls", nargs=2)
    p.add_argument("--tls", nargs=2)
    p.add_argument("--delay-data", type=float, default=0)
    p.add_argument("--dedupe", action="store_true")
    p.add_argument("--greylist", type=float, default=0)
    p.add_argument("--hang-after-data", type=int, default=0)
    p.add_argument("--close-after-data", type=int, default=0)
    p.add_argument("--listen-stdin", action="store_true")
    args = p.parse_args()
    args.reject = [a.lower() for a in args.reject]
    os.makedirs(args.maildir, exist_ok=True)
    handler = Handler(args)

    def context(pair):
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(*pair)
        return ctx

    kwargs = {}
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password
            # handled=False: let aiosmtpd answer 535 itself (its default, True, answers nothing).
            return AuthResult(success=ok, handled=False)

        # Implicit TLS is invisible to aiosmtpd's check, which only knows STARTTLS.
        kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=bool(args.starttls))
    if args.starttls:
        kwargs.update(tls_context=context(args.starttls), require_starttls=True)

    async def serve():
        loop = asyncio.get_running_loop()
        if args.listen_stdin:
            where = dict(sock=socket.socket(fileno=sys.stdin.fileno()))
        else:
            where = dict(host="127.0.0.1", port=0)
        server = await loop.create_server(
            lambda: SMTP(handler, hostname="localhost", **kwargs),
            ssl=context(args.tls) if args.tls else None,
            **where,
        )
        print("PORT %d" % server.sockets[0].getsockname()[1], flush=True)
        await server.serve_forever()

    asyncio.run(serve())


if __name__ == "__main__":
    sys.exit(main())
