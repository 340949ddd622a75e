"""Debian's nginx running the shipped veoui/deploy/nginx.conf, in a folder and on ports of the test's own."""

from __future__ import annotations

import getpass
import grp
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.deploy.servers import ROOT, running, wait_for

SHIPPED = ROOT / "veoui" / "deploy" / "nginx.conf"
HOST_NAME = "video.example.com"  # the shipped file's server_name, and the host the members' requests name


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    if found is None:
        pytest.fail("Debian's nginx is missing: `make test` installs it (or: sudo apt-get install nginx)")
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for the shipped server_name, made with openssl."""
    cert, key = folder / "fullchain.pem", folder / "privkey.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-days", "2", "-subj", f"/CN={HOST_NAME}", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    return cert, key


def replaced(text: str, replacements: dict[str, str]) -> str:
    """``text`` with each key replaced, failing loudly if the shipped file no longer has one."""
    for old, new in replacements.items():
        assert old in text, f"veoui/deploy/nginx.conf no longer has {old!r}: adapt tests/deploy/proxy.py"
        text = text.replace(old, new)
    return text


@dataclass
class Nginx:
    https_port: int
    http_port: int
    folder: Path
    process: subprocess.Popen | None = None
    upstream: str = ""  # gunicorn's address

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def error_log(self) -> Path:
        return self.folder / "error.log"

    def command(self, *options: str) -> list[str]:
        """nginx with this folder's configuration: -p its prefix, -e its error log from the first line on."""
        folder = str(self.folder)
        return [nginx_binary(), *options, "-p", folder, "-e", str(self.error_log), "-c", f"{folder}/nginx.conf"]


def configure(folder: Path, upstream: str, static_root: Path) -> Nginx:
    """The shipped site, with only its machine-specific parts changed (ports, certificate, folders), inside a main
    configuration like Debian's /etc/nginx/nginx.conf whose pid file, logs and temporary files are in ``folder``."""
    nginx = Nginx(https_port=free_port(), http_port=free_port(), folder=folder)
    cert, key = certificate(folder)
    (folder / "acme").mkdir()
    site = replaced(
        SHIPPED.read_text(),
        {
            "server 127.0.0.1:8000;": f"server {upstream};",
            "listen 80;": f"listen 127.0.0.1:{nginx.http_port};",
            "listen [::]:80;": "",
            "listen 443 ssl http2;": f"listen 127.0.0.1:{nginx.https_port} ssl http2;",
            "listen [::]:443 ssl http2;": "",
            f"/etc/letsencrypt/live/{HOST_NAME}/fullchain.pem": str(cert),
            f"/etc/letsencrypt/live/{HOST_NAME}/privkey.pem": str(key),
            "/opt/veoui/.staticfiles/": f"{static_root}/",
            "/var/lib/veoui/media/": f"{static_root.parent / 'media'}/",
            "/var/www/html": str(folder / "acme"),
        },
    )
    (folder / "veoui.conf").write_text(site)
    # nginx started by root hands its work to an unprivileged user; the test's folder is private to whoever runs it.
    user = f"user {getpass.getuser()} {grp.getgrgid(os.getegid()).gr_name};" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (folder / "nginx.conf").write_text(
        f"""{user}
worker_processes auto;
pid {folder / "nginx.pid"};
error_log {nginx.error_log} info;
daemon off;
events {{
    worker_connections 768;
}}
http {{
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {folder / "access.log"};
{temp}
    include {folder / "veoui.conf"};
}}
"""
    )
    return nginx


def check(nginx: Nginx) -> subprocess.CompletedProcess:
    """`nginx -t` on the adapted configuration."""
    return subprocess.run(nginx.command("-t"), capture_output=True, text=True, timeout=30)


@contextmanager
def running_nginx(folder: Path, upstream: str, static_root: Path) -> Iterator[Nginx]:
    nginx = configure(folder, upstream, static_root)
    tested = check(nginx)
    assert tested.returncode == 0, tested.stderr
    with running(nginx.command(), dict(os.environ), folder / "nginx.out") as process:
        nginx.process = process
        wait_for(lambda: listening(nginx.https_port) or process.poll() is not None, 30, "nginx listening")
        assert process.poll() is None, nginx.error_log.read_text()
        yield nginx


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True
