import pytest
from rest_framework.test import APIClient

from portal.api_tokens import token_create


@pytest.fixture
def api():
    """``api(user)`` -> an APIClient authenticated with a fresh personal token."""

    def _client(user, read_only=False, language="nl"):
        _token, raw = token_create(user=user, name="test", read_only=read_only, valid_days=30)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE=language)
        return client

    return _client
