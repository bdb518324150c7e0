"""Webhooks: events told to another system (an agency's, or an employer's verzuim system).

* ``events``: what an event says (``emit``), made in the transaction of the change it tells of
  (an outbox: the change and its deliveries are saved together or not at all), for every
  endpoint that subscribes to it and whose owner may see its subject (``portal.access``).
* ``delivery``: signing (Standard Webhooks, with its reference library), sending through an
  SSRF-safe client (requests-hardened checks and pins the resolved address), retrying with
  backoff (beat's sweep), and the log each endpoint keeps.
* ``services``: the endpoints' write path (register, change, new secret, test, replay).

docs/webhooks.md is the receiver's side: the payloads, the headers, how to verify them.
"""

from .events import absolute, emit, tell, trajectory_data

__all__ = ["absolute", "emit", "tell", "trajectory_data"]
