"""Bookkeeping every app shares: the throttles' counters."""

from django.db import models


class ThrottleBucket(models.Model):
    """One client's allowance on one throttle, as a GCRA "theoretical arrival time".

    `tat` (seconds since the epoch) is when the bucket would be empty again; a request is let
    through while `tat` stays within one period of now. `seen` is the latest arrival time let
    through: each worker reads the clock before it reaches the row, so concurrent requests
    reach it out of order, and an arrival earlier than one already counted is taken as that one
    (else it is judged against a later request's allowance and refused one request early).
    One row per throttle and client.
    """

    key = models.CharField(max_length=255, primary_key=True)
    tat = models.FloatField()
    seen = models.FloatField(default=0.0)

    def __str__(self):
        return self.key
