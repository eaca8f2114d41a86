"""A real HTTP receiver for webhooks on a loopback port, which the tests allow."""

import pytest

from tests.receiver import Receiver


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True  # the receiver is on 127.0.0.1
    settings.PERIODIC_TASKS = {}
    receiver = Receiver().start()
    yield receiver
    receiver.stop()
