#!/usr/bin/env python3
"""Serve the built site (dist/) for local use and tests.

    python scripts/serve.py [--root dist] [--host 127.0.0.1] [--port 8000]
                            [--prefix /sub/path/] [--csp]

- Explicit MIME types (independent of the machine's mimetypes database):
  .wasm is application/wasm (Pyodide 0.27 only uses instantiateStreaming and
  hangs on anything else), .js/.mjs text/javascript, .json application/json.
- --prefix serves the tree under a sub-path, as GitHub Pages does for a
  project site (/repo/); "/" then redirects there.
- --csp adds the Content-Security-Policy the page is written for.
- No directory listings (like GitHub Pages); Cache-Control: no-cache.
- Text files (HTML, CSS, JavaScript, JSON, SVG) go gzip-compressed to a browser
  that accepts it, as GitHub Pages sends them; pyodide/ goes as it is (the
  page's loading status reports the bytes that arrive).

Tests can start it in a thread:

    server = make_server("dist", "127.0.0.1", 0, "/sub/")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    ...
    server.shutdown(); server.server_close()
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import io
import os
import posixpath
import socket
import sys
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sitebuild.inline_css import inline_styles_of, style_hash  # noqa: E402

MIME_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".wasm": "application/wasm",
    ".zip": "application/zip",
    ".whl": "application/zip",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
}
DEFAULT_MIME = "application/octet-stream"
GZIP_TYPES = {".html", ".htm", ".js", ".mjs", ".css", ".json", ".map", ".webmanifest", ".txt",
              ".md", ".svg"}
UNCOMPRESSED_DIR = "pyodide/"  # as it is: the loading status shows these files' bytes

CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; "
    "connect-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'"
)


def policy_for(root: Path) -> str:
    """:data:`CSP`, with the hash of each ``<style>`` element of root/index.html allowed
    (the build inlines the style sheets there: scripts/sitebuild/inline_css.py)."""
    page = root / "index.html"
    html = page.read_text(encoding="utf-8") if page.is_file() else ""
    hashes = "".join(" " + style_hash(css) for css in inline_styles_of(html))
    return CSP.replace("style-src 'self'", "style-src 'self'" + hashes)


def normalize_prefix(prefix: str) -> str:
    """'' / '/' -> '/'; 'repo' / '/repo' / '/repo/' -> '/repo/'."""
    parts = [p for p in prefix.split("/") if p]
    return "/" + "".join(p + "/" for p in parts)


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    prefix = "/"
    csp = ""  # the Content-Security-Policy header to send, or "" for none
    quiet = False

    def guess_type(self, path):  # noqa: D102 - http.server API
        return MIME_TYPES.get(posixpath.splitext(path)[1].lower(), DEFAULT_MIME)

    def _prefix_ok(self) -> bool:
        if self.prefix == "/":
            return True
        split = urllib.parse.urlsplit(self.path)
        if split.path.startswith(self.prefix):
            return True
        if split.path in ("/", self.prefix.rstrip("/")):
            location = self.prefix + (f"?{split.query}" if split.query else "")
            self.send_response(301)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return False
        self.send_error(404, "Not under " + self.prefix)
        return False

    def translate_path(self, path):
        if self.prefix != "/" and path.startswith(self.prefix):
            path = "/" + path[len(self.prefix) :]
        return super().translate_path(path)

    def send_head(self):  # noqa: D102 - http.server API: gzip for text files
        path = self.translate_path(self.path)
        if os.path.isdir(path) and urllib.parse.urlsplit(self.path).path.endswith("/"):
            path = os.path.join(path, "index.html")
        rel = os.path.relpath(path, self.directory).replace(os.sep, "/")
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if (not accepts or posixpath.splitext(path)[1].lower() not in GZIP_TYPES
                or rel.startswith(UNCOMPRESSED_DIR) or not os.path.isfile(path)):
            return super().send_head()
        with open(path, "rb") as f:
            body = gzip.compress(f.read(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Last-Modified", self.date_time_string(int(os.path.getmtime(path))))
        self.end_headers()
        return io.BytesIO(body)

    def do_GET(self):
        if self._prefix_ok():
            super().do_GET()

    def do_HEAD(self):
        if self._prefix_ok():
            super().do_HEAD()

    def list_directory(self, path):
        self.send_error(404, "No directory listing")
        return None

    def end_headers(self):
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        if self.csp:
            self.send_header("Content-Security-Policy", self.csp)
        super().end_headers()

    def log_message(self, format, *args):
        if not self.quiet:
            super().log_message(format, *args)


class SiteServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class SiteServer6(SiteServer):
    address_family = socket.AF_INET6


def make_server(
    root: str | Path = "dist",
    host: str = "127.0.0.1",
    port: int = 8000,
    prefix: str = "/",
    *,
    csp: bool = False,
    quiet: bool = False,
) -> SiteServer:
    """Create (not start) a server for `root`; port 0 picks a free port."""
    root = Path(root).resolve()
    if not root.is_dir():
        raise FileNotFoundError(f"{root} is not a folder (run `make site` first)")
    handler = type(
        "BoundSiteHandler",
        (SiteHandler,),
        {"prefix": normalize_prefix(prefix), "csp": policy_for(root) if csp else "",
         "quiet": quiet},
    )
    server_cls = SiteServer6 if ":" in host else SiteServer
    return server_cls((host, port), functools.partial(handler, directory=str(root)))


def server_url(server: SiteServer, prefix: str = "/") -> str:
    host, port = server.server_address[:2]
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}{normalize_prefix(prefix)}"


def main(argv: list[str] | None = None) -> int:
    default_root = Path(__file__).resolve().parent.parent / "dist"
    parser = argparse.ArgumentParser(description="Serve the built site.")
    parser.add_argument(
        "--root", default=str(default_root), help="folder to serve (default: dist/)"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--prefix", default="/", help="serve under this sub-path, e.g. /repo/")
    parser.add_argument("--csp", action="store_true", help="send a Content-Security-Policy header")
    parser.add_argument("--quiet", action="store_true", help="do not log requests")
    args = parser.parse_args(argv)
    try:
        server = make_server(
            args.root, args.host, args.port, args.prefix, csp=args.csp, quiet=args.quiet
        )
    except (FileNotFoundError, OSError) as exc:
        print(f"serve: {exc}", file=sys.stderr)
        return 1
    print(f"Serving {args.root} at {server_url(server, args.prefix)}  (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
