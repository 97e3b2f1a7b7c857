"""`ogi serve`: the local page for agency staff — drop reports in a browser, see and download the results."""

from __future__ import annotations

import sys

import click

from validator.cli.baseline import load_or_exit, waivers_option


@click.command()
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: the network)."
)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--max-mb", default=50.0, show_default=True, type=float, help="Largest file accepted, in MB.")
@click.option("--max-files", default=20, show_default=True, type=int, help="Most files in one upload.")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the default browser.")
@waivers_option
def serve(host, port, max_mb, max_files, open_browser, waivers):
    """启动本地网页 — open a local page to check reports by dropping files into a browser.

    \b
    Uploads are checked on this machine and deleted right after; nothing is sent elsewhere.
    --host 0.0.0.0 serves the local network (e.g. a 政务公开办 for its agencies): anyone who can reach
    the port can upload files, so use it only on a trusted intranet.
    """
    try:
        from validator.web.app import Settings
        from validator.web.app import serve as run
    except ImportError as exc:
        click.echo(
            f'ogi: 网页功能需要额外的组件，请运行：pip install "ogi-validator[web]" ({exc.name} missing)',
            err=True,
        )
        sys.exit(2)
    listed = load_or_exit(waivers)  # a bad file: one line, before anything is served
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    click.echo(f"请在浏览器打开：http://{shown}:{port}   （按 Ctrl+C 停止）", err=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(
            "注意：本服务对网络开放，能访问本机此端口的人都可以上传文件；请只在可信的内部网络使用。", err=True
        )
    if open_browser:
        import threading
        import webbrowser

        threading.Timer(1.0, webbrowser.open, [f"http://{shown}:{port}"]).start()
    if listed:
        click.echo(f"已载入豁免清单 {len(listed)} 条：完全一致的问题不再显示", err=True)
    run(host, port, Settings(max_mb=max_mb, max_files=max_files, waivers=listed))
