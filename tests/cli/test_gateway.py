"""The gateway template renders into a configuration real nginx accepts."""

from __future__ import annotations

import subprocess
from pathlib import Path

from nextbuy.cli.gateway import GatewayPlan, find_nginx, render_gateway
from tests.support.servers import require_server


def test_rendered_gateway_config_passes_nginx_syntax_check(tmp_path: Path) -> None:
    nginx = find_nginx()
    require_server("nginx", nginx is not None, "binary not installed")
    assert nginx is not None
    config = render_gateway(
        tmp_path,
        gateway_port=18080,
        service_ports={
            "engine": 18000,
            "profiles": 18001,
            "catalog": 18002,
            "orders": 18003,
            "inventory": 18004,
        },
    )
    plan = GatewayPlan(nginx, config, config.parent)
    check = subprocess.run([*plan.command(), "-t"], capture_output=True, text=True, timeout=30)
    assert check.returncode == 0, check.stderr
    rendered = (tmp_path / "gateway" / "nextbuy.conf").read_text()
    assert "${" not in rendered
    assert "server 127.0.0.1:18002;" in rendered
    assert "client_max_body_size 1m;" in rendered
