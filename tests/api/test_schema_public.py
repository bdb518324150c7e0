"""The OpenAPI schema and its documentation are public on purpose (docs/architecture.md,
"REST API"; issue 38, item 12): generated from the open-source code, they read no data, and
every endpoint they describe still needs a login or a token."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def test_the_schema_and_docs_answer_anyone_and_read_no_data(cast, client):
    with CaptureQueriesContext(connection) as queries:
        schema = client.get("/api/schema/")
        docs = client.get("/api/docs/")
    assert schema.status_code == docs.status_code == 200
    assert not [q["sql"] for q in queries.captured_queries if "portal_" in q["sql"]]
    text = schema.content.decode()
    for name in (cast.agency_a.name, cast.employer_x.name, cast.admin_a.email):
        assert name not in text
    assert client.get("/api/v1/trajectories/").status_code in (401, 403)
