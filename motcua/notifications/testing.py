"""Pytest fixtures for SMS: the real "http" adapter against a local simulator, or the demo plugin.

Register them once for every app in the root conftest.py:

    pytest_plugins = ["motcua.notifications.testing"]
"""

from collections.abc import Iterator

import pytest
from pytest_django.fixtures import Settings as SettingsFixture

from motcua.notifications.simulator import SmsSimulator

SIMULATOR_TOKEN = "simulator-test-token"  # noqa: S105 - only the simulator accepts it


@pytest.fixture
def sms_simulator(settings: SettingsFixture) -> Iterator[SmsSimulator]:
    """A running SmsSimulator, with settings pointing the "http" SMS plugin at it."""
    with SmsSimulator(token=SIMULATOR_TOKEN) as simulator:
        settings.MOTCUA_PLUGINS = {**settings.MOTCUA_PLUGINS, "sms": "http"}
        settings.MOTCUA_SMS_HTTP_URL = simulator.url
        settings.MOTCUA_SMS_HTTP_TOKEN = SIMULATOR_TOKEN
        # Short enough that a test against a hung simulator fails quickly.
        settings.MOTCUA_HTTP_TIMEOUT_SECONDS = 5
        yield simulator


@pytest.fixture
def sms_demo(settings: SettingsFixture) -> None:
    """The "demo" SMS plugin, whatever MOTCUA_SMS_PLUGIN says: messages land in DemoSmsMessage."""
    settings.MOTCUA_PLUGINS = {**settings.MOTCUA_PLUGINS, "sms": "demo"}
