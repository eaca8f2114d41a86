"""Bookkeeping every app shares: the throttles' counters."""

from django.db import models


class ThrottleBucket(models.Model):
    """One client's allowance on one throttle, as a GCRA "theoretical arrival time".

    `tat` (seconds since the epoch) is when the bucket would be empty again; a request is let
    through while `tat` stays within one period of now. One row per throttle and client.
    """

    key = models.CharField(max_length=255, primary_key=True)
    tat = models.FloatField()

    def __str__(self):
        return self.key
