"""Verifies the DKIM signature of the message on stdin with dkimpy, answering the DNS
query from the command line (`--record`), so that no network is needed.

Prints `pass` or `fail`; exits 0 either way, 2 on bad usage.
"""
import argparse
import sys

import dkim


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--name", required=True, help="selector._domainkey.domain")
    parser.add_argument("--record", required=True, help="the TXT record")
    args = parser.parse_args()
    message = sys.stdin.buffer.read()

    def lookup(name, timeout=5):
        text = name.decode() if isinstance(name, bytes) else name
        return args.record.encode() if text.rstrip(".") == args.name.rstrip(".") else None

    ok = dkim.verify(message, dnsfunc=lookup)
    print("pass" if ok else "fail")


if __name__ == "__main__":
    main()
