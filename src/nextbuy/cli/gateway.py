"""The nginx gateway for a laptop: render the shared template, wrap it in a main config, run it."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template

TEMPLATE_NAME = "nextbuy.conf.template"
INSTALL_HINT = (
    "nginx is not installed, so the gateway is not started (the services still run on their "
    "own ports). Install it with `sudo apt-get install nginx-light` (Debian/Ubuntu) or "
    "`brew install nginx` (macOS), then run `nextbuy up` again."
)


@dataclass(frozen=True, slots=True)
class GatewayPlan:
    nginx: Path
    config: Path
    prefix: Path

    def command(self) -> list[str]:
        """nginx in the foreground, so the supervisor owns its lifetime."""
        return [
            str(self.nginx),
            "-p",
            str(self.prefix),
            "-c",
            str(self.config),
            "-g",
            "daemon off;",
        ]


def find_nginx() -> Path | None:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
    )
    return Path(found) if found else None


def template_text() -> str:
    """The template from the source tree (a clone) or from the installed package (a wheel)."""
    in_repo = Path(__file__).resolve().parents[3] / "deploy" / "nginx" / TEMPLATE_NAME
    if in_repo.exists():
        return in_repo.read_text()
    return resources.files("nextbuy.cli").joinpath(TEMPLATE_NAME).read_text()


def render_gateway(
    home: Path,
    *,
    gateway_port: int,
    service_ports: dict[str, int],
    rate_limit_per_s: int = 100,
    burst: int = 200,
) -> Path:
    """Write the rendered http block and a main config under ``home/gateway``; return the latter."""
    prefix = home / "gateway"
    for sub in ("logs", "temp"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    values = {
        "GATEWAY_LISTEN": f"127.0.0.1:{gateway_port}",
        "ACCESS_LOG": str(prefix / "logs" / "access.log"),
        "NEXTBUY_RATE_LIMIT": str(rate_limit_per_s),
        "NEXTBUY_RATE_BURST": str(burst),
        **{f"{name.upper()}_ADDR": f"127.0.0.1:{port}" for name, port in service_ports.items()},
    }
    # safe_substitute leaves nginx's own $variables alone; an unfilled ${NAME} is our bug.
    http_block = Template(template_text()).safe_substitute(values)
    missing = re.findall(r"\$\{([A-Z_]+)\}", http_block)
    if missing:
        raise ValueError(f"gateway template variables without a value: {sorted(set(missing))}")
    (prefix / "nextbuy.conf").write_text(http_block)
    main = prefix / "nginx.conf"
    main.write_text(_main_config(prefix))
    return main


def _main_config(prefix: Path) -> str:
    temp = prefix / "temp"
    return f"""worker_processes 1;
pid {prefix / "nginx.pid"};
error_log {prefix / "logs" / "error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    client_body_temp_path {temp / "body"};
    proxy_temp_path {temp / "proxy"};
    fastcgi_temp_path {temp / "fastcgi"};
    uwsgi_temp_path {temp / "uwsgi"};
    scgi_temp_path {temp / "scgi"};
    include {prefix / "nextbuy.conf"};
}}
"""
