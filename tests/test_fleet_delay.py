"""With fleet politeness on, a worker's delay between requests to a host is the grant's alone: a local
delay after the grant (a downloader middleware runs before the slot's wait) could bring two workers'
sends closer than the fleet's delay."""

from __future__ import annotations

from scrapy.settings import Settings

from crawler.distributed.politeness import delay_in_the_fleet


def test_the_local_delays_move_into_the_grant() -> None:
    settings = Settings({"DOWNLOAD_DELAY": 0.5, "DOWNLOAD_DELAY_JITTER": 0.5, "AUTOTHROTTLE_ENABLED": True})
    delay_in_the_fleet(settings)
    assert settings.getfloat("XXGK_HOST_DELAY") == 0.5
    assert settings.getfloat("DOWNLOAD_DELAY") == 0
    assert settings.getfloat("DOWNLOAD_DELAY_JITTER") == 0
    assert settings.getbool("AUTOTHROTTLE_ENABLED") is False


def test_an_explicit_fleet_delay_is_kept() -> None:
    settings = Settings({"DOWNLOAD_DELAY": 0.5, "XXGK_HOST_DELAY": 2.0})
    delay_in_the_fleet(settings)
    assert settings.getfloat("XXGK_HOST_DELAY") == 2.0


def test_without_fleet_politeness_the_worker_keeps_its_own_delays() -> None:
    settings = Settings({"DOWNLOAD_DELAY": 0.5, "AUTOTHROTTLE_ENABLED": True, "XXGK_HOST_POLITENESS": False})
    delay_in_the_fleet(settings)
    assert settings.getfloat("DOWNLOAD_DELAY") == 0.5
    assert settings.getbool("AUTOTHROTTLE_ENABLED") is True
