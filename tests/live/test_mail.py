"""Mail from a real gunicorn server's job worker to a real SMTP server: a password reset end to
end over HTTP."""

import re
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from tests.mail import Inbox

pytestmark = pytest.mark.live


@pytest.fixture
def inbox():
    inbox = Inbox().start()
    yield inbox
    inbox.stop()


def test_a_password_reset_mail_is_sent_by_the_worker_and_its_link_works(start_server, inbox):
    server = start_server(EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(inbox.port))
    account = {"username": "meena", "password": "a-long-live-password-9"}
    registered = requests.post(
        f"{server.url}/api/auth/register/",
        json={**account, "email": "meena@example.com"},
        timeout=10,
    ).json()
    asked = requests.post(
        f"{server.url}/api/auth/password/reset/", json={"email": "meena@example.com"}, timeout=10
    )
    assert asked.status_code == 202
    [message] = inbox.wait_for(1)
    link = re.search(r"http\S+", message.get_content()).group(0)
    assert link.startswith(f"{server.url}/api/auth/password/reset/confirm/?uid=")
    query = {key: values[0] for key, values in parse_qs(urlparse(link).query).items()}
    done = requests.post(
        f"{server.url}/api/auth/password/reset/confirm/",
        json={**query, "new_password": "meenas-new-password-42"},
        timeout=10,
    )
    assert done.status_code == 204, done.text
    me = requests.get(
        f"{server.url}/api/auth/me/",
        headers={"Authorization": f"Token {registered['token']}"},
        timeout=10,
    )
    assert me.status_code == 401  # the session from registration ended
    login = requests.post(
        f"{server.url}/api/auth/login/",
        json={"username": "meena", "password": "meenas-new-password-42"},
        timeout=10,
    )
    assert login.status_code == 200
