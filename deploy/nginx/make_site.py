#!/usr/bin/env python3
"""Write the nginx site for zgc-geo run as several app processes (standard library only).

    python3 deploy/nginx/make_site.py --processes 4 > zgc-geo.conf
    python3 deploy/nginx/make_site.py --processes 4 --first-port 8501 --server-name zgc-geo.example.org

One Streamlit process uses about one core, so a bureau's server runs several (``zgc-geo@PORT.service``, one
per port from ``--first-port`` on) and nginx spreads people over them. A person's session lives in the
process that holds its WebSocket, and so do their uploads and downloads (Streamlit keeps both in that
process's memory), so every request of one browser must reach the same process:

- a browser new to the site (no ``zgc_geo_process`` cookie, or one naming no process of this site) goes to
  the processes in turn (nginx's round robin), and the answer sets the cookie to the process that served it;
- a browser with the cookie goes to that process. Should it be down, another one answers and the cookie is
  set to that one, so the browser stays there from then on.

The cookie names a process by its number only (1, 2, …): nginx maps the number to an address it was given
here, so a browser cannot point nginx anywhere else. ``deploy/nginx/zgc-geo.conf`` is this script's output
for two processes (``tests/test_deploy_site.py`` keeps them equal).
"""

from __future__ import annotations

import argparse
import re
import sys

#: The processes' ports start here (deploy/zgc-geo@.service is started once per port).
FIRST_PORT = 8501
SERVER_NAME = "zgc-geo.example.org"
#: The cookie that keeps a browser on its process.
COOKIE = "zgc_geo_process"

HEADER = """\
# zgc-geo behind nginx: nginx signs people in, the app believes the name nginx hands it, and {count}
# app process{es} share the work.
#
# Written by deploy/nginx/make_site.py --processes {count}: to run another number of processes, write this
# file again with that script rather than by hand (each process appears in several places below).
#
# Copy to /etc/nginx/sites-available/zgc-geo, link it into sites-enabled, then `sudo nginx -t && sudo
# systemctl reload nginx` (deploy/README.md). Each app process (deploy/zgc-geo@.service, started as
# zgc-geo@PORT) listens on 127.0.0.1:PORT only and runs with ZGC_GEO_AUTH_HEADER=X-Remote-User: it takes
# the user named in that header as the signed-in person and writes that name into every audit row. So this
# file is the whole of the sign-in: whoever nginx lets through, under whatever name it sets, is who the audit
# log says decided.
#
# auth_basic stands in for the organisation's single sign-on. To use the SSO instead, replace the two
# auth_basic lines with its module (auth_request to the SSO's verifier, or mod_auth_openidc in Apache) and
# set X-Remote-User from the name it verified, never from anything the browser sent.
#
# tests/nginx_server.py runs this very file in a private nginx (swapping only the listen address, the
# processes' ports and the password file's path) in front of real app processes.

# -- Which process serves a browser ------------------------------------------------------------------------
# A session lives in the process that holds its WebSocket, and so do its uploads and downloads: every request
# of one browser must reach the same process. The cookie {cookie} names it by number; a browser without it
# (or with a number this file does not know) goes to the processes in turn.
"""

SERVER = """
server {{
    # Basic authentication sends the password with every request: serve it over HTTPS on anything but a
    # closed network. With a certificate (certbot --nginx adds these lines itself), listen on 443 instead:
    #   listen 443 ssl;
    #   listen [::]:443 ssl;
    #   ssl_certificate     /etc/letsencrypt/live/{server_name}/fullchain.pem;
    #   ssl_certificate_key /etc/letsencrypt/live/{server_name}/privkey.pem;
    listen 80;
    listen [::]:80;
    server_name {server_name};

    # Everything behind the sign-in, the app's own files and its health check included (set at server level
    # so that every location inherits it; a location with `auth_basic off` must not set X-Remote-User, see
    # below).
    auth_basic "zgc-geo";
    auth_basic_user_file /etc/nginx/zgc-geo.htpasswd;

    # Streamlit refuses uploads over server.maxUploadSize = 200 MB (.streamlit/config.toml) with its own
    # message; the 1 MB beyond leaves room for the multipart envelope, so that Streamlit, not an nginx
    # "413 Request Entity Too Large", tells the planner the file is too big.
    client_max_body_size 201m;

    # Every location that proxies repeats the same proxy_set_header lines: nginx does not merge them, a
    # location with any proxy_set_header of its own drops all the server-level ones, X-Remote-User included.
    location / {{
        proxy_pass http://$zgc_geo_upstream;
        # Keep (or put) this browser on the process that answered.
        add_header Set-Cookie $zgc_geo_route_cookie always;
        proxy_http_version 1.1;
        # Host as the browser sent it, port included: Streamlit checks that a WebSocket's Origin matches it.
        proxy_set_header Host $http_host;
        # The signed-in name, as nginx verified it. This OVERWRITES any X-Remote-User the browser sent:
        # without this line a client header would pass through unchanged, and anyone could sign themselves
        # in as anybody (the admin included) by sending "X-Remote-User: <name>". $remote_user is only
        # verified where auth_basic is on: a location with `auth_basic off` must set it to "" instead.
        proxy_set_header X-Remote-User $remote_user;
        # The app never needs the password: do not hand it on.
        proxy_set_header Authorization "";
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
    }}

    # Streamlit's WebSocket: the whole session (every widget, every rerun) runs over it, and the app reads
    # the signed-in name from the headers of this request. HTTP/1.1 and the Upgrade/Connection pair turn the
    # request into a WebSocket; the long read timeout keeps an idle planner's page connected (nginx's default,
    # 60 s, would cut it and the page would show "Connecting…").
    location /_stcore/stream {{
        proxy_pass http://$zgc_geo_upstream;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection "upgrade";
        proxy_set_header Host $http_host;
        # As above: overwrite, never pass on, what the browser claims.
        proxy_set_header X-Remote-User $remote_user;
        proxy_set_header Authorization "";
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_read_timeout 1d;
        proxy_send_timeout 1d;
        proxy_buffering off;
    }}
}}
"""


def _routing(ports: list[int]) -> str:
    addresses = [f"127.0.0.1:{port}" for port in ports]
    lines = []
    for number, address in enumerate(addresses, start=1):
        others = [a for a in addresses if a != address]
        lines.append(f"upstream zgc_geo_{number} {{")
        lines.append(f"    server {address};")
        # A process that is down (restarting) hands its browsers to the others; the cookie then follows.
        lines.extend(f"    server {other} backup;" for other in others)
        lines.append("}")
    lines.append("# A browser new to the site: the processes in turn.")
    lines.append("upstream zgc_geo_any {")
    lines.extend(f"    server {address};" for address in addresses)
    lines.append("}")
    lines.append(f"map $cookie_{COOKIE} $zgc_geo_upstream {{")
    lines.append("    default zgc_geo_any;")
    lines.extend(f"    {number} zgc_geo_{number};" for number in range(1, len(ports) + 1))
    lines.append("}")
    lines.append(
        "# The process that answered, by number: the last address nginx tried (it lists each one it tried)."
    )
    lines.append("map $upstream_addr $zgc_geo_served_by {")
    lines.append('    default "";')
    lines.extend(
        f'    "~(^|\\s){re.escape(address)}$" {number};' for number, address in enumerate(addresses, start=1)
    )
    lines.append("}")
    lines.append("# Set the cookie when it does not already name the process that answered (else send none).")
    lines.append(f'map "$cookie_{COOKIE}:$zgc_geo_served_by" $zgc_geo_route_cookie {{')
    lines.append('    default "";')
    lines.append('    "~^([0-9]+):\\1$" "";')
    lines.append(f'    "~:(?<process>[0-9]+)$" "{COOKIE}=$process; Path=/; HttpOnly; SameSite=Lax";')
    lines.append("}")
    return "\n".join(lines) + "\n"


def make_site(processes: int, first_port: int = FIRST_PORT, server_name: str = SERVER_NAME) -> str:
    """The whole site file for ``processes`` app processes on ports ``first_port`` onwards."""
    if not 1 <= processes <= 64:
        raise ValueError(f"--processes must be 1 to 64, not {processes}")
    if not 1024 <= first_port <= 65535 - processes:
        raise ValueError(
            f"--first-port must leave room for {processes} ports in 1024–65535, not {first_port}"
        )
    ports = list(range(first_port, first_port + processes))
    header = HEADER.format(count=processes, es="" if processes == 1 else "es", cookie=COOKIE)
    return header + _routing(ports) + SERVER.format(server_name=server_name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--processes", type=int, default=2, help="app processes (default 2; about one per core)"
    )
    parser.add_argument(
        "--first-port", type=int, default=FIRST_PORT, help=f"the first one's port ({FIRST_PORT})"
    )
    parser.add_argument("--server-name", default=SERVER_NAME, help="nginx server_name (the site's host name)")
    args = parser.parse_args(argv)
    try:
        sys.stdout.write(make_site(args.processes, args.first_port, args.server_name))
    except ValueError as error:
        print(f"make_site.py: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
