"""``xxgk doctor``: the machine's set-up, checked against crawler/system-packages.toml (crawler/doctor.py).

Wired into the group in ``crawler.cli`` with ``cli.add_command(doctor)``.
"""

from __future__ import annotations

import click


@click.command()
@click.option("--demo", "for_demo", is_flag=True, help="Exit 1 if anything `xxgk demo` needs is missing.")
def doctor(for_demo: bool) -> None:
    """What this machine has and lacks for xxgk, and what each missing piece disables.

    Debian packages come from crawler/system-packages.toml (what `make system` installs), beside
    the optional Python pieces (pywb for `xxgk replay`, brotli/zstandard decoders).

    \b
    Example:
        xxgk doctor
        xxgk doctor --demo || sudo make system
    """
    from crawler.doctor import debian_pieces, missing_for_demo, python_pieces, report

    pieces = debian_pieces()
    click.echo(report(pieces + python_pieces()))
    missing = missing_for_demo(pieces)
    if for_demo and missing:
        raise click.ClickException(f"the demo needs: {' '.join(missing)} (as root: make system)")
