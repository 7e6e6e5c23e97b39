"""Shared helpers for scripts/bench-serve and scripts/load-serve: start `privacy-site serve`
on a copy of a content folder, read its URL, follow its live-reload events."""

import os
import shutil
import socket
import subprocess
import tempfile
import time


def binary():
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(os.path.dirname(__file__), "..", "target"))
    return os.path.join(target, "release", "privacy-site")


def copy_site(content):
    """Copies the content folder (and a themes/ folder beside it) so edits spoil nothing."""
    work = tempfile.mkdtemp(prefix="serve-bench-")
    shutil.copytree(content, os.path.join(work, "content"))
    themes = os.path.join(os.path.dirname(os.path.abspath(content)), "themes")
    if os.path.isdir(themes):
        shutil.copytree(themes, os.path.join(work, "themes"))
    return work


def start(work, extra=()):
    log = open(os.path.join(work, "serve.log"), "w")
    proc = subprocess.Popen(
        [binary(), "serve", "--port", "0", "--today", "2026-11-22", "--broken-links", "warn",
         "--content", os.path.join(work, "content"), *extra],
        stdout=subprocess.PIPE, stderr=log, text=True)
    line = proc.stdout.readline()
    url = next(w for w in line.split() if w.startswith("http://"))
    host, port = url[len("http://"):].split("/")[0].rsplit(":", 1)
    prefix = "/" + url[len("http://"):].split("/", 1)[1]
    return proc, (host, int(port)), prefix


class Events:
    """A raw Server-Sent Events reader for /__privacy-site/events."""

    def __init__(self, address):
        self.sock = socket.create_connection(address)
        self.sock.sendall(b"GET /__privacy-site/events HTTP/1.1\r\nHost: localhost\r\n\r\n")
        self.buffer = b""
        self.next_build()

    def next_build(self, timeout=120):
        self.sock.settimeout(timeout)
        while True:
            marker = self.buffer.find(b"event: build\ndata: ")
            if marker >= 0:
                end = self.buffer.find(b"\n", marker + 19)
                if end >= 0:
                    number = int(self.buffer[marker + 19:end])
                    self.buffer = self.buffer[end:]
                    return number
            chunk = self.sock.recv(65536)
            if not chunk:
                raise RuntimeError("event stream closed")
            self.buffer += chunk


def stop(proc):
    proc.send_signal(2)
    try:
        return proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        return None


def pick_version(content):
    """A version file in the middle of the corpus: its policy has other versions around it."""
    policies = os.path.join(content, "policies")
    slugs = sorted(os.listdir(policies))
    slug = slugs[len(slugs) // 2]
    versions = sorted(v for v in os.listdir(os.path.join(policies, slug)) if v.endswith(".md"))
    return os.path.join(policies, slug, versions[len(versions) // 2]), slug


def now():
    return time.perf_counter()
